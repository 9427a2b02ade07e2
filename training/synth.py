#!/usr/bin/env python3
"""Synthesise the three demo corpora with espeak-ng + sox and write NeMo JSONL manifests.

Output: training/work/data/<domain>/{train,dev,test}.jsonl (audio_filepath relative to the manifest folder)
        and training/work/data/<domain>/{train,dev,test}/NNNNNN.wav (16-bit PCM).
en / vi: 16 kHz.  digits: 8 kHz telephone channel (band-limit 300-3400 Hz + mu-law companding), decoded to 16-bit.
Real speech (FSDD, FOSD, asterisk prompts) is prepared by real_speech.py (train_real / real_dev / select_real).
Train (and, with SYNTH_V2=1, dev/test) also uses Debian flite voices, formant perturbation and augment.channel.
"""
import json, os, random, subprocess, sys, wave, glob
from multiprocessing import Pool
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import augment

ROOT = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get('TRAIN_WORK', os.path.join(ROOT, 'work'))
SHARED = os.environ.get('SHARED_DATA', os.path.normpath(os.path.join(ROOT, '..', '..', 'shared', 'data')))
JOBS = int(os.environ.get('SYNTH_JOBS', 2))

EN_VOICES = ['en-us', 'en-us', 'en-gb', 'en-gb-x-rp', 'en-gb-scotland', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en-029',
             'en-us-nyc']
VI_VOICES = ['vi', 'vi', 'vi-vn-x-central', 'vi-vn-x-south']
VARIANTS = ['', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5', 'klatt', 'klatt2', 'klatt3',
            'adam', 'alex', 'andy', 'annie', 'david', 'ed', 'john', 'linda', 'max', 'michael', 'paul', 'rob', 'robert',
            'steph', 'travis', 'victor', 'zac', 'shelby', 'norbert', 'belinda', 'benjamin', 'caleb', 'Alicia', 'Andrea',
            'aunty', 'grandma', 'grandpa', 'quincy', 'Lee']


def write_wav(path, x, sr):
    x = np.clip(np.round(x * 32767.0), -32768, 32767).astype('<i2')
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(x.tobytes())


def read_wav(path):
    with wave.open(path, 'rb') as w:
        sr, n, ch, sw = w.getframerate(), w.getnframes(), w.getnchannels(), w.getsampwidth()
        b = w.readframes(n)
    assert sw == 2
    x = np.frombuffer(b, '<i2').astype(np.float32) / 32768.0
    if ch > 1:
        x = x.reshape(-1, ch).mean(1)
    return x, sr


def espeak(text, voice, speed, pitch, sr=16000):
    p1 = subprocess.Popen(['espeak-ng', '-v', voice, '-s', str(speed), '-p', str(pitch), '--stdout', text],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = subprocess.run(['sox', '-t', 'wav', '-', '-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr), '-c', '1', '-'],
                         stdin=p1.stdout, capture_output=True).stdout
    p1.wait()
    return np.frombuffer(out, np.float32).copy()


FLITE_VOICES = ['kal', 'kal16', 'awb', 'rms', 'slt']


def flite(text, voice, stretch, f0, sr=16000):
    """Debian flite (diphone kal/kal16, clustergen awb/rms/slt) -> float32 at sr; duration stretch and mean F0."""
    p1 = subprocess.Popen(['flite', '-voice', voice, '--setf', f'duration_stretch={stretch:.2f}',
                           '--setf', f'int_f0_target_mean={f0}', '-t', text, '-o', '/dev/stdout'],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = subprocess.run(['sox', '-t', 'wav', '-', '-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr), '-c', '1', '-'],
                         stdin=p1.stdout, capture_output=True).stdout
    p1.wait()
    return np.frombuffer(out, np.float32).copy()


def vocal_tract(x, sr, r):
    """Formant (vocal-tract length) perturbation: sox `speed` scales pitch, formants and tempo together;
    `tempo` then restores part of the duration change, so formants move more than tempo."""
    f = r.uniform(0.86, 1.16)
    p = subprocess.run(['sox', '-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr), '-c', '1', '-',
                        '-t', 'raw', '-e', 'float', '-b', '32', '-r', str(sr), '-c', '1', '-',
                        'speed', f'{f:.3f}', 'tempo', '-s', f'{1 / f ** 0.5:.3f}', 'rate', str(sr)],
                       input=x.astype(np.float32).tobytes(), capture_output=True)
    y = np.frombuffer(p.stdout, np.float32).copy()
    return y if len(y) > 0 else x


def colored_noise(n, kind, rng):
    w = rng.standard_normal(n).astype(np.float32)
    if kind == 'white':
        return w
    f = np.fft.rfft(w)
    k = np.arange(len(f), dtype=np.float32)
    k[0] = 1
    if kind == 'pink':
        f /= np.sqrt(k)
    elif kind == 'brown':
        f /= k
    y = np.fft.irfft(f, n).astype(np.float32)
    return y


def hum(n, sr, rng):
    t = np.arange(n) / sr
    f0 = rng.choice([50.0, 60.0])
    return sum(np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6.28)) / h for h in (1, 2, 3, 5)).astype(np.float32)


def add_noise(x, snr_db, rng, sr):
    kind = rng.choice(['white', 'pink', 'pink', 'brown', 'hum'])
    nz = hum(len(x), sr, rng) if kind == 'hum' else colored_noise(len(x), kind, rng)
    ps = np.mean(x ** 2) + 1e-10
    pn = np.mean(nz ** 2) + 1e-10
    return x + nz * np.sqrt(ps / pn / (10 ** (snr_db / 10)))


def telephone(x16, rng):
    """16 kHz float -> band-limit 300-3400, 8 kHz, mu-law (G.711) -> decoded 8 kHz float."""
    p = subprocess.run(['sox', '-t', 'raw', '-e', 'float', '-b', '32', '-r', '16000', '-c', '1', '-',
                        '-t', 'raw', '-e', 'mu-law', '-b', '8', '-r', '8000', '-c', '1', '-',
                        'sinc', f'{rng.randint(200, 350)}-{rng.randint(3300, 3500)}', 'rate', '8000'],
                       input=x16.astype(np.float32).tobytes(), capture_output=True)
    q = subprocess.run(['sox', '-t', 'raw', '-e', 'mu-law', '-b', '8', '-r', '8000', '-c', '1', '-',
                        '-t', 'raw', '-e', 'float', '-b', '32', '-'], input=p.stdout, capture_output=True)
    return np.frombuffer(q.stdout, np.float32).copy()


def job(args):
    domain, split, idx, text, seed = args
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    voices = VI_VOICES if domain == 'vi' else EN_VOICES
    sr = 16000
    # train (and the v2 dev/test, SYNTH_V2=1): English also from flite voices, pitch/formant perturbation and
    # room/channel augmentation (augment.py); v1 dev/test stay espeak-only so old and new numbers compare
    v2 = split == 'train' or os.environ.get('SYNTH_V2') == '1'
    if v2 and domain != 'vi' and r.random() < float(os.environ.get('P_FLITE', 0.35)):
        voice = 'flite:' + r.choice(FLITE_VOICES)
        speed, pitch = round(r.uniform(0.8, 1.3), 2), r.randint(80, 220)
        x = flite(text, voice[6:], speed, pitch)
    else:
        voice = r.choice(voices)
        var = r.choice(VARIANTS)
        if var:
            voice += '+' + var
        speed = r.randint(120, 200) if domain != 'digits' else r.randint(110, 220)
        pitch = r.randint(20, 80)
        x = espeak(text, voice, speed, pitch)
    if len(x) < 1600:
        return None
    if v2 and r.random() < 0.4:
        x = vocal_tract(x, sr, r)
    x = x / (np.max(np.abs(x)) + 1e-6)
    # leading / trailing silence (isolated digit words: up to 1 s, like a caller's single key word)
    hi = 1.0 if (domain == 'digits' and len(text.split()) == 1) else 0.4
    x = np.concatenate([np.zeros(int(sr * r.uniform(0.05, hi)), np.float32), x,
                        np.zeros(int(sr * r.uniform(0.05, hi)), np.float32)])
    if domain == 'digits':
        if v2 and r.random() < 0.5:
            x = augment.channel(x, sr, r, p_codec=0.0)
        elif r.random() < 0.8:
            x = add_noise(x, r.choice([10, 15, 20, 25, 30, 40]), rng, sr)
        x = x / (np.max(np.abs(x)) + 1e-6) * r.uniform(0.1, 0.9)
        if v2 and r.random() < 0.3:  # not every caller is on G.711: other codecs at 8 kHz
            x = augment.codec(x, sr, r, r.choice(['gsm', 'amr', 'alaw']))
            p = subprocess.run(['sox', '-t', 'raw', '-e', 'float', '-b', '32', '-r', '16000', '-c', '1', '-',
                                '-t', 'raw', '-e', 'float', '-b', '32', '-r', '8000', '-c', '1', '-'],
                               input=x.astype(np.float32).tobytes(), capture_output=True)
            x = np.frombuffer(p.stdout, np.float32).copy()
        else:
            x = telephone(x, r)
        sr = 8000
    else:
        if v2 and r.random() < 0.5:
            x = augment.channel(x, sr, r)
        elif r.random() < 0.5:
            x = add_noise(x, r.choice([15, 20, 25, 30, 40]), rng, sr)
        x = x / (np.max(np.abs(x)) + 1e-6) * r.uniform(0.08, 0.95)
    rel = f'{split}/{idx:06d}.wav'
    write_wav(os.path.join(WORK, 'data', domain, rel), x, sr)
    return {'audio_filepath': rel, 'duration': round(len(x) / sr, 4), 'text': text,
            'voice': voice, 'speed': speed, 'pitch': pitch}


def fsdd_items(out_dir, rng):
    """Concatenate same-speaker FSDD clips into digit strings (train) and a held-out real_dev set."""
    man = os.path.join(SHARED, 'fsdd', 'train.jsonl')
    if not os.path.exists(man):
        print('NOTE: ../shared/data/fsdd not found: digits model is trained on synthetic speech only', file=sys.stderr)
        return [], []
    rows = [json.loads(l) for l in open(man) if l.strip()]
    by_spk = {}
    for row in rows:
        idx = int(os.path.splitext(row['audio_filepath'])[0].rsplit('_', 1)[1])
        key = 'dev' if idx % 10 == 0 else 'train'
        by_spk.setdefault((key, row['speaker']), []).append(row)
    test_strings = set(open(os.path.join(WORK, 'text', 'digits.test.txt')).read().split('\n'))
    test_strings |= set(open(os.path.join(WORK, 'text', 'digits.dev.txt')).read().split('\n'))
    res = {'train': [], 'dev': []}
    for split, n in (('train', int(os.environ.get('N_FSDD_TRAIN', 1500))), ('dev', 60)):
        keys = [k for k in by_spk if k[0] == split]
        os.makedirs(os.path.join(out_dir, 'real_' + split), exist_ok=True)
        i = 0
        while i < n:
            k = rng.choice(keys)
            m = rng.choice([1, 1, 2, 3, 4, 5]) if split == 'train' else rng.choice([3, 4, 5])
            clips = [rng.choice(by_spk[k]) for _ in range(m)]
            text = ' '.join(c['text'] for c in clips)
            if split == 'train' and text in test_strings:
                continue
            parts = []
            for c in clips:
                a, sr = read_wav(os.path.join(SHARED, 'fsdd', c['audio_filepath']))
                assert sr == 8000
                parts.append(a)
                parts.append(np.zeros(int(8000 * rng.uniform(0.03, 0.25)), np.float32))
            x = np.concatenate([np.zeros(int(8000 * rng.uniform(0.02, 0.2)), np.float32)] + parts)
            x16 = np.repeat(x, 2)  # crude up to 16 kHz; telephone() band-limits and resamples anyway
            if rng.random() < 0.5:
                x16 = add_noise(x16, rng.choice([15, 20, 30]), np.random.default_rng(rng.randint(0, 1 << 30)), 16000)
            x16 = x16 / (np.max(np.abs(x16)) + 1e-6) * rng.uniform(0.2, 0.9)
            y = telephone(x16, rng)
            rel = f'real_{split}/{i:06d}.wav'
            write_wav(os.path.join(out_dir, rel), y, 8000)
            res[split].append({'audio_filepath': rel, 'duration': round(len(y) / 8000, 4), 'text': text,
                               'source': 'fsdd'})
            i += 1
    return res['train'], res['dev']


def fosd_clean(text):
    """NFC lower case, punctuation to spaces; utterances with digits are dropped (None)."""
    import re, unicodedata
    t = unicodedata.normalize('NFC', text.lower())
    t = ' '.join(re.sub(r'[^\w\s]|_', ' ', t).split())
    return None if re.search(r'[0-9]', t) or not t else t


def fosd_items(out_dir, rng):
    man = os.path.join(SHARED, 'fosd', 'train.jsonl')
    if not os.path.exists(man):
        print('NOTE: ../shared/data/fosd not found: vi model is trained on synthetic speech only', file=sys.stderr)
        return [], []
    import unicodedata
    rows = [json.loads(l) for l in open(man, encoding='utf-8') if l.strip()]
    rows.sort(key=lambda r: r['audio_filepath'])
    rng.shuffle(rows)
    out = []
    for row in rows:
        text = fosd_clean(row['text'])
        if text is None:
            continue
        out.append({'audio_filepath': os.path.relpath(os.path.join(SHARED, 'fosd', row['audio_filepath']), out_dir),
                    'duration': row['duration'], 'text': text, 'source': 'fosd'})
    return out[30:], out[:30]


def main():
    domains = sys.argv[1:] or ['en', 'vi', 'digits']
    for domain in domains:
        out_dir = os.path.join(WORK, 'data', domain)
        tasks = []
        for si, split in enumerate(['test', 'dev', 'train']):
            os.makedirs(os.path.join(out_dir, split), exist_ok=True)
            texts = [l.strip() for l in open(os.path.join(WORK, 'text', f'{domain}.{split}.txt'), encoding='utf-8') if l.strip()]
            for i, t in enumerate(texts):
                tasks.append((domain, split, i, t, hash((domain, split, i)) % (1 << 31) if False else (si * 1000003 + i * 7919 + len(domain))))
            if domain == 'digits' and split == 'train':
                # isolated digit words with long leading/trailing silence (real callers and the FSDD clips)
                words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
                for i in range(len(texts), len(texts) + int(os.environ.get('N_SINGLE_DIGITS', 2000))):
                    tasks.append((domain, split, i, words[i % 10], si * 1000003 + i * 7919 + 101))
        results = {'train': [], 'dev': [], 'test': []}
        with Pool(JOBS) as pool:
            for n, (task, res) in enumerate(zip(tasks, pool.imap(job, tasks, chunksize=16))):
                if res is not None:
                    results[task[1]].append(res)
                if n % 1000 == 0:
                    print(domain, n, '/', len(tasks), file=sys.stderr, flush=True)
        # real speech (FSDD, FOSD, asterisk prompts) and its dev/selector splits: real_speech.py
        for split, rows in results.items():
            with open(os.path.join(out_dir, f'{split}.jsonl'), 'w', encoding='utf-8') as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + '\n')
            print(domain, split, len(rows), 'utts', round(sum(r['duration'] for r in rows) / 3600, 3), 'h', file=sys.stderr)


if __name__ == '__main__':
    main()
