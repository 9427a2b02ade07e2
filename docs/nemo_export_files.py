#!/usr/bin/env python3
"""Export a NeMo CTC model (.nemo or a pretrained name) to a folder ctc-ensemble loads: model.onnx, tokens.txt and
model_config.json. Run it in your NeMo environment (ctc-ensemble itself never needs Python):

  python nemo_export_files.py stt_en_conformer_ctc_small.nemo  out/en
  python nemo_export_files.py --pretrained stt_en_fastconformer_hybrid_large_pc  out/en   # hybrid: the CTC branch

model.onnx is NeMo's own `model.export()` (encoder + decoder; the mel preprocessor is computed by ctc-ensemble).
model_config.json records the preprocessor settings, the vocabulary, the tokenizer type, the subsampling factor
and the NeMo version (which selects the STFT framing: <= 2.4.x reflect, >= 2.5 zero-pad). See docs/exporting.md.
"""
import argparse
import json
import os

import nemo
from nemo.collections.asr.models import ASRModel
from omegaconf import OmegaConf

# The AudioToMelSpectrogramPreprocessor keys ctc-ensemble reads (others are NeMo training settings).
PREPROCESSOR_KEYS = [
    "sample_rate", "window_size", "window_stride", "n_window_size", "n_window_stride", "window", "normalize",
    "n_fft", "preemph", "features", "lowfreq", "highfreq", "log", "log_zero_guard_type", "log_zero_guard_value",
    "dither", "pad_to", "pad_value", "frame_splicing", "exact_pad", "mag_power", "mel_norm",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help=".nemo file, or a pretrained name with --pretrained")
    ap.add_argument("out_dir")
    ap.add_argument("--pretrained", action="store_true", help="MODEL is a NeMo pretrained name (from_pretrained)")
    args = ap.parse_args()

    model = ASRModel.from_pretrained(args.model, map_location="cpu") if args.pretrained else ASRModel.restore_from(args.model, map_location="cpu")
    model.eval()
    cfg = OmegaConf.to_container(model.cfg, resolve=True)
    hybrid = "aux_ctc" in cfg
    if hybrid:
        model.set_export_config({"decoder_type": "ctc"})  # export the CTC branch of an RNNT/TDT-CTC hybrid
    elif "joint" in cfg and "decoder" in cfg and "vocabulary" not in cfg["decoder"]:
        raise SystemExit("this is a transducer model without a CTC branch; ctc-ensemble runs CTC models only")
    decoder_cfg = cfg["aux_ctc"]["decoder"] if hybrid else cfg["decoder"]
    vocabulary = list(decoder_cfg["vocabulary"])

    os.makedirs(args.out_dir, exist_ok=True)
    model.export(os.path.join(args.out_dir, "model.onnx"))

    pre = {k: v for k, v in cfg["preprocessor"].items() if k in PREPROCESSOR_KEYS}
    pre["nemo_version"] = nemo.__version__
    tokenizer = cfg.get("tokenizer", {}).get("type") if isinstance(cfg.get("tokenizer"), dict) else None
    out_cfg = {
        "layout": "nemo",
        "vocabulary": vocabulary,
        "preprocessor": pre,
        "subsampling_factor": int(cfg["encoder"].get("subsampling_factor", 1)),
        "tokenizer": tokenizer if tokenizer in ("bpe", "wpe") else "char",
    }
    with open(os.path.join(args.out_dir, "model_config.json"), "w", encoding="utf-8") as f:
        json.dump(out_cfg, f, ensure_ascii=False, indent=1)
        f.write("\n")
    # sherpa-onnx's tokens.txt: "<symbol> <id>", blank last.
    with open(os.path.join(args.out_dir, "tokens.txt"), "w", encoding="utf-8") as f:
        for i, tok in enumerate(vocabulary):
            f.write(f"{tok} {i}\n")
        f.write(f"<blk> {len(vocabulary)}\n")
    print(f"wrote {args.out_dir}: model.onnx, model_config.json, tokens.txt ({len(vocabulary)} tokens + blank, NeMo {nemo.__version__})")


if __name__ == "__main__":
    main()
