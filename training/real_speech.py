#!/usr/bin/env python3
"""Real recordings for the demo members and the selector, with their splits kept apart.

Writes, per domain, next to the synthetic manifests of synth.py (training/work/data/<domain>/):
  train_real.jsonl  real speech for member training (raw clips read in place + augmented copies written here)
  real_dev.jsonl    real held-out dev clips, raw (never trained on; the README's real dev numbers)
  select_real.jsonl real clips kept out of member training, for the selector (confidences as on unseen speech)
  selector.jsonl    the selector's training manifest: select_real (topped up to SELECTOR_REAL=200 with real
                    training clips) + SELECTOR_SYNTH=200 synthetic training utterances

Sources (all read in place, never committed):
  digits  Free Spoken Digit Dataset train part in ${SHARED_DATA}/fsdd (CC BY-SA 4.0; file index 0-4 is the
          FSDD test split and is not there): index % 10 == 0 -> real_dev, == 5 -> select, else train;
          Debian asterisk-core-sounds-en-wav digits/0..9 (Allison Smith, CC BY-SA 3.0): train only.
  vi      FPT Open Speech Data in ${SHARED_DATA}/fosd (CC BY 4.0): 30 real_dev, 30 select, the rest train.
  en      Debian asterisk-core-sounds-en-wav prompts with the texts of core-sounds-en.txt (CC BY-SA 3.0), 8 kHz:
          40 real_dev, 40 select, the rest train.
Augmented copies go through augment.channel (room, noise, band, codec, level) with random leading/trailing
silence; digit clips are also concatenated into same-speaker strings.
usage: real_speech.py [en vi digits]
"""
import glob, gzip, json, os, random, re, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import augment
from synth import WORK, SHARED, read_wav, write_wav, telephone, fosd_clean

ASTERISK = os.environ.get('ASTERISK_SOUNDS', '/usr/share/asterisk/sounds/en')
ASTERISK_TEXT = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz'
DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']
N_AUG = {'fsdd': int(os.environ.get('FSDD_AUG', 1)), 'asterisk_digits': 40, 'fosd': int(os.environ.get('FOSD_AUG', 3)),
         'asterisk_en': 2}


def rel(out_dir, path):
    return os.path.relpath(path, out_dir)


def pad(x, sr, r, lo=0.05, hi=0.8):
    return np.concatenate([np.zeros(int(sr * r.uniform(lo, hi)), np.float32), x,
                           np.zeros(int(sr * r.uniform(lo, hi)), np.float32)])


def speed(x, sr, r):
    """sox `speed` (pitch and tempo together, like a different vocal tract length) by 0.88-1.12."""
    return augment._sox(x, sr, [], [], ['speed', f'{r.uniform(0.88, 1.12):.3f}', 'rate', str(sr)])


def write_rows(out_dir, name, rows):
    with open(os.path.join(out_dir, name), 'w', encoding='utf-8') as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + '\n')
    print(os.path.basename(out_dir), name, len(rows), 'utts',
          round(sum(r['duration'] for r in rows) / 3600, 3), 'h', file=sys.stderr, flush=True)


class Writer:
    def __init__(self, out_dir, sub):
        self.out_dir, self.sub, self.n = out_dir, sub, 0
        os.makedirs(os.path.join(out_dir, sub), exist_ok=True)

    def __call__(self, x, sr, text, source):
        p = os.path.join(self.out_dir, self.sub, f'{self.n:06d}.wav')
        self.n += 1
        write_wav(p, x, sr)
        return {'audio_filepath': rel(self.out_dir, p), 'duration': round(len(x) / sr, 4), 'text': text,
                'source': source}


def digits(out_dir, r):
    train, dev, sel = [], [], []
    w = Writer(out_dir, 'real_aug')
    man = os.path.join(SHARED, 'fsdd', 'train.jsonl')
    clips = []
    if os.path.exists(man):
        for row in (json.loads(l) for l in open(man) if l.strip()):
            idx = int(os.path.splitext(row['audio_filepath'])[0].rsplit('_', 1)[1])
            assert idx >= 5, f'FSDD test-split clip in {man}: {row["audio_filepath"]}'
            item = {'audio_filepath': rel(out_dir, os.path.join(SHARED, 'fsdd', row['audio_filepath'])),
                    'duration': row['duration'], 'text': row['text'], 'source': 'fsdd', 'speaker': row['speaker']}
            (dev if idx % 10 == 0 else sel if idx % 10 == 5 else clips).append(item)
    else:
        print('NOTE: no ../shared/data/fsdd: digits has no FSDD speech', file=sys.stderr)
    for c in clips:  # raw (as users and the FSDD test split send them) + augmented copies
        train.append(dict(c))
        x, sr = read_wav(os.path.join(out_dir, c['audio_filepath']))
        for _ in range(N_AUG['fsdd']):
            y = pad(x, sr, r)
            if r.random() < 0.3:
                y = speed(y, sr, r)
            train.append(w(augment.channel(y, sr, r), sr, c['text'], 'fsdd+aug'))
    # same-speaker strings of 2-6 FSDD clips through a telephone channel
    by_spk = {}
    for c in clips:
        by_spk.setdefault(c['speaker'], []).append(c)
    test_strings = set()
    for split in ('dev', 'test'):
        p = os.path.join(WORK, 'text', f'digits.{split}.txt')
        if os.path.exists(p):
            test_strings |= set(open(p).read().split('\n'))
    n_str = int(os.environ.get('N_FSDD_STRINGS', 800)) if by_spk else 0
    while n_str > 0:
        spk = r.choice(sorted(by_spk))
        parts = [r.choice(by_spk[spk]) for _ in range(r.randint(2, 6))]
        text = ' '.join(p['text'] for p in parts)
        if text in test_strings:
            continue
        xs = []
        for p in parts:
            a, sr = read_wav(os.path.join(out_dir, p['audio_filepath']))
            xs += [a, np.zeros(int(8000 * r.uniform(0.03, 0.3)), np.float32)]
        y = pad(np.concatenate(xs), 8000, r, 0.02, 0.4)
        if r.random() < 0.5:
            y = telephone(np.repeat(y, 2) / (np.max(np.abs(y)) + 1e-6) * r.uniform(0.2, 0.9), r)
        else:
            y = augment.channel(y, 8000, r)
        train.append(w(y, 8000, text, 'fsdd+concat'))
        n_str -= 1
    # asterisk digits 0-9 (one professional speaker): augmented singles and strings
    ast = {}
    for d, word in enumerate(DIGITS):
        p = os.path.join(ASTERISK, 'digits', f'{d}.wav')
        if os.path.exists(p):
            ast[word] = read_wav(p)[0]
    if not ast:
        print('NOTE: asterisk-core-sounds-en-wav not installed: no asterisk digits', file=sys.stderr)
    for word, x in sorted(ast.items()):
        for _ in range(N_AUG['asterisk_digits']):
            y = pad(speed(x, 8000, r) if r.random() < 0.6 else x, 8000, r)
            train.append(w(augment.channel(y, 8000, r, p_codec=0.6), 8000, word, 'asterisk'))
    for _ in range(200 if ast else 0):
        words = [r.choice(sorted(ast)) for _ in range(r.randint(2, 7))]
        if ' '.join(words) in test_strings:
            continue
        xs = []
        for wd in words:
            xs += [ast[wd], np.zeros(int(8000 * r.uniform(0.0, 0.25)), np.float32)]
        y = pad(np.concatenate(xs), 8000, r, 0.02, 0.4)
        train.append(w(augment.channel(speed(y, 8000, r), 8000, r, p_codec=0.6), 8000, ' '.join(words), 'asterisk'))
    return train, dev, sel


def fosd_split(out_dir):
    """FOSD items (cleaned text) as (real_dev 30, select 30, train rest); ([], [], []) without the data."""
    man = os.path.join(SHARED, 'fosd', 'train.jsonl')
    if not os.path.exists(man):
        print('NOTE: no ../shared/data/fosd: vi has no real speech', file=sys.stderr)
        return [], [], []
    rows = [json.loads(l) for l in open(man, encoding='utf-8') if l.strip()]
    rows.sort(key=lambda row: row['audio_filepath'])
    random.Random(99).shuffle(rows)  # the same real_dev as the first demo models (synth.py's fosd_items)
    items = []
    for row in rows:
        text = fosd_clean(row['text'])
        if text is not None:
            items.append({'audio_filepath': rel(out_dir, os.path.join(SHARED, 'fosd', row['audio_filepath'])),
                          'duration': row['duration'], 'text': text, 'source': 'fosd'})
    return items[:30], items[30:60], items[60:]


def vi(out_dir, r):
    dev, sel, rest = fosd_split(out_dir)
    w = Writer(out_dir, 'real_aug')
    train = []
    for c in rest:
        train.append(dict(c))
        x, sr = read_wav(os.path.join(out_dir, c['audio_filepath']))
        for k in range(N_AUG['fosd']):
            y = pad(x, sr, r, 0.0, 0.5)
            if r.random() < 0.4:
                y = speed(y, sr, r)
            if k == 0 and r.random() < 0.5:  # telephone speech too (the selector must not read 8 kHz as digits)
                y = np.repeat(telephone(y, r), 2)
            train.append(w(augment.channel(y, sr, r), sr, c['text'], 'fosd+aug'))
    return train, dev, sel


def asterisk_en_text(s):
    if '[' in s:
        return None
    s = s.lower().replace('\u2019', "'")
    s = re.sub(r"[,.;:!?\"()]", ' ', s).replace('-', ' ')
    s = re.sub(r"(^|\s)'|'(\s|$)", ' ', s)
    words = s.split()
    if not words or not all(re.match(r"^[a-z]+('[a-z]+)?$", w) for w in words):
        return None  # numerals, symbols: spoken differently than written
    return ' '.join(words)


def en(out_dir, r):
    if not os.path.exists(ASTERISK_TEXT):
        print('NOTE: asterisk-core-sounds-en not installed: en has no real speech', file=sys.stderr)
        return [], [], []
    items = []
    for line in gzip.open(ASTERISK_TEXT, 'rt', encoding='utf-8', errors='replace'):
        m = re.match(r'^([\w/-]+):\s*(.+)$', line.strip())
        if not m or m.group(1).startswith('digits/') or m.group(1).startswith('letters/'):
            continue
        p = os.path.join(ASTERISK, m.group(1) + '.wav')
        text = asterisk_en_text(m.group(2))
        if text is None or len(text.split()) < 2 or not os.path.exists(p):
            continue
        x, sr = read_wav(p)
        items.append({'audio_filepath': rel(out_dir, p), 'duration': round(len(x) / sr, 4), 'text': text,
                      'source': 'asterisk'})
    items.sort(key=lambda row: row['audio_filepath'])
    random.Random(7).shuffle(items)
    dev, sel, rest = items[:40], items[40:80], items[80:]
    w = Writer(out_dir, 'real_aug')
    train = []
    for c in rest:
        train.append(dict(c))
        x, sr = read_wav(os.path.join(out_dir, c['audio_filepath']))
        for _ in range(N_AUG['asterisk_en']):
            y = pad(x, sr, r, 0.0, 0.5)
            if r.random() < 0.5:
                y = speed(y, sr, r)
            train.append(w(augment.channel(y, sr, r), sr, c['text'], 'asterisk+aug'))
    return train, dev, sel


def main():
    domains = sys.argv[1:] or ['en', 'vi', 'digits']
    n_synth = int(os.environ.get('SELECTOR_SYNTH', 200))
    n_real = int(os.environ.get('SELECTOR_REAL', 200))
    for domain in domains:
        out_dir = os.path.join(WORK, 'data', domain)
        os.makedirs(out_dir, exist_ok=True)
        r = random.Random({'en': 11, 'vi': 12, 'digits': 13}[domain])
        train, dev, sel = {'en': en, 'vi': vi, 'digits': digits}[domain](out_dir, r)
        write_rows(out_dir, 'train_real.jsonl', train)
        write_rows(out_dir, 'real_dev.jsonl', dev)
        write_rows(out_dir, 'select_real.jsonl', sel)
        synth = []
        p = os.path.join(out_dir, 'train.jsonl')
        if os.path.exists(p):
            synth = [json.loads(l) for l in open(p, encoding='utf-8') if l.strip()]
            synth = [s for s in synth if s.get('source') not in ('fsdd', 'fosd')]
            random.Random(5).shuffle(synth)
        extra = list(train)
        random.Random(6).shuffle(extra)  # plus real (augmented) training speech, where the select split is small
        write_rows(out_dir, 'selector.jsonl', sel + extra[:max(0, n_real - len(sel))] + synth[:n_synth])


if __name__ == '__main__':
    main()
