#!/usr/bin/env python3
"""Load the weights of a committed models/<name>/model.onnx back into the PyTorch model of models.py, so a
later session can fine-tune the shipped members without their (uncommitted) checkpoints.

No onnx package on these machines: the ONNX protobuf is read with a minimal wire-format parser (ModelProto.graph
= 7, GraphProto.initializer = 5, TensorProto dims = 1, data_type = 2, float_data = 4, name = 8, raw_data = 9).
torch.onnx.export keeps parameter names for most initializers but folds Linear weights feeding MatMul into
transposed constants with generated names ("onnx::MatMul_123"). The mapping is found by exporting a freshly
initialised model of the same architecture the same way and matching its initializers to its parameters by
value (random init: every tensor is distinct), then reading the committed file's initializers by those names.
usage: onnx_weights.py <name> [--out training/work/ckpt/<name>/onnx_init.pt]  (writes a train.py checkpoint)
"""
import argparse, io, json, os, struct, sys, tempfile
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, ROOT, Vocab

MODELS = os.path.normpath(os.path.join(ROOT, '..', 'models'))
TRAINING_ONLY = {'mask_emb'}  # not in the inference graph: restarts at zero


def _varint(b, i):
    n = shift = 0
    while True:
        c = b[i]; i += 1
        n |= (c & 0x7F) << shift
        if c < 0x80:
            return n, i
        shift += 7


def _fields(b):
    """Yield (field number, wire type, value) of one protobuf message (value: int or memoryview)."""
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 1:
            v = b[i:i + 8]; i += 8
        elif wt == 5:
            v = b[i:i + 4]; i += 4
        elif wt == 2:
            n, i = _varint(b, i)
            v = b[i:i + n]; i += n
        else:
            raise ValueError(f'unsupported wire type {wt}')
        yield f, wt, v


def _tensor(msg):
    dims, dtype, name, raw, floats = [], 1, None, None, []
    for f, wt, v in _fields(msg):
        if f == 1:
            if wt == 2:  # packed
                j = 0
                while j < len(v):
                    d, j = _varint(v, j); dims.append(d)
            else:
                dims.append(v)
        elif f == 2:
            dtype = v
        elif f == 8:
            name = bytes(v).decode()
        elif f == 9:
            raw = bytes(v)
        elif f == 4:
            floats.append(np.frombuffer(bytes(v), '<f4') if wt == 2 else np.frombuffer(bytes(v), '<f4'))
    np_dtype = {1: '<f4', 7: '<i8', 6: '<i4', 11: '<f8'}.get(dtype)
    if np_dtype is None:
        return name, None
    arr = np.frombuffer(raw, np_dtype) if raw is not None else (np.concatenate(floats) if floats else np.zeros(0, np_dtype))
    return name, arr.reshape(dims).copy()


def read_initializers(path):
    b = memoryview(open(path, 'rb').read())
    out = {}
    for f, wt, v in _fields(b):
        if f == 7 and wt == 2:
            for g, gwt, gv in _fields(v):
                if g == 5 and gwt == 2:
                    name, arr = _tensor(gv)
                    if arr is not None:
                        out[name] = arr
    return out


def vocab_of(name):
    d = os.path.join(MODELS, name)
    if os.path.exists(os.path.join(d, 'vocab.json')):
        v = json.load(open(os.path.join(d, 'vocab.json')))
        return Vocab('w2v', [t for t, _ in sorted(v.items(), key=lambda kv: kv[1])])
    cfg = json.load(open(os.path.join(d, 'model_config.json'), encoding='utf-8'))
    if cfg['tokenizer'] == 'bpe':
        sp = os.path.join(WORK, 'vocab', 'en_bpe.model')
        tokens = cfg['vocabulary']
        if os.path.exists(sp):
            v = Vocab('bpe', tokens, sp)
            if v.tokens == [v.sp.id_to_piece(i) for i in range(v.sp.get_piece_size())]:
                return v
        return Vocab('bpe', tokens, None)  # longest-match encoding over the shipped pieces (common.Vocab)
    return Vocab('char', cfg['vocabulary'])


def load_from_onnx(name, model, onnx_path=None):
    """Copy the weights of models/<name>/model.onnx into `model` (same architecture). Returns the model."""
    from export import export_nemo_graph, export_w2v_graph
    onnx_path = onnx_path or os.path.join(MODELS, name, 'model.onnx')
    model.eval()
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():  # distinct values everywhere (fresh LayerNorms are all ones/zeros and would be merged)
        for t in model.state_dict().values():
            t.copy_(torch.randn(t.shape, generator=g))
    with tempfile.TemporaryDirectory() as tmp:
        ref = os.path.join(tmp, 'ref.onnx')
        (export_w2v_graph if hasattr(model, 'convs') else export_nemo_graph)(model, ref)
        ref_init = read_initializers(ref)
    params = dict(model.state_dict())
    mapping = {}
    for iname, arr in ref_init.items():
        for pname, t in params.items():
            p = t.detach().numpy()
            if p.shape == arr.shape and np.array_equal(p, arr):
                mapping[pname] = (iname, False); break
            if p.ndim == 2 and p.T.shape == arr.shape and np.array_equal(p.T, arr):
                mapping[pname] = (iname, True); break
    missing = [p for p in params if p not in mapping and p not in TRAINING_ONLY]
    if missing:
        raise SystemExit(f'{name}: no ONNX initializer found for {missing}')
    shipped = read_initializers(onnx_path)
    new = {}
    for pname, (iname, transposed) in mapping.items():
        if iname not in shipped:
            raise SystemExit(f'{onnx_path}: initializer {iname} (for {pname}) missing')
        a = shipped[iname]
        new[pname] = torch.from_numpy(np.ascontiguousarray(a.T if transposed else a))
    for p in TRAINING_ONLY & set(params):
        new[p] = torch.zeros_like(params[p])
    model.load_state_dict(new)
    # check: exported again, the model gives back the shipped initializers exactly
    with tempfile.TemporaryDirectory() as tmp:
        again = os.path.join(tmp, 'again.onnx')
        (export_w2v_graph if hasattr(model, 'convs') else export_nemo_graph)(model, again)
        back = read_initializers(again)
    bad = [k for k in shipped if k not in back or not np.array_equal(back[k], shipped[k])]
    if bad:
        raise SystemExit(f'{name}: re-exported initializers differ from {onnx_path}: {bad[:5]}')
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('name')
    ap.add_argument('--out', default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    from train import CONFIGS, build_model
    name = args.name
    vocab = vocab_of(name)
    cfg = dict(CONFIGS[name])
    model = build_model(name, vocab, cfg)
    load_from_onnx(name, model)
    out = args.out or os.path.join(WORK, 'ckpt', name, 'onnx_init.pt')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.save({'model': model.state_dict(), 'vocab': vocab.state(), 'cfg': cfg, 'domain': name, 'epoch': 0,
                'step': 0, 'train_seconds': 0, 'history': [], 'argv': ['onnx_weights.py', name]}, out)
    print(f'{name}: {len(model.state_dict())} tensors from models/{name}/model.onnx -> {out}')


if __name__ == '__main__':
    main()
