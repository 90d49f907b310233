#!/usr/bin/env python3
"""Writes rle_vectors.json, the RLE known-answer vectors for AnnotationTests.

Run from this folder:  python3 make_rle_vectors.py
Needs numpy and pycocotools (only to make the fixture; the Swift tests never run Python).

Each case is a label raster, row-major (pixel (x, y) at index y*width + x, 0 = background),
as Tessera's instance masks are. For every listed id, pycocotools encodes the mask
`raster == id` (column-major, as maskApi.c does) and records:
  counts  the compressed counts string (maskApi.c rleToString),
  runs    the uncompressed run lengths (zeros first, alternating),
  area    mask.area,
  bbox    mask.toBbox as integers [x, y, w, h] ([0, 0, 0, 0] for an empty mask).
The output is deterministic: fixed numpy seeds, sorted ids, compact separators.
"""
import json

import numpy as np
from pycocotools import mask as mask_util


def runs_of(mask):
    """Run lengths of a 0/1 mask in column-major order, starting with a run of 0s."""
    flat = mask.flatten(order="F")
    runs, current, length = [], 0, 0
    for v in flat:
        if v != current:
            runs.append(length)
            current, length = v, 0
        length += 1
    runs.append(length)
    return runs


def case(name, raster, extra_ids=()):
    raster = np.asarray(raster, dtype=np.uint16)
    height, width = raster.shape
    ids = sorted(set(int(v) for v in np.unique(raster) if v != 0) | set(extra_ids))
    instances = []
    for i in ids:
        mask = np.asfortranarray((raster == i).astype(np.uint8))
        rle = mask_util.encode(mask)
        instances.append({
            "id": i,
            "counts": rle["counts"].decode("ascii"),
            "runs": runs_of(mask),
            "area": int(mask_util.area(rle)),
            "bbox": [int(v) for v in mask_util.toBbox(rle)],
        })
        assert list(rle["size"]) == [height, width]
    return {"name": name, "width": int(width), "height": int(height),
            "pixels": [int(v) for v in raster.flatten(order="C")], "instances": instances}


def blobs(rng, height, width, count):
    """Random discs and boxes painted back to front with ids 1...count."""
    raster = np.zeros((height, width), dtype=np.uint16)
    ys, xs = np.mgrid[0:height, 0:width]
    for i in range(1, count + 1):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(2, min(width, height) / 3)
        if rng.random() < 0.5:
            raster[(xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2 < r * r] = i
        else:
            raster[(abs(xs + 0.5 - cx) < r) & (abs(ys + 0.5 - cy) < r / 2)] = i
    return raster


def main():
    cases = []

    cases.append(case("empty", np.zeros((6, 8)), extra_ids=[1]))
    cases.append(case("full", np.ones((5, 7))))
    cases.append(case("single pixel", [[1]]))

    corners = np.zeros((8, 10))
    corners[0, 0], corners[0, 9], corners[7, 0], corners[7, 9] = 1, 2, 3, 4
    cases.append(case("corner pixels", corners))

    square = np.zeros((24, 32))
    square[10:15, 10:15] = 1
    cases.append(case("5x5 square at 10...14 in 32x24", square))

    ys, xs = np.mgrid[0:20, 0:20]
    d2 = (xs + 0.5 - 10) ** 2 + (ys + 0.5 - 10) ** 2
    cases.append(case("ring with hole", ((d2 < 64) & (d2 >= 16)).astype(np.uint16)))

    parts = np.zeros((12, 16))
    parts[1:4, 1:5] = 1
    parts[7:11, 10:15] = 1
    cases.append(case("two disjoint parts", parts))

    rng = np.random.default_rng(20240607)
    cases.append(case("random blobs 40x30", blobs(rng, 30, 40, 6)))

    wide = blobs(rng, 48, 64, 9)
    wide[0:3, 60:64] = 12  # an id in the top-right corner
    cases.append(case("non-square 64x48", wide, extra_ids=[10, 11]))

    edges = np.zeros((9, 12))
    edges[0, :] = 1
    edges[:, 0] = 1
    edges[8, 5] = 1
    edges[4, 11] = 1
    cases.append(case("mask touching all edges", edges))

    frame = np.ones((9, 12))
    frame[1:8, 1:11] = 2
    cases.append(case("frame around an inner id", frame))

    large = np.zeros((200, 300))
    large[40:190, 30:250] = 1  # runs of 40, 150, 50 and leading zeros > 1024
    large[0:200, 260:290] = 2  # 6000 ones in one run
    large[5, 5] = 3
    cases.append(case("large runs", large))

    noisy = rng.integers(0, 7, size=(17, 23))  # short runs, negative deltas
    cases.append(case("multiple ids noisy", noisy))

    cases.append(case("one row", [[0, 1, 1, 0, 2, 2, 2, 1, 0]]))
    cases.append(case("one column", [[1], [1], [0], [2], [1]]))

    with open("rle_vectors.json", "w") as f:
        json.dump({"generator": "make_rle_vectors.py", "cases": cases}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
