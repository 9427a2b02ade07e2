#!/usr/bin/env python3
"""Train one demo CTC model.  usage: train.py en|vi|digits [--minutes M] [--resume]

en/vi: conformer-style CTC on NeMo (2.3) log-mel features (features cached once per manifest).
digits: wav2vec2-style CTC on normalised raw 16 kHz waveform (8 kHz corpora upsampled with a windowed sinc or,
as augmentation, linear interpolation).
The learning-rate schedule follows the wall-clock budget (warm-up, then cosine), so the run always ends on time;
checkpoints (last.pt, best.pt on dev CER/WER) are written after every epoch and every few minutes.
"""
import argparse, json, math, os, random, sys, time
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, Vocab, load_manifest, read_wav, resample, error_rates, greedy_ids
import nemo_mel
from models import ConformerCTC, Wav2Vec2CTC, calc_length, w2v_frames

CONFIGS = {
    'en': dict(kind='bpe', d=144, layers=4, heads=4, ff_mult=2, kernel=15, sub_ch=32, dropout=0.1, lr=2e-3,
               max_frames=8000),
    'vi': dict(kind='char', d=144, layers=4, heads=4, ff_mult=2, kernel=15, sub_ch=32, dropout=0.1, lr=2e-3,
               max_frames=8000),
    'digits': dict(kind='w2v', d=144, layers=3, heads=4, ff_mult=4, dropout=0.1, lr=1e-3,
                   channels=(32, 32, 64, 64, 128, 128, 128), max_samples=16000 * 60),
}


def build_vocab(domain):
    os.makedirs(os.path.join(WORK, 'vocab'), exist_ok=True)
    lm = [l.strip() for l in open(os.path.join(WORK, 'lm_text', f'{domain}.txt'), encoding='utf-8') if l.strip()]
    if domain == 'en':
        import sentencepiece as spm
        prefix = os.path.join(WORK, 'vocab', 'en_bpe')
        if not os.path.exists(prefix + '.model'):
            spm.SentencePieceTrainer.train(input=os.path.join(WORK, 'lm_text', 'en.txt'), model_prefix=prefix,
                                           vocab_size=int(os.environ.get('EN_BPE', 128)), model_type='bpe',
                                           character_coverage=1.0, unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1,
                                           num_threads=1, minloglevel=2)
        sp = __import__('sentencepiece').SentencePieceProcessor(model_file=prefix + '.model')
        return Vocab('bpe', [sp.id_to_piece(i) for i in range(sp.get_piece_size())], prefix + '.model')
    if domain == 'vi':
        chars = set()
        for split in ('train',):
            for r in load_manifest(os.path.join(WORK, 'data', 'vi', f'{split}.jsonl')):
                chars.update(r['text'])
        for s in lm:
            chars.update(s)
        chars.discard(' ')
        return Vocab('char', [' '] + sorted(chars))
    letters = sorted(set(''.join(['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']).upper()))
    return Vocab('w2v', ['<pad>', '<s>', '</s>', '<unk>', '|'] + letters)


# ------------------------------------------------------------------ data
def load_audio_16k(path, method='sinc'):
    x, sr = read_wav(path)
    return resample(x, sr, 16000, method)


def manifest_rows(domain, split):
    """data/<domain>/<split>.jsonl; split 'train' also takes train_real.jsonl (real_speech.py) when present."""
    rows = load_manifest(os.path.join(WORK, 'data', domain, f'{split}.jsonl'))
    extra = os.path.join(WORK, 'data', domain, 'train_real.jsonl')
    if split == 'train' and os.path.exists(extra):
        rows += load_manifest(extra)
    return rows


def feature_cache(domain, split, manifest_domain=None):
    """NeMo mel features (float16) for every utterance of data/<manifest_domain>/<split>.jsonl."""
    md = manifest_domain or domain
    path = os.path.join(WORK, 'feats', f'{md}_{split}.pt')
    if os.path.exists(path):
        return torch.load(path)
    rows = manifest_rows(md, split)
    feats = []
    for r in rows:
        x = load_audio_16k(r['path'])
        f, L = nemo_mel.features(torch.from_numpy(x))
        feats.append(f[0, :, :int(L[0])].to(torch.float16).clone())
    os.makedirs(os.path.dirname(path), exist_ok=True)
    out = {'feats': feats, 'texts': [r['text'] for r in rows], 'paths': [r['path'] for r in rows]}
    torch.save(out, path)
    return out


def wave_cache(split, domain='digits'):
    path = os.path.join(WORK, 'feats', f'{domain}_{split}_wave.pt')
    if os.path.exists(path):
        return torch.load(path)
    rows = manifest_rows(domain, split)
    waves, lin = [], []
    for r in rows:
        x, sr = read_wav(r['path'])
        waves.append(torch.from_numpy(resample(x, sr, 16000, 'sinc')).to(torch.float16))
        lin.append(torch.from_numpy(resample(x, sr, 16000, 'linear')).to(torch.float16) if split == 'train' else None)
    out = {'waves': waves, 'lin': lin, 'texts': [r['text'] for r in rows], 'paths': [r['path'] for r in rows]}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(out, path)
    return out


def real_dev_cache(domain, waves):
    """data/<domain>/real_dev.jsonl (real_speech.py) as waves or features; None when absent."""
    if not os.path.exists(os.path.join(WORK, 'data', domain, 'real_dev.jsonl')):
        return None
    return wave_cache('real_dev', domain) if waves else feature_cache(domain, 'real_dev')


def normalize_wave(x):
    """Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm (population variance, 1e-7)."""
    return (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + 1e-7)


def make_batches(lengths, max_units, shuffle=True, rng=None):
    idx = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches, cur, cur_max = [], [], 0
    for i in idx:
        m = max(cur_max, lengths[i])
        if cur and m * (len(cur) + 1) > max_units:
            batches.append(cur); cur, cur_max = [], 0; m = lengths[i]
        cur.append(i); cur_max = m
    if cur:
        batches.append(cur)
    if shuffle:
        rng.shuffle(batches)
    return batches


def spec_augment(x, lengths, rng):
    """x [B,80,T] in place: 2 frequency masks (<=12 bins), time masks (<=4% each, 1 per 2.5 s)."""
    B, Fq, T = x.shape
    for b in range(B):
        L = int(lengths[b])
        for _ in range(2):
            w = rng.randint(0, 12); f0 = rng.randint(0, Fq - w)
            x[b, f0:f0 + w, :L] = 0
        for _ in range(max(1, L // 250)):
            w = rng.randint(0, max(1, int(0.04 * L))); t0 = rng.randint(0, max(0, L - w))
            x[b, :, t0:t0 + w] = 0
    return x


# ------------------------------------------------------------------ model helpers
def build_model(domain, vocab, cfg):
    if cfg['kind'] == 'w2v':
        return Wav2Vec2CTC(vocab.num_classes, channels=tuple(cfg['channels']), d=cfg['d'], layers=cfg['layers'], heads=cfg['heads'],
                           ff_mult=cfg['ff_mult'], dropout=cfg['dropout'])
    return ConformerCTC(vocab.num_classes, d=cfg['d'], layers=cfg['layers'], heads=cfg['heads'], ff_mult=cfg['ff_mult'],
                        kernel=cfg['kernel'], sub_ch=cfg['sub_ch'], dropout=cfg['dropout'])


def load_checkpoint(path):
    ck = torch.load(path, map_location='cpu')
    vocab = Vocab.from_state(ck['vocab'])
    model = build_model(ck['domain'], vocab, ck['cfg'])
    model.load_state_dict(ck['model'])
    model.eval()
    return model, vocab, ck


@torch.no_grad()
def transcribe_feats(model, vocab, feats, bs=16):
    hyps = [None] * len(feats)
    order = sorted(range(len(feats)), key=lambda i: feats[i].shape[-1])
    for s in range(0, len(order), bs):
        ids = order[s:s + bs]
        L = torch.tensor([feats[i].shape[-1] for i in ids])
        x = torch.zeros(len(ids), 80, int(L.max()))
        for j, i in enumerate(ids):
            x[j, :, :L[j]] = feats[i].float()
        lp = model(x, L)
        EL = calc_length(L)
        for j, i in enumerate(ids):
            hyps[i] = vocab.decode(greedy_ids(lp[j], int(EL[j]), vocab.blank))
    return hyps


@torch.no_grad()
def transcribe_waves(model, vocab, waves, bs=16):
    hyps = [None] * len(waves)
    order = sorted(range(len(waves)), key=lambda i: len(waves[i]))
    for s in range(0, len(order), bs):
        ids = order[s:s + bs]
        L = torch.tensor([len(waves[i]) for i in ids])
        x = torch.zeros(len(ids), int(L.max()))
        for j, i in enumerate(ids):
            x[j, :L[j]] = normalize_wave(waves[i].float())
        logits, EL = model(x, L)
        for j, i in enumerate(ids):
            hyps[i] = vocab.decode(greedy_ids(logits[j], int(EL[j]), vocab.blank))
    return hyps


# ------------------------------------------------------------------ training
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('domain', choices=['en', 'vi', 'digits'])
    ap.add_argument('--minutes', type=float, default=25)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--fosd-repeat', type=int, default=3)
    ap.add_argument('--resume', action='store_true', help='continue from last.pt (new wall-clock budget, short warm-up)')
    ap.add_argument('--lr', type=float, default=None)
    ap.add_argument('--init-from', default=None, help='checkpoint whose encoder weights initialise this model '
                    '(all tensors of matching name and shape; the output layer is new)')
    ap.add_argument('--batch-seconds', type=float, default=None, help='padded audio seconds per batch')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    domain, cfg = args.domain, dict(CONFIGS[args.domain])
    ck_dir = os.path.join(WORK, 'ckpt', domain)
    os.makedirs(ck_dir, exist_ok=True)
    t_start = time.time()
    init_ck = torch.load(args.init_from, map_location='cpu') if args.init_from else None
    last = os.path.join(ck_dir, 'last.pt')
    if args.resume and os.path.exists(last):  # keep the checkpoint's token order (vocab of a fine-tuned model)
        vocab = Vocab.from_state(torch.load(last, map_location='cpu')['vocab'])
    elif init_ck is not None and 'vocab' in init_ck:
        vocab = Vocab.from_state(init_ck['vocab'])  # keep the output layer's token order
    else:
        vocab = build_vocab(domain)
    print(f'[{domain}] vocab {len(vocab.tokens)} classes {vocab.num_classes} blank {vocab.blank}', flush=True)

    if args.batch_seconds:
        cfg['max_frames'] = int(args.batch_seconds * 100)
        cfg['max_samples'] = int(args.batch_seconds * 16000)
    if cfg['kind'] == 'w2v':
        tr, dv, rdv = wave_cache('train'), wave_cache('dev'), real_dev_cache(domain, True)
        items = list(range(len(tr['texts'])))
        lengths = [len(w) for w in tr['waves']]
        units = cfg['max_samples']
    else:
        tr, dv, rdv = feature_cache(domain, 'train'), feature_cache(domain, 'dev'), real_dev_cache(domain, False)
        items = list(range(len(tr['texts'])))
        if domain == 'vi':  # up-weight the real FOSD recordings (raw and augmented copies)
            real = set(os.path.normpath(r['path']) for r in load_manifest(os.path.join(WORK, 'data', 'vi', 'train_real.jsonl'))) \
                if os.path.exists(os.path.join(WORK, 'data', 'vi', 'train_real.jsonl')) else set()
            items += [i for i, p in enumerate(tr['paths']) if 'fosd' in p or os.path.normpath(p) in real] * (args.fosd_repeat - 1)
        lengths = [tr['feats'][i].shape[-1] for i in range(len(tr['texts']))]
        units = cfg['max_frames']
    targets = [vocab.encode(t) for t in tr['texts']]
    print(f'[{domain}] data ready in {time.time() - t_start:.0f}s: {len(items)} train items, '
          f'{sum(lengths) / (16000 if cfg["kind"] == "w2v" else 100) / 3600:.2f} h', flush=True)

    model = build_model(domain, vocab, cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f'[{domain}] params {n_params}', flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 1e-2}, {'params': no_decay, 'weight_decay': 0}],
                            lr=cfg['lr'], betas=(0.9, 0.98))
    if args.lr:
        cfg['lr'] = args.lr
    budget = args.minutes * 60
    t0 = time.time()
    best, epoch, step, last_save = 1e9, 0, 0, time.time()
    history = []
    warm = 0.08
    prev_seconds = 0.0
    if args.init_from:
        src = init_ck['model']
        own = model.state_dict()
        copied = [k for k, v in src.items() if k in own and own[k].shape == v.shape]
        own.update({k: src[k] for k in copied})
        model.load_state_dict(own)
        print(f'[{domain}] initialised {len(copied)}/{len(own)} tensors from {args.init_from}', flush=True)
    if args.resume:
        ck = torch.load(os.path.join(ck_dir, 'last.pt'), map_location='cpu')
        model.load_state_dict(ck['model'])
        if 'opt' in ck:
            opt.load_state_dict(ck['opt'])
        epoch, step, history = ck['epoch'], ck['step'], ck['history']
        prev_seconds = ck['train_seconds']
        best = min([h.get('metric', h['dev_wer' if cfg['kind'] == 'w2v' else 'dev_cer']) for h in history] or [1e9])
        warm = 0.03
        print(f'[{domain}] resumed from epoch {epoch} step {step} (best dev {best:.4f})', flush=True)

    def lr_at(p):
        if p < warm:
            return cfg['lr'] * max(p / warm, 0.02)
        return cfg['lr'] * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, (p - warm) / (1 - warm)))))

    def evaluate():
        """Synthetic dev; with a real dev set (real_speech.py) the model-selection metric is the mean of both."""
        model.eval()
        run = (lambda d: transcribe_waves(model, vocab, d['waves'])) if cfg['kind'] == 'w2v' else \
            (lambda d: transcribe_feats(model, vocab, d['feats']))
        hyps = run(dv)
        cer, wer = error_rates(hyps, dv['texts'])
        real = None
        if rdv is not None:
            real = error_rates(run(rdv), rdv['texts'])
        model.train()
        return (cer, wer), real, hyps

    def save(name, extra):
        torch.save({'model': model.state_dict(), 'vocab': vocab.state(), 'cfg': cfg, 'domain': domain,
                    'epoch': epoch, 'step': step, 'train_seconds': prev_seconds + time.time() - t0, 'params': n_params,
                    'history': history, 'opt': opt.state_dict(), 'argv': sys.argv[1:], **extra}, os.path.join(ck_dir, name + '.tmp'))
        os.replace(os.path.join(ck_dir, name + '.tmp'), os.path.join(ck_dir, name))

    model.train()
    done = False
    while not done:
        epoch += 1
        ep_loss, ep_n, te = 0.0, 0, time.time()
        item_lengths = [lengths[i] for i in items]
        for bidx in make_batches(item_lengths, units, True, rng):
            p = (time.time() - t0) / budget
            if p >= 1:
                done = True
                break
            for g in opt.param_groups:
                g['lr'] = lr_at(p)
            ids = [items[j] for j in bidx]
            L = torch.tensor([lengths[i] for i in ids])
            ys = [targets[i] for i in ids]
            if cfg['kind'] == 'w2v':
                x = torch.zeros(len(ids), int(L.max()))
                for j, i in enumerate(ids):
                    w = tr['lin'][i] if (tr['lin'][i] is not None and rng.random() < 0.3) else tr['waves'][i]
                    w = w.float()
                    if rng.random() < 0.5:  # random gain + small noise floor before normalisation
                        w = w * rng.uniform(0.3, 1.5) + torch.randn_like(w) * rng.uniform(0, 0.003)
                    x[j, :len(w)] = normalize_wave(w) + torch.randn(len(w)) * 0.01  # dither: no exact silence
                EL = w2v_frames(L)
                T = int(EL.max())
                span = torch.zeros(len(ids), T, dtype=torch.bool)
                for j in range(len(ids)):
                    for _ in range(max(1, int(EL[j]) // 60)):
                        w = rng.randint(0, 5); t0_ = rng.randint(0, max(0, int(EL[j]) - w))
                        span[j, t0_:t0_ + w] = True
                logits, EL = model(x, L, span)
                logp = torch.log_softmax(logits, -1)
            else:
                x = torch.zeros(len(ids), 80, int(L.max()))
                for j, i in enumerate(ids):
                    x[j, :, :L[j]] = tr['feats'][i].float()
                x = spec_augment(x, L, rng)
                logp = model(x, L)
                EL = calc_length(L)
            tgt = torch.tensor([t for y in ys for t in y], dtype=torch.long)
            TL = torch.tensor([len(y) for y in ys])
            loss = F.ctc_loss(logp.transpose(0, 1), tgt, EL, TL, blank=vocab.blank, reduction='mean',
                              zero_infinity=True)
            if not torch.isfinite(loss):
                print(f'[{domain}] non-finite loss at step {step}, batch skipped', flush=True)
                continue
            opt.zero_grad()
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            if not torch.isfinite(gn):
                print(f'[{domain}] non-finite gradient at step {step}, batch skipped', flush=True)
                opt.zero_grad()
                continue
            opt.step()
            step += 1
            ep_loss += float(loss) * len(ids); ep_n += len(ids)
            if step % 50 == 0:
                print(f'[{domain}] ep {epoch} step {step} loss {ep_loss / ep_n:.3f} lr {lr_at(p):.2e} '
                      f't {time.time() - t0:.0f}s', flush=True)
            if time.time() - last_save > 300:
                save('last.pt', {}); last_save = time.time()
        (cer, wer), real, hyps = evaluate()
        metric = wer if cfg['kind'] == 'w2v' else cer
        h = {'epoch': epoch, 'step': step, 'loss': ep_loss / max(ep_n, 1), 'dev_cer': cer, 'dev_wer': wer,
             'seconds': time.time() - t0, 'epoch_seconds': time.time() - te}
        if real is not None:
            h.update(real_dev_cer=real[0], real_dev_wer=real[1])
            metric = 0.5 * (metric + (real[1] if cfg['kind'] == 'w2v' else real[0]))
        h['metric'] = metric
        history.append(h)
        print(f'[{domain}] === epoch {epoch} done ({time.time() - te:.0f}s) loss {ep_loss / max(ep_n, 1):.3f} '
              f'dev CER {cer:.4f} WER {wer:.4f}'
              + (f' real_dev CER {real[0]:.4f} WER {real[1]:.4f}' if real else '')
              + f'  e.g. "{hyps[0]}" / "{dv["texts"][0]}"', flush=True)
        save('last.pt', {'dev_cer': cer, 'dev_wer': wer}); last_save = time.time()
        if metric <= best:
            best = metric
            save('best.pt', {'dev_cer': cer, 'dev_wer': wer})
    print(f'[{domain}] finished: {epoch} epochs, {step} steps, {time.time() - t0:.0f}s, best dev '
          f'{"WER" if cfg["kind"] == "w2v" else "CER"} {best:.4f}', flush=True)


if __name__ == '__main__':
    main()
