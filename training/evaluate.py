#!/usr/bin/env python3
"""Greedy CER/WER of every trained model on every domain's test (and dev / real_dev) set, in PyTorch.
Writes training/work/results.json and prints a markdown matrix.  usage: evaluate.py [--ckpt best] [--splits test dev]"""
import argparse, json, os, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, error_rates
from train import load_checkpoint, feature_cache, wave_cache, transcribe_feats, transcribe_waves

DOMAINS = ['en', 'vi', 'digits']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default='best')
    ap.add_argument('--splits', nargs='*', default=['test', 'dev', 'real_dev'])
    ap.add_argument('--models', nargs='*', default=DOMAINS)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get('THREADS', 2)))
    res_path = os.path.join(WORK, 'results.json')
    results = json.load(open(res_path)) if os.path.exists(res_path) else {}
    for name in args.models:
        p = os.path.join(WORK, 'ckpt', name, f'{args.ckpt}.pt')
        if not os.path.exists(p):
            print('missing', p); continue
        model, vocab, ck = load_checkpoint(p)
        r = results.setdefault(name, {})
        r['params'] = ck['params']; r['epochs'] = ck['epoch']; r['train_seconds'] = round(ck['train_seconds'])
        for split in args.splits:
            for d in DOMAINS:
                if not os.path.exists(os.path.join(WORK, 'data', d, f'{split}.jsonl')):
                    continue
                if vocab.kind == 'w2v':
                    data = wave_cache(split, d)
                    hyps = transcribe_waves(model, vocab, data['waves'])
                else:
                    data = feature_cache(d, split, d)
                    hyps = transcribe_feats(model, vocab, data['feats'])
                cer, wer = error_rates(hyps, data['texts'])
                r[f'{d}/{split}'] = {'cer': round(cer, 4), 'wer': round(wer, 4), 'n': len(hyps),
                                     'examples': [[h, t] for h, t in list(zip(hyps, data['texts']))[:3]]}
                print(f'{name} on {d}/{split}: CER {cer:.4f} WER {wer:.4f} (n={len(hyps)})', flush=True)
        json.dump(results, open(res_path, 'w'), ensure_ascii=False, indent=1)
    print('\n| model \\ test set | ' + ' | '.join(DOMAINS) + ' |\n|---|---|---|---|')
    for name in DOMAINS:
        if name in results:
            cells = []
            for d in DOMAINS:
                c = results[name].get(f'{d}/test')
                cells.append(f"CER {100 * c['cer']:.1f} % / WER {100 * c['wer']:.1f} %" if c else '-')
            print(f'| {name} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
