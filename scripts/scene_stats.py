#!/usr/bin/env python3
"""Per-category statistics of a Tessera dataset, for judging a scene at a glance.

Usage: scripts/scene_stats.py DATASET [DATASET ...]

Reads DATASET/annotations/instances_default.json (COCO with Tessera's occlusion fields) and prints, per category:
instances per image (mean, min, max — images without that category count as 0), the mean
`visible_fraction`, the share of instances with `visible_fraction` < 0.5 (more than half
hidden), and the median `area` (visible pixels). Standard library only.
"""
import json
import pathlib
import statistics
import sys

HEADER = f"{'category':<12} {'inst/img mean':>13} {'min':>4} {'max':>4} {'vis.frac mean':>13} {'vis<0.5':>8} {'area median':>11}"


def category_rows(doc):
    image_ids = [im["id"] for im in doc["images"]]
    rows = []
    for cat in doc["categories"]:
        anns = [a for a in doc["annotations"] if a["category_id"] == cat["id"]]
        per_image = {i: 0 for i in image_ids}
        for a in anns:
            per_image[a["image_id"]] += 1
        counts = list(per_image.values()) or [0]
        fractions = [a["visible_fraction"] for a in anns]
        rows.append({
            "category": cat["name"],
            "mean": statistics.fmean(counts),
            "min": min(counts),
            "max": max(counts),
            "visible": statistics.fmean(fractions) if fractions else float("nan"),
            "hidden": sum(f < 0.5 for f in fractions) / len(fractions) if fractions else float("nan"),
            "area": statistics.median(a["area"] for a in anns) if anns else float("nan"),
        })
    return rows


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    for path in argv[1:]:
        doc = json.loads((pathlib.Path(path) / "annotations" / "instances_default.json").read_text())
        print(f"{path}: {len(doc['images'])} images, {len(doc['annotations'])} annotations")
        print(HEADER)
        for r in category_rows(doc):
            print(f"{r['category']:<12} {r['mean']:>13.1f} {r['min']:>4} {r['max']:>4} {r['visible']:>13.2f} {r['hidden']:>8.1%} {r['area']:>11.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
