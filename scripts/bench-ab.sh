#!/usr/bin/env bash
# Compares two builds of a benchmark by alternating runs: A, B, A, B, … Single runs of the
# ledger's append benchmarks move by ±20% on a shared machine, and a slow minute hurts whichever
# build runs in it, so a comparison is only worth the medians of many rounds taken in turns.
#
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY FILTER [ROUNDS] [COUNTER]
#
# FILTER is a Google Benchmark filter; ROUNDS defaults to 15; COUNTER is the user counter to
# compare (default appends/s). Prints each round, then per benchmark the median, range and the
# ratio of the medians (new / old). For instance, the build before a change against the one
# after it:
#   git stash; scripts/build.sh bench ledger_bench; cp build/bench/ledger_bench /tmp/old
#   git stash pop; scripts/build.sh bench ledger_bench
#   scripts/bench-ab.sh /tmp/old build/bench/ledger_bench 'BM_DurableAppends/64/'
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
old=$1 new=$2 filter=$3 rounds=${4:-15} counter=${5:-appends/s}
for bin in "$old" "$new"; do
  [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 1; i <= rounds; i++)); do
  for side in old new; do
    bin=$old
    [ "$side" = new ] && bin=$new
    "$bin" --benchmark_filter="$filter" --benchmark_format=json 2>/dev/null |
      python3 -c '
import json, sys
side, counter = sys.argv[1], sys.argv[2]
for b in json.load(sys.stdin)["benchmarks"]:
    if counter in b:
        print(side, b["name"], b[counter])
' "$side" "$counter" | tee -a "$out"
  done
done
python3 - "$out" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    side, name, value = line.split()
    runs[(name, side)].append(float(value))
for name in sorted({n for n, _ in runs}):
    old, new = runs.get((name, "old"), []), runs.get((name, "new"), [])
    if not old or not new:
        continue
    mo, mn = statistics.median(old), statistics.median(new)
    print(f"{name}: old median {mo:,.0f} ({min(old):,.0f}-{max(old):,.0f}), "
          f"new median {mn:,.0f} ({min(new):,.0f}-{max(new):,.0f}), ratio {mn / mo:.2f}, "
          f"{len(new)} rounds")
EOF
