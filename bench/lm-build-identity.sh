#!/bin/bash
# Byte-identity check of `ensemble lm build` between two compiled trees (e.g. before/after a speed change):
#   git worktree add /tmp/old <ref> && (cd /tmp/old && npm ci && npm run build)   # or copy dist/ before the change
#   bench/lm-build-identity.sh /tmp/old/dist dist [CORPUS]
# Builds orders 3-5 of ../shared/golden/kenlm/corpus/{en.train,vi.train,tiny}.txt and of CORPUS (e.g. the
# 1 M-word corpus `npm run bench -- lm` generates) in memory, spilled (tiny --memory), pruned, pruned and
# spilled, and with --limit-vocab-file, with both trees, and compares every ARPA byte for byte.
set -u
OLD=$1; NEW=$2; CORPUS=${3:-}
G=$(dirname "$0")/../../shared/golden/kenlm/corpus
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
tr -s ' \t' '\n' < "$G/en.test.txt" | sort -u | head -3000 > "$W/limit.txt"
build() { # old|new name corpus args...
  local tag=$1 name=$2 corpus=$3 dist=$OLD; shift 3
  [ "$tag" = new ] && dist=$NEW
  node "$dist/cli/main.js" lm build "$corpus" "$@" -o "$W/$tag/$name.arpa" -T "$W" --discount-fallback >/dev/null 2>&1 || echo "FAIL $tag $name"
}
cases() { # name corpus spill-size
  for o in 3 4 5; do
    for d in old new; do
      build "$d" "$1-$o-mem" "$2" --order $o
      build "$d" "$1-$o-disk" "$2" --order $o --memory "$3"
      build "$d" "$1-$o-prune" "$2" --order $o --prune 0 1 2
      build "$d" "$1-$o-prunedisk" "$2" --order $o --prune 0 1 2 --memory "$3"
      build "$d" "$1-$o-limit" "$2" --order $o --limit-vocab-file "$W/limit.txt" --prune 0 0 1 --memory "$3"
    done
  done
}
mkdir -p "$W/old" "$W/new"
OLD=$(cd "$OLD" && pwd); NEW=$(cd "$NEW" && pwd)
for c in en.train vi.train tiny; do cases "g-$c" "$G/$c.txt" 2M; done
[ -n "$CORPUS" ] && cases corpus "$CORPUS" 100M
n=0; bad=0
for f in "$W"/old/*.arpa; do
  n=$((n + 1))
  cmp -s "$f" "$W/new/${f##*/}" || { echo "DIFFERS: ${f##*/}"; bad=$((bad + 1)); }
done
echo "compared $n ARPA files, $bad differ"
[ $bad -eq 0 ]
