#!/usr/bin/env python3
"""Cross-check training/nemo_mel.py (and the wav2vec2 normalisation + 8->16 kHz resampling) against the TypeScript
front end: `node dist/cli/main.js features FILE --frontend nemo|wav2vec2 --json`.  usage: frontend_check.py WAV..."""
import json, os, subprocess, sys
import numpy as np
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nemo_mel
from common import read_wav, resample, ROOT

MAIN = os.path.join(ROOT, '..', 'dist', 'cli', 'main.js')
worst = 0.0
for path in sys.argv[1:]:
    x, sr = read_wav(path)
    x16 = resample(x, sr, 16000)
    f, L = nemo_mel.features(torch.from_numpy(x16))
    tmp = '/tmp/_frontend_check.json'
    with open(tmp, 'w') as fo:  # a file, not a pipe: the CLI's stdout is cut at 64 KiB when piped (process exits early)
        subprocess.run(['node', MAIN, 'features', path, '--frontend', 'nemo', '--json'], stdout=fo, check=True)
    ts = json.load(open(tmp))
    t = np.array(ts['data'], dtype=np.float32).reshape(ts['nMels'], ts['frames'])
    ref = f[0].numpy()
    n = min(t.shape[1], ref.shape[1])
    d = np.abs(t[:, :n] - ref[:, :n]).max()
    print(f'{os.path.basename(path)} sr {sr}: nemo frames ts {t.shape[1]} py {ref.shape[1]} valid ts {ts.get("validFrames")} '
          f'py {int(L[0])} max|diff| {d:.2e}')
    if sr == 16000:
        worst = max(worst, d)
print('max diff (16 kHz files)', worst)
