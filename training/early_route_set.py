#!/usr/bin/env python3
"""A small labelled test set for `ensemble eval --early-route` (README, early-routing curve), when the demo's own
test sets (training/work, made by run.sh) are not there: 30 sentences of ../shared/golden/kenlm/corpus/en.test.txt
spoken by espeak-ng (en-us, 16 kHz), and 30 random utterances each of FOSD (vi) and FSDD (digits) from
../shared/data. Writes OUT/{en,vi,digits}.jsonl (absolute paths) and OUT/en/*.wav.

    python3 training/early_route_set.py /tmp/early-route-set
"""
import json, os, random, subprocess, sys

ROOT = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(ROOT, '..', '..', 'shared'))
out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'early-route-set')
os.makedirs(os.path.join(out, 'en'), exist_ok=True)
random.seed(1)
lines = [l.strip() for l in open(os.path.join(SHARED, 'golden', 'kenlm', 'corpus', 'en.test.txt')) if 4 <= len(l.split()) <= 14]
random.shuffle(lines)
rows = []
for i, text in enumerate(lines[:30]):
    wav = os.path.join(out, 'en', f'{i:03d}.wav')
    speak = subprocess.Popen(['espeak-ng', '-v', 'en-us', '-s', '160', '--stdout', text], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    subprocess.run(['sox', '-D', '-t', 'wav', '-', '-r', '16000', '-c', '1', '-b', '16', wav], stdin=speak.stdout, check=True)
    speak.wait()
    rows.append(json.dumps({'audio_filepath': wav, 'text': text}))
open(os.path.join(out, 'en.jsonl'), 'w').write('\n'.join(rows) + '\n')
for domain, src in [('vi', 'fosd'), ('digits', 'fsdd')]:
    manifest = os.path.join(SHARED, 'data', src, 'train.jsonl')
    entries = [json.loads(l) for l in open(manifest)]
    random.shuffle(entries)
    base = os.path.dirname(manifest)
    rows = [json.dumps({'audio_filepath': os.path.join(base, e['audio_filepath']), 'text': e['text']}) for e in entries[:30]]
    open(os.path.join(out, f'{domain}.jsonl'), 'w').write('\n'.join(rows) + '\n')
print(out)
