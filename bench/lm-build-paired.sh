#!/bin/bash
# Paired `lm build` timing, order 5, in memory: alternating the old tree's CLI, the new tree's CLI (default threads),
# the new tree in process with the second thread forced on ("two") and off ("one"), and lmplz -S 1G; then cmp of the ARPA files.
#   bench/lm-build-paired.sh OLD_DIST NEW_DIST LMPLZ CORPUS [ROUNDS=3]
# Lines: NAME wall s, user + sys (or CPU of all threads, and of the main thread), peak RSS; "load" lines: /proc/loadavg.
set -u
OLD=$1; NEW=$2; LMPLZ=$3; C=$4; R=${5:-3}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
B=$(dirname "$0")
for i in $(seq "$R"); do
  echo "load $(cut -d' ' -f1-4 /proc/loadavg)"
  /usr/bin/time -f "old    %e s wall %U u %S s %M KB" node "$OLD/cli/main.js" lm build "$C" --order 5 -o "$W/old.arpa" --discount-fallback 2>&1 >/dev/null | tail -1
  /usr/bin/time -f "new    %e s wall %U u %S s %M KB" node "$NEW/cli/main.js" lm build "$C" --order 5 -o "$W/new.arpa" --discount-fallback 2>&1 >/dev/null | tail -1
  node "$B/lm-build-mode.mjs" "$NEW" "$C" two | sed 's/ (.*//'
  node "$B/lm-build-mode.mjs" "$NEW" "$C" one | sed 's/ (.*//'
  /usr/bin/time -f "lmplz  %e s wall %U u %S s %M KB" "$LMPLZ" -o 5 -S 1G --discount_fallback -T "$W" < "$C" > "$W/lmplz.arpa" 2>"$W/lmplz.err"; tail -1 "$W/lmplz.err"
  T=${TMPDIR:-/tmp}
  cmp "$W/old.arpa" "$W/new.arpa" && cmp "$W/old.arpa" "$T/lm-build-mode-two.arpa" && cmp "$W/old.arpa" "$T/lm-build-mode-one.arpa" && echo "identical (old, new, two, one)"
done
echo "load $(cut -d' ' -f1-4 /proc/loadavg)"
