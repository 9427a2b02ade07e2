"""What a bigger member costs to train here (issue 18, item 4): conformer-CTC sizes from the demo's 1.4 M to ~10 M
parameters, one training step (forward, CTC loss, backward, AdamW) on a batch of 80 padded seconds (the demo's
max_frames 8000: 16 utterances of 5 s), 1 torch thread, median of the timed steps after warm-up. Prints the
parameters, the float32 ONNX size, seconds per step, and CPU minutes per hour of training audio (45 steps).

    /usr/bin/python3 training/model_size_cost.py [--steps 5] [--threads 1]
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from models import ConformerCTC

SIZES = [  # (label, d, layers, ff_mult, heads)
    ('demo en/vi', 144, 4, 2, 4),
    ('~3 M', 176, 4, 4, 4),
    ('~5 M', 208, 5, 4, 4),
    ('~10 M', 256, 6, 4, 4),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--classes', type=int, default=129)  # en: 128 BPE pieces + blank
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    B, T = 16, 500  # 16 × 5 s at a 10 ms hop = 80 padded seconds
    x = torch.randn(B, 80, T)
    lengths = torch.full((B,), T, dtype=torch.long)
    targets = torch.randint(0, args.classes - 1, (B, 40))
    target_lengths = torch.full((B,), 40, dtype=torch.long)
    print(f'batch {B} x {T / 100:.0f} s (80 padded seconds), {args.threads} torch thread(s), median of {args.steps} steps after 2 warm-ups')
    print('| size | d / layers / ff | parameters | ONNX float32 | s per step | CPU min per hour of audio |')
    print('|---|---|---|---|---|---|')
    for label, d, layers, ff, heads in SIZES:
        model = ConformerCTC(args.classes, d=d, layers=layers, heads=heads, ff_mult=ff, kernel=15, sub_ch=32, dropout=0.1)
        params = sum(p.numel() for p in model.parameters())
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        times = []
        for i in range(args.steps + 2):
            t = time.perf_counter()
            lp = model(x, lengths)  # [B, T', V]
            out_len = model.encoded_length(lengths)
            loss = F.ctc_loss(lp.transpose(0, 1), targets, out_len, target_lengths, blank=args.classes - 1, zero_infinity=True)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i >= 2:
                times.append(time.perf_counter() - t)
        step = statistics.median(times)
        per_hour = step * (3600 / 80) / 60  # 45 steps of 80 s per hour of audio, in minutes
        print(f'| {label} | {d} / {layers} / {ff} | {params / 1e6:.2f} M | {params * 4 / 1e6:.1f} MB | {step:.2f} | {per_hour:.1f} |', flush=True)


if __name__ == '__main__':
    main()
