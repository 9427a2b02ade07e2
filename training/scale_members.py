#!/usr/bin/env python3
"""Members at a production size, for the runtime bench only (issue 15): the demo members' architectures at the size
of NeMo's smallest CTC models, with random weights, exported in the demo members' layouts.

What the ensemble does besides ONNX Runtime (decoding the audio, the NeMo mel front end, confidences, the selector's
inputs) costs the same per audio second whatever the members' size; the demo's 1.4 M-parameter members make ONNX
unusually cheap (about 1.3 ms per audio second each), so the bench also measures the same ensemble with members of a
realistic size. Their weights are random: the texts are meaningless, the work per frame is what a trained model of
that shape does (dense float32 kernels do not depend on the values).

For each demo member, <out>/<name>/ gets the demo member's files (tokens, configs) and a new model.onnx:
  en, vi  : conformer-CTC, d 176, 16 layers, 4 heads, FF x4, kernel 31, subsampling channels 176
            (NeMo's Conformer-CTC small: about 13 M parameters)
  digits  : wav2vec2-style CTC, 512-channel convolutional feature encoder, d 384, 8 layers
            (the wav2vec2 layout at about a quarter of wav2vec2-base)

    /usr/bin/python3 training/scale_members.py [--out training/work/scaled-members]
    BENCH_SCALED_MEMBERS=training/work/scaled-members BENCH_RUNTIME=scaled npm run bench -- runtime
"""
import argparse
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, WORK  # noqa: E402
from export import add_metadata, export_nemo_graph, export_w2v_graph  # noqa: E402
from models import ConformerCTC, Wav2Vec2CTC  # noqa: E402

MODELS = os.path.normpath(os.path.join(ROOT, '..', 'models'))


def classes(name):
    d = os.path.join(MODELS, name)
    if os.path.exists(os.path.join(d, 'tokens.txt')):
        with open(os.path.join(d, 'tokens.txt'), encoding='utf-8') as f:
            return sum(1 for line in f if line.strip())
    with open(os.path.join(d, 'vocab.json'), encoding='utf-8') as f:
        return len(json.load(f))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(WORK, 'scaled-members'))
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in ['en', 'vi', 'digits']:
        src = os.path.join(MODELS, name)
        dst = os.path.join(args.out, name)
        tmp = dst + '.tmp'
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp, ignore=shutil.ignore_patterns('model.onnx'))
        V = classes(name)
        if name == 'digits':
            model = Wav2Vec2CTC(V, channels=(160,) * 7, d=384, layers=8, heads=6, ff_mult=4, dropout=0.0)
            export_w2v_graph(model, os.path.join(tmp, 'model.onnx'))
            add_metadata(os.path.join(tmp, 'model.onnx'), {'model_type': 'wav2vec2', 'comment': 'random weights, bench only'})
        else:
            model = ConformerCTC(V, d=176, layers=16, heads=4, ff_mult=4, kernel=31, sub_ch=176, dropout=0.0)
            export_nemo_graph(model, os.path.join(tmp, 'model.onnx'))
            add_metadata(os.path.join(tmp, 'model.onnx'), {
                'model_type': 'EncDecCTCModelBPE' if name == 'en' else 'EncDecCTCModel', 'vocab_size': V,
                'subsampling_factor': 4, 'normalize_type': 'per_feature', 'comment': 'random weights, bench only'})
        params = sum(p.numel() for p in model.parameters())
        shutil.rmtree(dst, ignore_errors=True)
        os.rename(tmp, dst)
        print(f'{dst}: {params / 1e6:.1f} M parameters, {os.path.getsize(os.path.join(dst, "model.onnx")) / 1e6:.1f} MB', flush=True)


if __name__ == '__main__':
    main()
