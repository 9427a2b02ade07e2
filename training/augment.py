"""Waveform augmentation toward real rooms and channels (sox subprocesses, numpy noise).

channel(x, sr, rng): one random chain of
  room     sox `reverb` with random reverberance / HF damping / room scale / pre-delay / wet gain (40 %)
  noise    white / pink / brown / mains hum at 5-35 dB SNR (50 %)
  band     random band limit (high-pass 60-400 Hz, low-pass 2.8-7.5 kHz) (30 %)
  codec    G.711 mu-law or A-law at 8 kHz, GSM 06.10, AMR-NB at a random bit rate, Ogg Vorbis at low quality,
           IMA ADPCM (35 %; each encodes and decodes through sox)
  level    random gain, and in 10 % hard clipping at a random level
Every chain keeps the sample rate it was given (codecs at 8 kHz resample down and back up). Pure functions of
(x, rng): a seeded random.Random gives a reproducible chain.
"""
import os, subprocess, tempfile
import numpy as np

CODECS = ['ulaw', 'alaw', 'gsm', 'amr', 'vorbis', 'ima']


def _sox(x, sr, in_args, out_args, effects, sr_out=None):
    """float32 mono in, float32 mono out through `sox`; in/out encodings given by the caller."""
    p = subprocess.run(['sox', '-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr), '-c', '1', '-'] + in_args +
                       ['-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr_out or sr), '-c', '1', '-'] + out_args +
                       effects, input=np.asarray(x, np.float32).tobytes(), capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode(errors='replace')[:300])
    return np.frombuffer(p.stdout, np.float32).copy()


def reverb(x, sr, r):
    pad = np.zeros(int(sr * 0.6), np.float32)  # room for the tail
    # reverb [-w] reverberance% HF-damping% room-scale% stereo-depth% pre-delay-ms wet-gain-dB
    eff = ['reverb'] + (['-w'] if r.random() < 0.3 else []) + [
        str(r.randint(10, 90)), str(r.randint(10, 90)), str(r.randint(20, 100)), '100', str(r.randint(0, 30)),
        str(r.randint(-6, 0))]
    y = _sox(np.concatenate([x, pad]), sr, [], [], eff)
    n = len(x) + int(sr * r.uniform(0.05, 0.6))
    return y[:n]


def colored_noise(n, kind, rng):
    w = rng.standard_normal(n).astype(np.float32)
    if kind == 'white':
        return w
    f = np.fft.rfft(w)
    k = np.arange(len(f), dtype=np.float32)
    k[0] = 1
    f /= np.sqrt(k) if kind == 'pink' else k
    return np.fft.irfft(f, n).astype(np.float32)


def hum(n, sr, r):
    t = np.arange(n) / sr
    f0 = r.choice([50.0, 60.0])
    return sum(np.sin(2 * np.pi * f0 * h * t + r.uniform(0, 6.28)) / h for h in (1, 2, 3, 5)).astype(np.float32)


def add_noise(x, snr_db, r, sr):
    rng = np.random.default_rng(r.randint(0, 1 << 30))
    kind = r.choice(['white', 'pink', 'pink', 'brown', 'hum'])
    nz = hum(len(x), sr, r) if kind == 'hum' else colored_noise(len(x), kind, rng)
    ps = np.mean(x ** 2) + 1e-10
    pn = np.mean(nz ** 2) + 1e-10
    return (x + nz * np.sqrt(ps / pn / (10 ** (snr_db / 10)))).astype(np.float32)


def band(x, sr, r):
    hp, lp = r.randint(60, 400), min(r.randint(2800, 7500), sr // 2 - 200)
    return _sox(x, sr, [], [], ['sinc', f'{hp}-{lp}'])


def codec(x, sr, r, kind=None):
    kind = kind or r.choice(CODECS)
    x = np.clip(x, -1, 1)
    with tempfile.TemporaryDirectory() as tmp:
        ext = {'ulaw': 'ul', 'alaw': 'al', 'gsm': 'gsm', 'amr': 'amr-nb', 'vorbis': 'ogg', 'ima': 'wav'}[kind]
        enc = os.path.join(tmp, 'c.' + ext)
        args = {'ulaw': [], 'alaw': [], 'gsm': [], 'ima': ['-e', 'ima-adpcm'],
                'amr': ['-C', str(r.randint(0, 7))], 'vorbis': ['-C', str(r.choice([-1, 0, 1]))]}[kind]
        rate = '8000' if kind in ('ulaw', 'alaw', 'gsm', 'amr') else str(sr)
        a = subprocess.run(['sox', '-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr), '-c', '1', '-'] + args +
                           ['-r', rate, '-c', '1', enc], input=x.astype(np.float32).tobytes(), capture_output=True)
        if a.returncode != 0:
            return x
        b = subprocess.run(['sox', enc, '-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr), '-c', '1', '-'],
                           capture_output=True)
        if b.returncode != 0:
            return x
        return np.frombuffer(b.stdout, np.float32).copy()


def level(x, r):
    x = x / (np.max(np.abs(x)) + 1e-6) * r.uniform(0.05, 0.95)
    if r.random() < 0.1:
        c = r.uniform(0.2, 0.7) * np.max(np.abs(x))
        x = np.clip(x * r.uniform(1.2, 3.0), -c, c)
    return x.astype(np.float32)


def channel(x, sr, r, p_room=0.4, p_noise=0.5, p_band=0.3, p_codec=0.35):
    """One random room/channel chain over float32 mono `x` at `sr` (r: random.Random)."""
    x = np.asarray(x, np.float32)
    if r.random() < p_room:
        x = reverb(x, sr, r)
    if r.random() < p_noise:
        x = add_noise(x, r.choice([5, 10, 15, 20, 25, 30, 35]), r, sr)
    if r.random() < p_band:
        x = band(x, sr, r)
    if r.random() < p_codec:
        x = codec(x, sr, r)
    return level(x, r)
