#!/usr/bin/env python3
"""Write models/<name>/MODEL_CARD.md from the checkpoints, training/work/results.json and the manifests."""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
from common import WORK, ROOT, load_manifest

MODELS = os.path.normpath(os.path.join(ROOT, '..', 'models'))
DOMAINS = ['en', 'vi', 'digits']
DESC = {
    'en': ('English sentences, clean 16 kHz speech', 'NeMo log-mel, 80 bins (AudioToMelSpectrogramPreprocessor, NeMo 2.3 '
           'variant: reflect STFT padding, per_feature normalisation)', 'sentencepiece BPE, 128 pieces (`▁` marks a word '
           'start; `<unk>` is id 0), trained on the en LM text', 'NeMo ONNX (`audio_signal`, `length` → `logprobs`, '
           'blank = last id) + `tokens.txt` + `model_config.json`'),
    'vi': ('Vietnamese sentences, clean 16 kHz speech', 'NeMo log-mel, 80 bins (as `en`)', 'characters (NFC), space is the '
           'word delimiter (id 0; written as `▁` in the informative tokens.txt, literally in model_config.json)',
           'NeMo ONNX + `tokens.txt` + `model_config.json`'),
    'digits': ('English digit strings ("zero" … "nine", 1–8 words) over an 8 kHz telephone channel', 'raw waveform: '
               'the runtime resamples to 16 kHz and applies `(x − mean)/sqrt(var + 1e-7)` (`do_normalize: true`)',
               'upper-case letters of the digit words, `|` word delimiter, `<pad>` = blank (id 0); `do_lower_case: '
               'true` so the runtime lower-cases the output', 'Hugging Face wav2vec2 / optimum ONNX (`input_values` → '
               'raw `logits`) + `vocab.json`, `config.json`, `preprocessor_config.json`, `tokenizer_config.json`'),
}
ARCH = {
    'en': 'conformer-style CTC: 2× Conv2d(3×3, stride 2, 32 ch) subsampling ×4 (NeMo calc_length), 4 conformer '
          'blocks (d = 144, 4 heads, FF ×2 macaron, depthwise conv kernel 15, LayerNorm), linear + log-softmax. '
          'Padded frames are masked after every convolution (batched = single).',
    'digits': 'wav2vec2-style CTC: conv feature encoder with kernels [10,3,3,3,3,2,2], strides [5,2,2,2,2,2,2] '
              '(channels 32-32-64-64-128-128-128, GELU; LayerNorm over channels after the first conv; '
              '320 samples ≈ 20 ms per frame), LayerNorm + projection to 144, depthwise conv positional embedding (kernel 31), 3 pre-LN '
              'transformer layers (4 heads, FF 576), linear to raw logits.',
}
ARCH['vi'] = ARCH['en']
HISTORY = {
    'en': 'This checkpoint\'s actual history (the shared 2-core machine was heavily loaded, so the run was '
          'steered by hand): a from-scratch run sat on the CTC blank plateau for 2 epochs (dev CER 95 %) and was '
          'discarded; the model was re-initialised from the `vi` encoder (all tensors except the output layer, '
          'taken at vi epoch 3, dev CER 33 %) and trained 36 min (batches of 40 s), then resumed for 14 min (peak lr 1e-3) and '
          '12 min (peak lr 6e-4) and 8 min (peak lr 4e-4), then, in a second session, resumed for 80 min (peak lr 4e-4, '
          'alongside the digits run on the same 2 cores). `training/run.sh` encodes the recipe in two runs (vi first, then en from '
          'vi\'s encoder for 70 min, then resumed 80 min at peak lr 4e-4).',
    'vi': 'Actual history: 2 epochs (15 min) with 80 s batches (restarted once early on after a text clean-up), then resumed with 40 s '
          'batches for 43 min, 1 torch thread on the loaded shared machine.',
    'digits': 'Actual history: the first attempts produced NaN gradients (Debian torch 1.13\'s `F.gelu` backward '
              'is wrong for non-contiguous gradients; the model now uses a written-out GELU, and LayerNorm only '
              'after the first conv) and were discarded; then 16 min, resumed for 16 min (peak lr 1e-3) and 12 min '
              '(peak lr 7e-4), 1 torch thread, and 10 min (peak lr 5e-4, 2 threads); then, in a second session, resumed for '
              '80 min (peak lr 5e-4, 1 thread, alongside the en run). `training/run.sh` encodes it as 55 min, then resumed '
              '80 min at peak lr 5e-4.',
}


def hours(path):
    if not os.path.exists(path):
        return 0, 0
    rows = load_manifest(path)
    return len(rows), sum(r['duration'] for r in rows) / 3600


def main():
    res = json.load(open(os.path.join(WORK, 'results.json')))
    for name in DOMAINS:
        ck = torch.load(os.path.join(WORK, 'ckpt', name, 'best.pt'), map_location='cpu')
        d = os.path.join(MODELS, name)
        size = os.path.getsize(os.path.join(d, 'model.onnx'))
        r = res.get(name, {})
        data_dir = os.path.join(WORK, 'data', name)
        tr = load_manifest(os.path.join(data_dir, 'train.jsonl'))
        if os.path.exists(os.path.join(data_dir, 'train_real.jsonl')):
            tr += load_manifest(os.path.join(data_dir, 'train_real.jsonl'))
        real = [x for x in tr if x.get('source')]
        n_rdev, h_rdev = hours(os.path.join(data_dir, 'real_dev.jsonl'))
        n_sel, _ = hours(os.path.join(data_dir, 'select_real.jsonl'))
        n_dev, h_dev = hours(os.path.join(data_dir, 'dev.jsonl'))
        n_te, h_te = hours(os.path.join(data_dir, 'test.jsonl'))
        desc, feats, vocab, layout = DESC[name]
        hist = ck['history']
        lines = [f'# Demo model `{name}`', '',
                 f'A small CTC model trained by this project (no pretrained weights) for the ctc-ensemble demo ensemble (`training/run.sh`). '
                 f'It is a toy: trained mostly on synthetic espeak-ng speech, it is meant to show routing between '
                 f'members, not to be a usable recogniser of real speech.', '',
                 '| | |', '|---|---|',
                 f'| domain | {desc} |', f'| input | {feats} |', f'| vocabulary | {vocab}; {ck["cfg"].get("kind")} |',
                 f'| export layout | {layout} |', f'| architecture | {ARCH[name]} |',
                 f'| parameters | {ck["params"]:,} |', f'| model.onnx | {size / 1e6:.2f} MB (fp32, opset 17) |',
                 f'| training | {len(hist)} epochs, {ck["step"]} steps, {ck["train_seconds"] / 60:.0f} min wall clock on a '
                 f'shared 2-core CPU (1 torch thread), AdamW, warm-up + cosine on the wall-clock budget, CTC loss, '
                 f'{"SpecAugment-lite (2 freq masks ≤ 12 bins, time masks ≤ 4 %)" if name != "digits" else "random gain, linear vs sinc resampling, masked frame spans (learned mask embedding)"}; '
                 f'checkpoint = best dev {"WER" if name == "digits" else "CER"} (epoch {ck["epoch"]}) |',
                 f'| command | `training/run.sh` (this step: `training/train.py {" ".join(ck.get("argv", []))}` then `training/export.py {name}`) |',
                 '', HISTORY[name]
                 + (f' Then (issue 18) fine-tuned from exactly those shipped weights, read back from the committed '
                    f'`models/{name}/model.onnx` by `training/onnx_weights.py` (the earlier checkpoints were not kept), for '
                    f'{len(hist)} epochs / {ck["train_seconds"] / 60:.0f} min on the real + synthetic mix below: '
                    f'`training/train.py {" ".join(ck.get("argv", []))}`; the checkpoint is the best epoch on the mean '
                    f'of the synthetic dev and the real_dev error rate.' if '--init-from' in ck.get('argv', []) else ''),
                 '', '## Data', '',
                 f'- train: {len(tr)} utterances, {sum(x["duration"] for x in tr) / 3600:.2f} h '
                 f'({len(tr) - len(real)} synthetic{", " + str(len(real)) + " real" if real else ""}); '
                 f'dev {n_dev} ({h_dev:.2f} h), test {n_te} ({h_te:.2f} h), synthetic, sentences disjoint from train '
                 f'and from the LM text.'
                 + (f' Real held-out sets (never trained on): `real_dev` {n_rdev} utterances ({h_rdev * 60:.1f} min), '
                    f'`select_real` {n_sel} (the selector\'s real training speech).' if n_rdev else ''),
                 '- synthetic speech (train): as before plus, since issue 18, Debian `flite` voices (kal, kal16, awb, '
                 'rms, slt; duration stretch 0.8–1.3, mean F0 80–220 Hz) for English, vocal-tract/formant perturbation '
                 '(sox `speed` then partial `tempo` restore, 40 %) and room/channel chains (`training/augment.py`: sox '
                 'reverb with random parameters, coloured noise / hum at 5–35 dB SNR, band limits, mu-law / A-law / '
                 'GSM / AMR-NB / Ogg Vorbis / IMA ADPCM codecs, gain and clipping). dev/test keep the first recipe '
                 '(espeak-ng only) so numbers compare.']
        if name == 'en' and real:
            lines += [f'- real speech: {len(real)} utterances: Debian `asterisk-core-sounds-en-wav` prompts (Allison '
                      'Smith, 8 kHz) with their texts from `asterisk-core-sounds-en`\'s core-sounds-en.txt (prompts with '
                      'numerals or bracketed descriptions dropped), raw and 2 augmented copies; 40 prompts held out as '
                      '`real_dev`, 40 as `select_real`.']
        if name == 'en':
            lines += ['- text: prose sentences from Debian licence texts (`/usr/share/common-licenses`), `copyright` files '
                      'and man pages, lower-cased, only a–z, apostrophe and space, chunked to 4–15 words.',
                      '- speech: espeak-ng English voices (en-us, en-gb, en-gb-x-rp, scotland, lancaster, west midlands, '
                      'caribbean, nyc) × ~45 voice variants, speed 120–200 wpm, pitch 20–80, random gain, 50 % with '
                      'white/pink/brown/hum noise at 15–40 dB SNR, 16 kHz.']
        if name == 'vi':
            lines += ['- text: msgstr strings of the Debian `vi` message catalogs (`msgunfmt`; format specifiers, '
                      'punctuation and Latin-only technical strings removed) and generated smart-home / call-centre '
                      'commands (devices, rooms, times, amounts, phone and order numbers spelt out).',
                      '- speech: espeak-ng `vi`, `vi-vn-x-central`, `vi-vn-x-south` × voice variants, speed, pitch, gain '
                      'and noise as for `en`.',
                      f'- real speech: {len(real)} utterances: FPT Open Speech Data (set 001, from `../shared/data/fosd`, '
                      'read in place) raw and 3 augmented copies each (one in two through a telephone channel), '
                      'up-weighted ×3; 30 more held out as `real_dev` and 30 as `select_real`.' if real else
                      '- real speech: none (../shared/data/fosd was not present): synthetic only.']
        if name == 'digits':
            lines += ['- text: random strings of 1–8 English digit words; multi-digit dev/test strings never occur in train.',
                      '- speech: espeak-ng English voices and variants, speed 110–220, 80 % with noise at 10–40 dB SNR, '
                      'then a telephone channel: band-limit (sox sinc ~300–3400 Hz), 8 kHz, G.711 mu-law companding, '
                      'decoded to 16-bit 8 kHz WAV; upsampled to 16 kHz at training time (windowed sinc, 30 % linear).',
                      f'- real speech: {len(real)} utterances: Free Spoken Digit Dataset clips (`../shared/data/fsdd`, '
                      'read in place; 6 speakers, clip index 5–49, the FSDD test split 0–4 is not there) raw and once '
                      'augmented (silence, speed, room/channel chain), 800 same-speaker strings of 2–6 clips through a '
                      'telephone or random channel; Debian `asterisk-core-sounds-en-wav` digits 0–9 (Allison Smith) × 40 '
                      'augmented copies and 200 strings. FSDD clips with index ≡ 0 (mod 10) are held out as `real_dev` '
                      '(raw single digits, like the FSDD test split), ≡ 5 as `select_real`. Plus 2000 synthetic '
                      'isolated digit words with 0.05–1 s of silence on each side.' if real else
                      '- real speech: none (../shared/data/fsdd was not present): synthetic only.']
        lines += ['', '## Results (greedy CTC decoding, no LM, PyTorch; the ONNX graph matches to < 1e-4)', '',
                  '| test set | CER | WER | utterances |', '|---|---|---|---|']
        for split in ('test', 'dev', 'real_dev'):
            for dom in DOMAINS:
                c = r.get(f'{dom}/{split}')
                if c:
                    own = ' **(own domain)**' if dom == name else ''
                    lines.append(f'| {dom} {split}{own} | {100 * c["cer"]:.1f} % | {100 * c["wer"]:.1f} % | {c["n"]} |')
        k = "wer" if name == "digits" else "cer"
        lines += ['', 'Dev curve (synthetic dev' + (' / real_dev' if any('real_dev_cer' in h for h in hist) else '') + f' {k.upper()}): '
                  + ', '.join(f'ep {h["epoch"]}: {100 * h["dev_" + k]:.1f} %'
                              + (f' / {100 * h["real_dev_" + k]:.1f} %' if 'real_dev_' + k in h else '') for h in hist), '',
                  '## Licences and attribution', '',
                  '- Weights: trained by this project (Apache-2.0, like the project).',
                  '- Synthetic speech was produced with espeak-ng (GPL-3.0-or-later); its voice data is part of '
                  'espeak-ng. The generated audio is not shipped except a few samples in `samples/`.',
                  '- English text: Debian licence texts, copyright files and man pages (their own licences; used only '
                  'as sentence material, not redistributed).' if name == 'en' else
                  '- Vietnamese text: translations in Debian\'s message catalogs (each under its package\'s licence; '
                  'used as sentence material, redistributed only as LM text statistics).' if name == 'vi' else
                  '- Digit strings are random.']
        if name == 'vi' and real:
            lines.append('- FPT Open Speech Data (FPT Corporation), set 001, CC BY 4.0 (as reported by the data README): '
                         'used for training; not redistributed.')
        if real and name in ('en', 'digits'):
            lines.append('- Asterisk core sounds (Allison Smith, Digium), CC BY-SA 3.0, from Debian '
                         '`asterisk-core-sounds-en-wav` / `asterisk-core-sounds-en`: used for training'
                         + (' (digits 0–9)' if name == 'digits' else ' (prompts)') + '; see samples/README.md for a redistributed clip.')
        if name == 'digits' and real:
            lines.append('- Free Spoken Digit Dataset (Jakobovski et al., github.com/Jakobovski/free-spoken-digit-dataset), '
                         'CC BY-SA 4.0: used for training; not redistributed.')
        with open(os.path.join(d, 'MODEL_CARD.md'), 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        print('wrote', os.path.join(d, 'MODEL_CARD.md'))


if __name__ == '__main__':
    main()
