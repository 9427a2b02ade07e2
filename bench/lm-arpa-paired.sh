#!/bin/bash
# ARPA load as a whole command, paired: main's compiled tree, this tree and KenLM `query` (no input), alternating
# round by round; each line is /usr/bin/time's wall, user + system CPU and peak RSS. Medians by hand or with sort.
#   bench/lm-arpa-paired.sh BASE_DIST FILE.arpa [ROUNDS=3] [QUERY=/tmp/kenlm-build/bin/query]
set -euo pipefail
base=$1 arpa=$2 rounds=${3:-3} query=${4:-/tmp/kenlm-build/bin/query}
own=$(cd "$(dirname "$0")/.." && pwd)/dist
echo "$(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
for i in $(seq 1 "$rounds"); do
  /usr/bin/time -f "main  %e s  CPU %U + %S s  peak RSS %M KB" node "$base/cli/main.js" lm info "$arpa" > /dev/null
  /usr/bin/time -f "this  %e s  CPU %U + %S s  peak RSS %M KB" node "$own/cli/main.js" lm info "$arpa" > /dev/null
  /usr/bin/time -f "kenlm %e s  CPU %U + %S s  peak RSS %M KB" "$query" "$arpa" < /dev/null > /dev/null
done 2>&1 | grep -E '^(main|this|kenlm) '
echo "$(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
