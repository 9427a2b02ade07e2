"""Shared helpers: manifests, audio, vocabularies, CTC greedy decoding, error rates."""
import json, math, os, unicodedata, wave
import numpy as np
import torch

ROOT = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get('TRAIN_WORK', os.path.join(ROOT, 'work'))  # resumable elsewhere: TRAIN_WORK=/path


def load_manifest(path):
    base = os.path.dirname(os.path.abspath(path))
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                r['path'] = os.path.normpath(os.path.join(base, r['audio_filepath']))
                r['text'] = unicodedata.normalize('NFC', r['text'])
                rows.append(r)
    return rows


def read_wav(path):
    with wave.open(path, 'rb') as w:
        sr, n, ch, sw = w.getframerate(), w.getnframes(), w.getnchannels(), w.getsampwidth()
        b = w.readframes(n)
    assert sw == 2, path
    x = np.frombuffer(b, '<i2').astype(np.float32) / 32768.0
    if ch > 1:
        x = x.reshape(-1, ch).mean(1)
    return x, sr


def _ts_kernel(t, fc, half, beta):
    r = t / half
    out = np.zeros_like(t)
    ok = (r > -1) & (r < 1)
    x = 2 * fc * t[ok]
    out[ok] = 2 * fc * np.sinc(x) * (np.i0(beta * np.sqrt(1 - r[ok] ** 2)) / np.i0(beta))
    return out


def resample_ts(x, sr, target, passband=0.9, atten=100.0):
    """Port of src/audio/resample.ts (polyphase Kaiser-windowed sinc, pass band 0.9 of the lower Nyquist,
    100 dB, output length ceil(n*to/from), per-phase normalised taps) so training sees the runtime's resampler."""
    from math import gcd, ceil
    g = gcd(sr, target)
    L, M = target // g, sr // g
    scale = min(1.0, target / sr)
    fc = 0.5 * scale * ((passband + 1) / 2)
    tw = 0.5 * scale * (1 - passband)
    beta = 0.1102 * (atten - 8.7) if atten > 50 else (0.5842 * (atten - 21) ** 0.4 + 0.07886 * (atten - 21) if atten >= 21 else 0)
    half = (atten - 7.95) / (2.285 * 2 * np.pi * tw) / 2
    K = int(ceil(half))
    width = 2 * K
    j = np.arange(width)
    table = np.stack([_ts_kernel(ph / L - (j - K + 1).astype(np.float64), fc, half, beta) for ph in range(L)])
    table /= table.sum(1, keepdims=True)
    n_out = int(ceil(len(x) * L / M))
    xp = np.zeros(len(x) + 2 * K + 2)
    xp[K:K + len(x)] = x
    if M == 1:  # integer up-sampling: one correlation per phase (same arithmetic as the general path)
        out = np.empty(n_out, np.float64)
        for p in range(L):
            seg = np.correlate(xp[1:], table[p], 'valid')
            cnt = len(out[p::L])
            out[p::L] = seg[:cnt]
        return out.astype(np.float32)
    n = np.arange(n_out)
    num = n * M
    k0 = num // L
    ph = num - k0 * L
    out = np.empty(n_out, np.float64)
    for s in range(0, n_out, 65536):
        e = min(n_out, s + 65536)
        idx = (k0[s:e] + 1)[:, None] + j[None, :]
        out[s:e] = (xp[idx] * table[ph[s:e]]).sum(1)
    return out.astype(np.float32)


def resample(x, sr, target=16000, method='sinc'):
    """Resample float32 mono: 'sinc' = the runtime's band-limited resampler (port of src/audio/resample.ts),
    'linear' = linear interpolation (used as augmentation)."""
    if sr == target:
        return x
    if method == 'sinc':
        return resample_ts(x, sr, target)
    n_out = int(round(len(x) * target / sr))
    t = np.arange(n_out) * (sr / target)
    return np.interp(t, np.arange(len(x)), x).astype(np.float32)


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


def error_rates(hyps, refs):
    ce = cn = we = wn = 0
    for h, r in zip(hyps, refs):
        h = ' '.join(h.split()); r = ' '.join(r.split())
        ce += edit_distance(h, r); cn += len(r)
        we += edit_distance(h.split(), r.split()); wn += len(r.split())
    return ce / max(cn, 1), we / max(wn, 1)


def greedy_ids(logp, length, blank):
    """logp [T, V] tensor -> collapsed token ids (blank removed)."""
    best = logp[:length].argmax(-1).tolist()
    out, prev = [], None
    for t in best:
        if t != prev and t != blank:
            out.append(t)
        prev = t
    return out


class Vocab:
    """Token inventory. kind: 'bpe' (sentencepiece, ▁), 'char' (space delimiter), 'w2v' (| delimiter, <pad> blank)."""

    def __init__(self, kind, tokens, sp_model=None):
        self.kind, self.tokens = kind, list(tokens)
        self.sp = None
        if kind == 'bpe':
            self.sp_model = sp_model
            if sp_model:
                import sentencepiece as spm
                self.sp = spm.SentencePieceProcessor(model_file=sp_model)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        if kind == 'w2v':
            self.blank = self.index['<pad>']
            self.num_classes = len(self.tokens)
        else:
            self.blank = len(self.tokens)  # NeMo: blank = last
            self.num_classes = len(self.tokens) + 1

    def encode(self, text):
        if self.kind == 'bpe':
            return self.sp.encode(text) if self.sp is not None else self.longest_match(text)
        if self.kind == 'char':
            return [self.index[c] for c in text if c in self.index]
        return [self.index[c] for c in text.upper().replace(' ', '|') if c in self.index]

    def longest_match(self, text):
        """Pieces by longest match per ▁word: for a shipped BPE model whose sentencepiece file is not at hand
        (only tokens.txt is committed); CTC accepts any segmentation into the model's pieces."""
        out = []
        for w in text.split():
            s, i = '\u2581' + w, 0
            while i < len(s):
                for j in range(len(s), i, -1):
                    if s[i:j] in self.index:
                        out.append(self.index[s[i:j]]); i = j; break
                else:
                    out.append(0); i += 1  # <unk>
        return out

    def decode(self, ids):
        if self.kind == 'bpe':
            return ''.join(self.tokens[i] for i in ids).replace('\u2581', ' ').strip()
        if self.kind == 'char':
            return ' '.join(''.join(self.tokens[i] for i in ids).split())
        s = ''.join(self.tokens[i] for i in ids if self.tokens[i] not in ('<s>', '</s>', '<unk>', '<pad>'))
        return ' '.join(s.replace('|', ' ').split()).lower()

    def state(self):
        return {'kind': self.kind, 'tokens': self.tokens, 'sp_model': getattr(self, 'sp_model', None)}

    @staticmethod
    def from_state(s):
        return Vocab(s['kind'], s['tokens'], s.get('sp_model'))
