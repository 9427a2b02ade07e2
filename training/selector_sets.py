#!/usr/bin/env python3
"""The demo selector's manifests (issue 18): real + synthetic speech, real held-out sets kept out.

Writes per domain in training/work/data/<domain>/:
  selector_mix.jsonl      training: SELECTOR_REAL (default 400) clips of train_real.jsonl (real recordings the
                          members trained on, raw and augmented copies) + SELECTOR_SYNTH (default 400) synthetic
                          training utterances of train.jsonl (no fsdd/fosd rows) + SELECTOR_SYNTH_DEVLIKE (default
                          2000) utterances of selector_synth.jsonl (selector_synth.py: rendered like the dev/test
                          sets, from training texts; no member trained on them)
  selector_mix_dev.jsonl  tuning: the synthetic dev.jsonl, then select_real.jsonl (real clips no member trained
                          on); synthetic first, so `ensemble tune-lm --max-utterances 60` tunes the LM weights on
                          the same synthetic dev utterances as before
Never used: real_dev.jsonl (the README's real numbers) and test.jsonl (synthetic test). Needs synth.py,
real_speech.py and selector_synth.py to have run. usage: selector_sets.py [en vi digits]
"""
import json, os, random, sys

WORK = os.environ.get('TRAIN_WORK', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'work'))


def rows(path):
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path, encoding='utf-8') if l.strip()]


def write(path, items):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        for r in items:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    os.replace(tmp, path)


def main():
    n_real = int(os.environ.get('SELECTOR_REAL', 400))
    n_synth = int(os.environ.get('SELECTOR_SYNTH', 400))
    n_devlike = int(os.environ.get('SELECTOR_SYNTH_DEVLIKE', 2000))
    tag = os.environ.get('SELECTOR_TAG', '')  # variants for experiments: selector_mix<TAG>.jsonl
    for domain in sys.argv[1:] or ['en', 'vi', 'digits']:
        d = os.path.join(WORK, 'data', domain)
        real = rows(os.path.join(d, 'train_real.jsonl'))
        random.Random(21).shuffle(real)
        synth = [r for r in rows(os.path.join(d, 'train.jsonl')) if r.get('source') not in ('fsdd', 'fosd')]
        random.Random(22).shuffle(synth)
        devlike = rows(os.path.join(d, 'selector_synth.jsonl'))[:n_devlike]
        held = set(r['audio_filepath'] for r in rows(os.path.join(d, 'real_dev.jsonl')) + rows(os.path.join(d, 'test.jsonl')))
        train = [r for r in real[:n_real] + synth[:n_synth] + devlike if r['audio_filepath'] not in held]
        dev = rows(os.path.join(d, 'dev.jsonl')) + rows(os.path.join(d, 'select_real.jsonl'))
        assert not held & set(r['audio_filepath'] for r in dev), 'real_dev/test leaked into the selector dev set'
        write(os.path.join(d, f'selector_mix{tag}.jsonl'), train)
        write(os.path.join(d, f'selector_mix{tag}_dev.jsonl'), dev)
        print(f'{domain}: selector_mix{tag} {len(train)} ({min(n_real, len(real))} real, {min(n_synth, len(synth))} synthetic, '
              f'{len(devlike)} synthetic dev-like), '
              f'selector_mix{tag}_dev {len(dev)}', file=sys.stderr)


if __name__ == '__main__':
    main()
