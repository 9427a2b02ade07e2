#!/usr/bin/env bash
# Our CTC beam search vs pyctcdecode (+ KenLM) on BPE posteriors, same 4-gram ARPA, alpha 0.5, beta 1.5,
# beams 16/64/100. Reference tooling only: nothing here is a runtime dependency, and `npm test` never runs it.
#
# Set up once (Debian; sources fetched by you, not by this script, and never committed here):
#   apt-get install espeak-ng python3-numpy python3-pygtrie python3-dev build-essential zlib1g-dev
#   git clone https://github.com/kensho-technologies/pyctcdecode  $PYCTCDECODE_SRC
#   git clone https://github.com/kpu/kenlm                         $KENLM_SRC
#   (cd $KENLM_SRC && MAX_ORDER=6 /usr/bin/python3 setup.py build_ext --inplace)   # builds kenlm*.so in place
# Needs ../shared/golden/kenlm/corpus (LM text and held-out sentences) and a built checkout (npm ci).
#
# Run from the repository root:
#   PYCTCDECODE_SRC=/path/pyctcdecode KENLM_SRC=/path/kenlm bench/pyctcdecode-compare/run.sh [DATA_DIR]
# DATA_DIR (default /tmp/pyctcdecode-compare) receives the LM, the posteriors and pyctcdecode's hypotheses; the
# table goes to stdout. NOISY_UTTS (default 40) limits the noisy synthetic set for pyctcdecode, which decodes it
# at a few dozen frames/s at beam 100; the table compares both decoders on the same utterances.
# Smaller runs: N_SENTENCES (default 100) and BEAMS (default 16,64,100), e.g. N_SENTENCES=10 BEAMS=16 (about 40 s).
set -euo pipefail
: "${PYCTCDECODE_SRC:?set PYCTCDECODE_SRC to a pyctcdecode checkout}"
: "${KENLM_SRC:?set KENLM_SRC to a kpu/kenlm checkout with the Python module built in place}"
DATA_DIR=${1:-/tmp/pyctcdecode-compare}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DATA_DIR"

nice -n 5 npx vite-node "$HERE/make-data.ts" "$DATA_DIR"
for set in en-model bpe-peaky bpe-noisy; do
  max=0
  [ "$set" = bpe-noisy ] && max=${NOISY_UTTS:-40}
  MAX_UTTS=$max PYTHONPATH="$PYCTCDECODE_SRC:$KENLM_SRC" nice -n 5 /usr/bin/python3 "$HERE/pyctcdecode_decode.py" \
    "$DATA_DIR/$set.json" "$DATA_DIR/lm.4.arpa" "$DATA_DIR/$set.pyctcdecode.json" 2> >(grep -v -e '^\*' -e '^---' -e '^Reading' -e '^Loading' >&2)
done
nice -n 5 npx vite-node "$HERE/compare.ts" "$DATA_DIR"
