#!/usr/bin/env bash
# Throughput benchmark: renders COUNT images of scenes/bench-shapes.scene with Tessera on all
# cores, and — when PEER names a copy of the Python baseline (pycairo + numpy + pycocotools,
# same workload: 512×512, ten shaded shapes with drop shadows on a noisy gradient) — the
# same number with it, side by side on this machine, and prints images/s and the ratio.
#
#   make bench                                   # Tessera only
#   make bench PEER=path/to/py_shapes.py BENCH_COUNT=500
#   make bench PEER=path/to/py_shapes.py OBJECTS=100         # shapes per image (default 10)
#
# A benchmark, not a test: it asserts nothing. Output goes to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${COUNT:-500}"
JOBS="${JOBS:-$(nproc)}"
TESSERA="${TESSERA:-.build/release/tessera}"
PEER="${PEER:-}"
OBJECTS="${OBJECTS:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

seconds() { python3 -c 'import sys, time; print(time.perf_counter())'; }

echo "machine: $(nproc) cores, $(uname -m); $COUNT images of 512×512 with $OBJECTS shapes, $JOBS workers each"
start=$(seconds)
"$TESSERA" render scenes/bench-shapes.scene --count "$COUNT" --seed 1 --jobs "$JOBS" --set objects="$OBJECTS" --out "$work/tessera" --quiet
end=$(seconds)
tessera_rate=$(python3 -c "print(f'{$COUNT / ($end - $start):.1f}')")
echo "tessera:  $tessera_rate images/s  ($(du -sh "$work/tessera" | cut -f1) written)"

if [[ -n "$PEER" ]]; then
  start=$(seconds)
  python3 "$PEER" --count "$COUNT" --seed 1 --workers "$JOBS" --objects "$OBJECTS" --out "$work/peer" 2>/dev/null
  end=$(seconds)
  peer_rate=$(python3 -c "print(f'{$COUNT / ($end - $start):.1f}')")
  echo "peer:     $peer_rate images/s  ($(du -sh "$work/peer" | cut -f1) written)"
  python3 -c "print(f'ratio:    {$tessera_rate / $peer_rate:.1f}x')"
fi
