"""`tessera stats --json` equals the figures recomputed here from the instances file alone.

Renders scenes/occlusion_pairs.scene (30 images) and scenes/crowd.scene (3 images) with
$TESSERA_BIN (else .build/debug/tessera), reads the instances file with `json`, takes each
instance's visible area and box from its mask with pycocotools (`area`, `toBbox`, checked
equal to the annotation's), and recomputes every per-class figure docs/FORMATS.md lists
for the stats JSON: instances, images, instances per image, the COCO size split and the
log2 area and box-side histograms, the visible- and in-frame-fraction histograms, the 8 × 8
heatmap of box centres, who hides whom (occluder instance id → its class in the image), and
the requirement counts of the manifest.
"""
import json
import math
import os
import pathlib
import subprocess
from collections import Counter, defaultdict

import pytest
from pycocotools import mask as mask_utils

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))


def run(*args):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def log2_bin(value):
    return 0 if value < 2 else value.bit_length() - 1


def fraction_bin(f):
    return max(0, min(9, math.floor(f * 10)))


def cell(u):
    return max(0, min(7, math.floor(u * 8)))


def log_bins(counter):
    top = max(counter) if counter else -1
    return [{"from": 1 << k, "to": 1 << (k + 1), "count": counter.get(k, 0)} for k in range(top + 1)]


def expected_classes(document):
    images = {image["id"]: image for image in document["images"]}
    by_image = defaultdict(list)
    for annotation in document["annotations"]:
        by_image[annotation["image_id"]].append(annotation)
    classes = []
    for category in document["categories"]:
        cid = category["id"]
        mine = [a for a in document["annotations"] if a["category_id"] == cid]
        per_image = Counter(sum(1 for a in by_image[i] if a["category_id"] == cid) for i in images)
        areas, sides, visible, in_frame = Counter(), Counter(), [0] * 10, [0] * 10
        heatmap = [[0] * 8 for _ in range(8)]
        hidden_by, unannotated, split = Counter(), 0, Counter()
        for a in mine:
            image = images[a["image_id"]]
            rle = a["segmentation"]
            assert int(mask_utils.area(rle)) == a["area"]
            x, y, w, h = (float(v) for v in mask_utils.toBbox(rle))
            assert [x, y, w, h] == a["bbox"]
            areas[log2_bin(a["area"])] += 1
            sides[log2_bin(int(max(w, h)))] += 1
            split["small" if a["area"] < 32 ** 2 else "medium" if a["area"] < 96 ** 2 else "large"] += 1
            visible[fraction_bin(a["visible_fraction"])] += 1
            in_frame[fraction_bin(a["in_frame_fraction"])] += 1
            heatmap[cell((y + h / 2) / image["height"])][cell((x + w / 2) / image["width"])] += 1
            classes_in_image = {b["mask_id"]: b["category_id"] for b in by_image[a["image_id"]]}
            for occluder in a["occluders"]:
                if occluder["mask_id"] in classes_in_image:
                    hidden_by[classes_in_image[occluder["mask_id"]]] += occluder["pixels"]
                else:
                    unannotated += occluder["pixels"]
        names = {c["id"]: c["name"] for c in document["categories"]}
        classes.append({
            "id": cid, "name": category["name"], "supercategory": category["supercategory"],
            "instances": len(mine), "images": len(images) - per_image.get(0, 0),
            "instances_per_image": [per_image.get(k, 0) for k in range(max(per_image) + 1)],
            "area": {"small": split["small"], "medium": split["medium"], "large": split["large"],
                     "histogram": log_bins(areas)},
            "bbox_side": log_bins(sides),
            "visible_fraction": visible, "in_frame_fraction": in_frame, "heatmap": heatmap,
            "more_than_half_hidden": sum(1 for a in mine if a["visible_fraction"] < 0.5),
            "hidden_by": [{"category_id": k, "name": names[k], "pixels": hidden_by[k]} for k in sorted(hidden_by)],
            "hidden_by_unannotated": unannotated,
        })
    return classes


@pytest.mark.parametrize("scene,count", [("scenes/occlusion_pairs.scene", 30), ("scenes/crowd.scene", 3)])
def test_stats_equal_an_independent_count(tmp_path, scene, count):
    out = tmp_path / "dataset"
    result = run("render", scene, "--count", str(count), "--seed", "5", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    result = run("stats", str(out), "--json", str(tmp_path / "stats.json"))
    assert result.returncode == 0, result.stderr
    stats = json.loads((tmp_path / "stats.json").read_text())
    document = json.loads((out / "annotations" / "instances_default.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())

    assert stats["images"] == len(document["images"]) == count
    assert stats["annotations"] == len(document["annotations"])
    assert stats["classes"] == expected_classes(document)
    assert stats["more_than_half_hidden"] == sum(1 for a in document["annotations"] if a["visible_fraction"] < 0.5)
    requirements = manifest["acceptance"]["requirements"]
    assert [(r["text"], r["checked"], r["held"]) for r in stats["acceptance"]["requirements"]] == \
        [(r["text"], r["checked"], r["held"]) for r in requirements]
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert stats["records"]["images"] == len(records)
    assert stats["records"]["attempts"]["max"] == max(r["attempts"] for r in records)
    assert "hidden pixels" in result.stdout or all(not c["hidden_by"] for c in stats["classes"])


def test_stats_on_bad_input_names_the_file(tmp_path):
    assert run("stats", str(tmp_path / "missing")).returncode == 66
    result = run("stats", str(tmp_path))
    assert result.returncode == 65 and "manifest.json" in result.stderr
