#!/usr/bin/env python3
"""Decode a posterior file from make-data.ts with pyctcdecode + KenLM (reference side of the comparison).

    PYTHONPATH=$PYCTCDECODE_SRC:$KENLM_PY /usr/bin/python3 pyctcdecode_decode.py POSTERIORS.json LM.arpa OUT.json

Not part of the product or of `npm test`: needs pyctcdecode's source (kensho-technologies/pyctcdecode), KenLM's
Python module built from kpu/kenlm, numpy and pygtrie (Debian: python3-numpy python3-pygtrie). See run.sh.
Writes {"<api>:<beam>": {"hyps": [...], "seconds": s, "frames": n}} for api in decode (prune_history=True, what
`decoder.decode` does) and decode_beams (prune_history=False, NeMo's pyctcdecode strategy), beams BEAMS (env,
default 16,64,100), alpha ALPHA (0.5), beta BETA (1.5), other settings pyctcdecode's defaults; only the first
MAX_UTTS utterances when set (pyctcdecode needs minutes per beam on noisy posteriors).
"""
import json
import os
import sys
import time

import numpy as np
from pyctcdecode import build_ctcdecoder


def main():
    src, arpa, out = sys.argv[1:4]
    beams = [int(b) for b in os.environ.get('BEAMS', '16,64,100').split(',')]
    apis = os.environ.get('APIS', 'decode,decode_beams').split(',')
    alpha = float(os.environ.get('ALPHA', '0.5'))
    beta = float(os.environ.get('BETA', '1.5'))
    data = json.load(open(src, encoding='utf-8'))
    labels = list(data['vocabulary'])
    labels[data['blank']] = ''  # pyctcdecode's blank label
    decoder = build_ctcdecoder(labels, kenlm_model_path=arpa, alpha=alpha, beta=beta)
    n = int(os.environ.get('MAX_UTTS', '0')) or len(data['utterances'])
    utts = [np.asarray(u['logprobs'], dtype=np.float32) for u in data['utterances'][:n]]
    frames = sum(u.shape[0] for u in utts)
    result = {}
    for api in apis:
        for beam in beams:
            t0 = time.perf_counter()
            if api == 'decode':
                hyps = [decoder.decode(u, beam_width=beam) for u in utts]
            else:
                hyps = [decoder.decode_beams(u, beam_width=beam)[0].text for u in utts]
            dt = time.perf_counter() - t0
            result[f'{api}:{beam}'] = {'hyps': hyps, 'seconds': dt, 'frames': frames}
            print(f'{os.path.basename(src)} {api} beam {beam}: {frames / dt:.0f} frames/s', file=sys.stderr)
    with open(out + '.tmp', 'w', encoding='utf-8') as f:
        json.dump(result, f)
    os.replace(out + '.tmp', out)


if __name__ == '__main__':
    main()
