#!/usr/bin/env bash
# PNG compressors on the benchmark's three PNGs: renders one image of
# scenes/bench-shapes.scene, turns its picture, instance mask and semantic mask back into the
# SUB-filtered rows Tessera's writer deflates, and times zlib (Tessera's settings) and
# Tessera's literal-only encoder against libdeflate's levels on each
# (scripts/png_compressors.c). Needs libdeflate-dev and Pillow.
#   make bench-png            # or: bash scripts/bench_png.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
TESSERA="${TESSERA:-.build/release/tessera}"
RUNS="${1:-20}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$TESSERA" render scenes/bench-shapes.scene --count 1 --seed 1 --quiet --out "$work/dataset"
cc -O2 -ISources/PNGCodec/include scripts/png_compressors.c Sources/PNGCodec/huffman_deflate.c \
  -o "$work/png_compressors" -lz -ldeflate
python3 - "$work" <<'PY'
import sys, numpy as np
from PIL import Image
work = sys.argv[1]
for name, path in [("picture", "images/000000.png"), ("instance", "masks/instance_ids/000000.png"), ("semantic", "masks/semantic/000000.png")]:
    image = Image.open(f"{work}/dataset/{path}")
    pixels = np.array(image)
    if pixels.dtype == np.uint16 or image.mode.startswith("I"):
        rows, step = pixels.astype(">u2").view(np.uint8).reshape(pixels.shape[0], -1), 2
    elif pixels.ndim == 3:
        rows, step = pixels.reshape(pixels.shape[0], -1).astype(np.uint8), pixels.shape[2]
    else:
        rows, step = pixels.astype(np.uint8), 1
    filtered = np.empty((rows.shape[0], rows.shape[1] + 1), np.uint8)
    filtered[:, 0] = 1
    filtered[:, 1:1 + step] = rows[:, :step]
    filtered[:, 1 + step:] = rows[:, step:] - rows[:, :-step]
    filtered.tofile(f"{work}/{name}.rows")
PY
for name in picture instance semantic; do "$work/png_compressors" "$work/$name.rows" "$RUNS"; done
