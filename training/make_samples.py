#!/usr/bin/env python3
"""Copy a few short test-set WAVs per domain into samples/ (seeded random choice among short utterances, not
cherry-picked) and write samples/manifest.jsonl.  en/vi: 16 kHz, digits: 8 kHz telephone audio; 16-bit PCM."""
import json, os, random, shutil, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, ROOT, load_manifest

OUT = os.path.normpath(os.path.join(ROOT, '..', 'samples'))
PER_DOMAIN = int(os.environ.get('N_SAMPLES', 3))


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    rng = random.Random(5)
    for d, max_dur in (('en', 3.6), ('vi', 3.6), ('digits', 3.0)):
        cand = [r for r in load_manifest(os.path.join(WORK, 'data', d, 'test.jsonl')) if r['duration'] <= max_dur]
        for k, r in enumerate(rng.sample(cand, PER_DOMAIN)):
            name = f'{d}_{k + 1}.wav'
            shutil.copyfile(r['path'], os.path.join(OUT, name))
            rows.append({'audio_filepath': name, 'duration': r['duration'], 'text': r['text'], 'domain': d})
    with open(os.path.join(OUT, 'manifest.jsonl'), 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    total = sum(os.path.getsize(os.path.join(OUT, r['audio_filepath'])) for r in rows)
    print(f'{len(rows)} samples, {total / 1e6:.2f} MB in {OUT}')
    assert total <= 1_000_000


if __name__ == '__main__':
    main()
