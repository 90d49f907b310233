#!/usr/bin/env bash
# Remakes docs/gallery/: for every scene in scenes/, one rendered image with its labels
# overlaid (`tessera preview`: visible masks tinted, boxes, class names, dashed amodal
# outlines), as a small PNG for the README. Seeds are fixed so the gallery only changes when
# a scene or Tessera does.
#
#   bash scripts/make-gallery.sh [TESSERA]        # default .build/release/tessera
set -euo pipefail
cd "$(dirname "$0")/.."
TESSERA="${1:-.build/release/tessera}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p docs/gallery
for scene in scenes/*.scene; do
  name="$(basename "$scene" .scene)"
  [[ "$name" == bench-* ]] && continue
  "$TESSERA" render "$scene" --count 1 --seed 11 --out "$work/$name" --quiet
  "$TESSERA" preview "$work/$name" --count 1 --columns 1 --tile 256 --out "docs/gallery/$name.png"
  echo "docs/gallery/$name.png"
done
