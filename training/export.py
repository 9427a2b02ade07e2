#!/usr/bin/env python3
"""Export trained checkpoints to the layouts the TypeScript loaders expect.

models/en, models/vi : NeMo layout   model.onnx (audio_signal [B,80,T] f32, length [B] i64 -> logprobs [B,T',V]),
                        tokens.txt (sherpa style, <blk> last), model_config.json, metadata_props like sherpa-onnx.
models/digits        : HF wav2vec2 (optimum) layout  model.onnx (input_values [B,N] -> logits [B,T',V] raw),
                        vocab.json, config.json, preprocessor_config.json, tokenizer_config.json,
                        special_tokens_map.json.
Also writes training/work/onnx_check/<name>.{in,out}.bin + .json for the Node/onnxruntime parity check.
usage: export.py [en vi digits] [--ckpt best|last]
"""
import argparse, json, os, shutil, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, ROOT
from train import load_checkpoint, feature_cache, wave_cache, normalize_wave
from models import W2V_KERNELS, W2V_STRIDES

MODELS = os.path.normpath(os.path.join(ROOT, '..', 'models'))


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _lenfield(field, payload):
    return _varint((field << 3) | 2) + _varint(len(payload)) + payload


def add_metadata(path, meta):
    """Append ModelProto.metadata_props (field 14, StringStringEntryProto{key=1,value=2}) entries.
    Protobuf merges repeated fields of concatenated messages, so appending is a valid edit (no onnx package here)."""
    extra = b''.join(_lenfield(14, _lenfield(1, str(k).encode()) + _lenfield(2, str(v).encode()))
                     for k, v in meta.items())
    with open(path, 'ab') as f:
        f.write(extra)


def export_nemo_graph(model, path):
    model.eval()
    x = torch.randn(2, 80, 203)
    L = torch.tensor([203, 150])
    torch.onnx.export(model, (x, L), path, input_names=['audio_signal', 'length'], output_names=['logprobs'],
                      dynamic_axes={'audio_signal': {0: 'B', 2: 'T'}, 'length': {0: 'B'}, 'logprobs': {0: 'B', 1: 'T_out'}},
                      opset_version=17, do_constant_folding=True)


def export_nemo(name, model, vocab, ck, out_dir):
    path = os.path.join(out_dir, 'model.onnx')
    export_nemo_graph(model, path)
    V = vocab.num_classes
    add_metadata(path, {'model_type': 'EncDecCTCModelBPE' if vocab.kind == 'bpe' else 'EncDecCTCModel',
                        'vocab_size': V, 'subsampling_factor': 4, 'normalize_type': 'per_feature', 'is_giga_am': 0,
                        'version': '1', 'model_author': 'ctc-ensemble', 'comment': f'ctc-ensemble demo model "{name}"',
                        'url': 'training/run.sh'})
    with open(os.path.join(out_dir, 'tokens.txt'), 'w', encoding='utf-8') as f:
        for i, t in enumerate(vocab.tokens):
            f.write(f"{t.replace(' ', chr(0x2581)) if vocab.kind == 'char' else t} {i}\n")
        f.write(f'<blk> {len(vocab.tokens)}\n')
    cfg = {'layout': 'nemo', 'vocabulary': vocab.tokens,
           'preprocessor': {'sample_rate': 16000, 'features': 80, 'window_size': 0.025, 'window_stride': 0.01,
                            'n_fft': 512, 'preemph': 0.97, 'normalize': 'per_feature', 'nemo_version': '2.3'},
           'subsampling_factor': 4, 'tokenizer': vocab.kind}
    with open(os.path.join(out_dir, 'model_config.json'), 'w', encoding='utf-8') as f:
        json.dump(cfg, f, ensure_ascii=False, indent=1)
        f.write('\n')
    # parity sample: first test utterance, B = 1
    te = feature_cache(name, 'test')
    feats = te['feats'][0].float()[None]
    Lx = torch.tensor([feats.shape[-1]])
    with torch.no_grad():
        out = model(feats, Lx)
    return {'inputs': {'audio_signal': (feats.numpy(), 'float32'), 'length': (Lx.numpy(), 'int64')},
            'output': ('logprobs', out.numpy())}


class _W2VWrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_values):
        return self.m(input_values)[0]


def export_w2v_graph(model, path):
    model.eval()
    torch.onnx.export(_W2VWrap(model).eval(), (torch.randn(1, 24000),), path, input_names=['input_values'], output_names=['logits'],
                      dynamic_axes={'input_values': {0: 'batch_size', 1: 'sequence_length'},
                                    'logits': {0: 'batch_size', 1: 'sequence_length'}},
                      opset_version=17, do_constant_folding=True)


def export_w2v(name, model, vocab, ck, out_dir):
    path = os.path.join(out_dir, 'model.onnx')
    export_w2v_graph(model, path)
    add_metadata(path, {'model_type': 'wav2vec2', 'comment': f'ctc-ensemble demo model "{name}"'})
    with open(os.path.join(out_dir, 'vocab.json'), 'w') as f:
        json.dump({t: i for i, t in enumerate(vocab.tokens)}, f, indent=1)
    with open(os.path.join(out_dir, 'preprocessor_config.json'), 'w') as f:
        json.dump({'do_normalize': True, 'feature_extractor_type': 'Wav2Vec2FeatureExtractor', 'feature_size': 1,
                   'padding_side': 'right', 'padding_value': 0.0, 'return_attention_mask': False,
                   'sampling_rate': 16000}, f, indent=1)
    with open(os.path.join(out_dir, 'tokenizer_config.json'), 'w') as f:
        json.dump({'bos_token': '<s>', 'eos_token': '</s>', 'pad_token': '<pad>', 'unk_token': '<unk>',
                   'word_delimiter_token': '|', 'do_lower_case': True, 'tokenizer_class': 'Wav2Vec2CTCTokenizer'},
                  f, indent=1)
    with open(os.path.join(out_dir, 'special_tokens_map.json'), 'w') as f:
        json.dump({'bos_token': '<s>', 'eos_token': '</s>', 'pad_token': '<pad>', 'unk_token': '<unk>'}, f, indent=1)
    cfg = ck['cfg']
    with open(os.path.join(out_dir, 'config.json'), 'w') as f:
        json.dump({'model_type': 'wav2vec2', 'architectures': ['Wav2Vec2ForCTC'], 'pad_token_id': vocab.blank,
                   'bos_token_id': 1, 'eos_token_id': 2, 'vocab_size': vocab.num_classes,
                   'conv_dim': [m.out_channels for m in model.convs], 'conv_kernel': W2V_KERNELS,
                   'conv_stride': W2V_STRIDES, 'conv_bias': False, 'feat_extract_norm': 'layer',
                   'feat_extract_activation': 'gelu', 'hidden_size': cfg['d'], 'num_hidden_layers': cfg['layers'],
                   'num_attention_heads': cfg['heads'], 'intermediate_size': cfg['d'] * cfg['ff_mult'],
                   'num_conv_pos_embeddings': model.pos.kernel_size[0], 'num_conv_pos_embedding_groups': cfg['d'],
                   'do_stable_layer_norm': True, 'ctc_loss_reduction': 'mean', 'ctc_zero_infinity': True,
                   'sampling_rate': 16000,
                   '_comment': 'ctc-ensemble demo model: a small wav2vec2-style CTC trained from scratch; the ONNX '
                               'graph follows the optimum export (input_values -> raw logits). Not loadable by '
                               'transformers as weights (no pytorch_model.bin); config documents the layout.'},
                  f, indent=1)
    model.eval()  # (export restores the wrapper's train/eval mode recursively)
    te = wave_cache('test')
    w = normalize_wave(te['waves'][0].float())[None]
    with torch.no_grad():
        out = model(w)[0]
    return {'inputs': {'input_values': (w.numpy(), 'float32')}, 'output': ('logits', out.numpy())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('names', nargs='*', default=['en', 'vi', 'digits'])
    ap.add_argument('--ckpt', default='best')
    args = ap.parse_args()
    torch.set_num_threads(1)
    chk = os.path.join(WORK, 'onnx_check')
    os.makedirs(chk, exist_ok=True)
    for name in args.names:
        model, vocab, ck = load_checkpoint(os.path.join(WORK, 'ckpt', name, f'{args.ckpt}.pt') if args.ckpt in ('best', 'last') else args.ckpt)
        out_dir = os.environ.get('EXPORT_DIR', os.path.join(MODELS, name))
        os.makedirs(out_dir, exist_ok=True)
        sample = (export_w2v if vocab.kind == 'w2v' else export_nemo)(name, model, vocab, ck, out_dir)
        meta = {'model': os.path.join(out_dir, 'model.onnx'), 'inputs': {}, 'output': {}}
        for k, (arr, dt) in sample['inputs'].items():
            arr.astype(dt).tofile(os.path.join(chk, f'{name}.{k}.bin'))
            meta['inputs'][k] = {'dtype': dt, 'shape': list(arr.shape), 'file': os.path.join(chk, f'{name}.{k}.bin')}
        oname, arr = sample['output']
        arr.astype('float32').tofile(os.path.join(chk, f'{name}.out.bin'))
        meta['output'] = {'name': oname, 'shape': list(arr.shape), 'file': os.path.join(chk, f'{name}.out.bin')}
        with open(os.path.join(chk, f'{name}.json'), 'w') as f:
            json.dump(meta, f, indent=1)
        size = os.path.getsize(os.path.join(out_dir, 'model.onnx'))
        print(f'{name}: exported {out_dir} model.onnx {size / 1e6:.2f} MB (checkpoint epoch {ck["epoch"]})')


if __name__ == '__main__':
    main()
