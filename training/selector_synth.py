#!/usr/bin/env python3
"""Synthetic selector training utterances rendered like the dev/test sets (issue 18).

The selector's synthetic training rows used to come from train.jsonl: audio the members trained on, rendered
with the training-time voices and channel augmentation, unlike the espeak-only dev and test sets. This writes
per domain SELECTOR_SYNTH_N (default 2000) new utterances with synth.py's dev/test rendering (espeak-ng voices and
variants, speed, pitch, silence, noise; `digits`: the 8 kHz telephone channel), from training texts (never the
dev or test texts), with their own seeds:
  training/work/data/<domain>/selector_synth.jsonl  and  selector_synth/NNNNNN.wav
usage: selector_synth.py [en vi digits]
"""
import json, os, random, sys
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth

SPLIT = 'selector_synth'


def main():
    n = int(os.environ.get('SELECTOR_SYNTH_N', 2000))
    for domain in sys.argv[1:] or ['en', 'vi', 'digits']:
        out_dir = os.path.join(synth.WORK, 'data', domain)
        os.makedirs(os.path.join(out_dir, SPLIT), exist_ok=True)
        read = lambda s: [l.strip() for l in open(os.path.join(synth.WORK, 'text', f'{domain}.{s}.txt'), encoding='utf-8') if l.strip()]
        held = set(read('dev')) | set(read('test'))
        texts = [t for t in read('train') if t not in held]
        random.Random(31).shuffle(texts)
        # seeds of their own (synth.py uses si * 1000003 + i * 7919 + len(domain) with si 0..2)
        tasks = [(domain, SPLIT, i, t, 7 * 1000003 + i * 7919 + len(domain)) for i, t in enumerate(texts[:n])]
        with Pool(synth.JOBS) as pool:
            rows = [r for r in pool.imap(synth.job, tasks, chunksize=16) if r is not None]
        tmp = os.path.join(out_dir, f'{SPLIT}.jsonl.tmp')
        with open(tmp, 'w', encoding='utf-8') as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + '\n')
        os.replace(tmp, os.path.join(out_dir, f'{SPLIT}.jsonl'))
        print(domain, SPLIT, len(rows), 'utts', round(sum(r['duration'] for r in rows) / 3600, 3), 'h', file=sys.stderr)


if __name__ == '__main__':
    main()
