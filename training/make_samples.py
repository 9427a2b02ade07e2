#!/usr/bin/env python3
"""Copy a few short test-set WAVs per domain into samples/ (seeded random choice among short utterances, not
cherry-picked), plus one real recording per domain from its real_dev set, and write samples/manifest.jsonl and
samples/README.md (attribution).  en/vi: 16 kHz, digits: 8 kHz telephone audio; 16-bit PCM.
KEEP_SYNTHETIC=1 keeps the committed synthetic samples and only (re)adds the real ones."""
import json, os, random, shutil, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, ROOT, load_manifest

OUT = os.path.normpath(os.path.join(ROOT, '..', 'samples'))
PER_DOMAIN = int(os.environ.get('N_SAMPLES', 3))


NOT_SHIPPED = {'fsdd', 'fosd'}


def wav_seconds(path):
    import wave
    with wave.open(path) as w:
        return round(w.getnframes() / w.getframerate(), 4)

REAL_SOURCES = {
    'fsdd': ('Free Spoken Digit Dataset (Jakobovski et al., github.com/Jakobovski/free-spoken-digit-dataset)',
             'CC BY-SA 4.0', 'unchanged (8 kHz mono WAV)'),
    'fosd': ('FPT Open Speech Data, set 001 (FPT Corporation)', 'CC BY 4.0',
             'resampled to 16 kHz mono 16-bit by the data provider of `../shared/data`; transcript lower-cased, '
             'punctuation removed'),
    'asterisk': ('Asterisk core sounds, US English (Allison Smith / Digium), Debian package '
                 '`asterisk-core-sounds-en-wav` 1.6.1', 'CC BY-SA 3.0',
                 'unchanged (8 kHz mono WAV); transcript from core-sounds-en.txt, lower-cased, punctuation removed'),
}
SAMPLES_README = '''# Demo samples

`manifest.jsonl` lists every file with its transcript and domain (`npx ensemble infer samples/*.wav`).

- `en_N.wav`, `vi_N.wav`, `digits_N.wav`: synthetic test-set utterances made by `training/run.sh`
  (espeak-ng speech; part of this project, Apache-2.0).
- `*_real_1.wav`: real recordings redistributed under their own licences: `en_real_1.wav` is from the en
  real held-out set (`real_dev`, never trained on); `digits_real_1.wav` is an asterisk digit prompt (also
  used, augmented, in training). The FSDD and FOSD recordings the models were trained and evaluated on are
  not copied here (`../shared/data` is for training and evaluation only), so there is no real vi sample.

| file | source | licence | changes |
|---|---|---|---|
'''


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    rng = random.Random(5)
    for d, max_dur in (('en', 3.6), ('vi', 3.6), ('digits', 3.0)):
        if os.environ.get('KEEP_SYNTHETIC') == '1':
            break
        cand = [r for r in load_manifest(os.path.join(WORK, 'data', d, 'test.jsonl')) if r['duration'] <= max_dur]
        for k, r in enumerate(rng.sample(cand, PER_DOMAIN)):
            name = f'{d}_{k + 1}.wav'
            shutil.copyfile(r['path'], os.path.join(OUT, name))
            rows.append({'audio_filepath': name, 'duration': r['duration'], 'text': r['text'], 'domain': d})
    # one real recording per domain from its real_dev set (held out from training), whose licence allows
    # redistribution with attribution (samples/README.md)
    if os.environ.get('KEEP_SYNTHETIC') == '1':  # keep the committed synthetic samples, only (re)add the real ones
        rows = [json.loads(l) for l in open(os.path.join(OUT, 'manifest.jsonl'), encoding='utf-8')
                if l.strip() and 'source' not in json.loads(l)]
    credits = []
    # ../shared/data says its files are never copied into the project: FSDD / FOSD clips are not shipped here
    # (no vi real sample); digits gets an asterisk digit prompt (Debian package; it was also used in training).
    for d, max_dur in (('en', 4.0), ('vi', 4.0), ('digits', 3.0)):
        p = os.path.join(WORK, 'data', d, 'real_dev.jsonl')
        cand = [r for r in load_manifest(p) if r['duration'] <= max_dur and r['source'] not in NOT_SHIPPED] \
            if os.path.exists(p) else []
        if d == 'digits':
            from real_speech import ASTERISK, DIGITS
            k = random.Random(7).randrange(10)
            path = os.path.join(ASTERISK, 'digits', f'{k}.wav')
            cand = [{'path': path, 'text': DIGITS[k], 'source': 'asterisk',
                     'duration': wav_seconds(path)}] if os.path.exists(path) else []
        if not cand:
            continue
        r = random.Random(7).choice(cand)
        name = f'{d}_real_1.wav'
        shutil.copyfile(r['path'], os.path.join(OUT, name))
        src = REAL_SOURCES[r['source']]
        orig = os.path.basename(r['path'])
        if r['source'] == 'asterisk':
            from real_speech import ASTERISK
            orig = os.path.relpath(os.path.realpath(r['path']), os.path.realpath(ASTERISK))
        rows.append({'audio_filepath': name, 'duration': r['duration'], 'text': r['text'], 'domain': d,
                     'source': r['source'], 'original': orig})
        credits.append(f'| `{name}` | {src[0]}, file `{orig}` | {src[1]} | {src[2]} |')
    with open(os.path.join(OUT, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(SAMPLES_README + '\n'.join(credits) + '\n')
    with open(os.path.join(OUT, 'manifest.jsonl'), 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    total = sum(os.path.getsize(os.path.join(OUT, r['audio_filepath'])) for r in rows)
    print(f'{len(rows)} samples, {total / 1e6:.2f} MB in {OUT}')
    assert total <= 1_000_000


if __name__ == '__main__':
    main()
