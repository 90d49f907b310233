"""Interop test: `tessera export --format coco-panoptic` read back with Pillow, pycocotools and
panopticapi's own evaluator (PyPI `panopticapi-lite`, which packages cocodataset/panopticapi's
`evaluation.py` and `utils.py`).

Renders scenes/shapes.scene, street.scene (stuff classes: sky, building, road, sidewalk) and
crowd.scene (hundreds of instances per image, some filtered by --min-visible-pixels, so
void instance pixels exist), exports them, then:
  * decodes every panoptic PNG with Pillow (id = R + 256 G + 256² B, panopticapi's rgb2id) and
    checks each segment's area and bbox against its pixels, and that the PNG's ids are exactly
    the JSON's;
  * compares each thing segment with the instance PNG (mask_id pixels) and with pycocotools'
    decoding of the instance annotation's RLE, each stuff segment with the semantic PNG, and
    void with the background, unlabeled and ignore pixels;
  * runs panopticapi's pq_compute_single_core on the export against itself (PQ = SQ = RQ = 1)
    and against a copy with one thing segment per image removed (the expected false
    negatives and per-class PQ, computed here from the JSON).
The binary is $TESSERA_BIN, else .build/debug/tessera.
"""
import json
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

from conftest import BINARY, ROOT, run_tessera as tessera  # noqa: E402  (the shared binary lookup)
# scene: (count, extra render flags)
SCENES = {
    "shapes": (6, []),
    "street": (4, []),
    "crowd": (3, ["--min-visible-pixels", "30"]),
}
STUFF_OFFSET = 65536



@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("panoptic")
    out = {}
    for scene, (count, flags) in SCENES.items():
        dataset = base / scene
        r = tessera("render", f"scenes/{scene}.scene", "--count", str(count), "--seed", "5", *flags,
                    "--out", str(dataset), "--quiet")
        assert r.returncode == 0, r.stderr
        export = base / f"{scene}-panoptic"
        r = tessera("export", str(dataset), "--format", "coco-panoptic", "--out", str(export), "--quiet")
        assert r.returncode == 0, r.stderr
        out[scene] = (dataset, export)
    return out


def load(path):
    with open(path) as f:
        return json.load(f)


def rgb2id(rgb):
    rgb = rgb.astype(np.uint32)
    return rgb[..., 0] + 256 * rgb[..., 1] + 256 * 256 * rgb[..., 2]


def panoptic_ids(export, split, file_name):
    image = Image.open(export / f"panoptic_{split}" / file_name)
    assert image.mode == "RGB"
    return rgb2id(np.array(image))


def png(path):
    return np.array(Image.open(path)).astype(np.int64)


def test_json_lists_every_image_once_and_every_class(exports):
    for scene, (dataset, export) in exports.items():
        instances = load(dataset / "annotations" / "instances_default.json")
        classes = load(dataset / "classes.json")
        doc = load(export / "annotations" / "panoptic_default.json")
        assert list(doc) == ["info", "licenses", "images", "annotations", "categories"]
        assert doc["images"] == [{k: im[k] for k in ("id", "file_name", "width", "height")} for im in instances["images"]]
        assert [a["image_id"] for a in doc["annotations"]] == [im["id"] for im in instances["images"]]
        for ann, im in zip(doc["annotations"], doc["images"]):
            assert ann["file_name"] == pathlib.Path(im["file_name"]).stem + ".png"
            assert (export / "images" / im["file_name"]).read_bytes() == (dataset / "images" / im["file_name"]).read_bytes()
        assert doc["categories"] == classes["categories"]
        assert sorted(os.listdir(export / "panoptic_default")) == sorted(a["file_name"] for a in doc["annotations"])
        assert not [p for p in os.listdir(export / "annotations") if p.startswith(".")]
    stuff = [c for c in load(exports["street"][1] / "annotations" / "panoptic_default.json")["categories"] if c["isthing"] == 0]
    assert [c["name"] for c in stuff] == ["sky", "building", "road", "sidewalk"]


def test_segments_match_their_pixels_and_the_dataset_masks(exports):
    seen_stuff = seen_void_instances = 0
    for scene, (dataset, export) in exports.items():
        instances = load(dataset / "annotations" / "instances_default.json")
        classes = load(dataset / "classes.json")
        kind = {c["id"]: c["isthing"] for c in classes["categories"]}
        ignore = classes["ignore_value"]
        doc = load(export / "annotations" / "panoptic_default.json")
        by_image = {}
        for a in instances["annotations"]:
            by_image.setdefault(a["image_id"], []).append(a)
        for image, ann in zip(doc["images"], doc["annotations"]):
            stem = pathlib.Path(image["file_name"]).stem
            ids = panoptic_ids(export, "default", ann["file_name"])
            assert ids.shape == (image["height"], image["width"])
            instance = png(dataset / "masks" / "instance_ids" / f"{stem}.png")
            semantic = png(dataset / "masks" / "semantic" / f"{stem}.png")
            segments = {s["id"]: s for s in ann["segments_info"]}
            assert len(segments) == len(ann["segments_info"])
            present = set(np.unique(ids).tolist()) - {0}
            assert present == set(segments), (scene, stem)
            for s in ann["segments_info"]:
                ys, xs = np.nonzero(ids == s["id"])
                assert s["area"] == len(xs)
                assert s["bbox"] == [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]
                assert s["iscrowd"] == 0
            # Things: one segment per annotation, id = mask_id, exactly the instance pixels.
            annotations = by_image.get(image["id"], [])
            things = [s for s in ann["segments_info"] if kind[s["category_id"]] == 1]
            assert [s["id"] for s in things] == [a["mask_id"] for a in annotations]
            for a, s in zip(annotations, things):
                assert s["category_id"] == a["category_id"]
                assert s["area"] == a["area"] and s["bbox"] == a["bbox"]
                assert np.array_equal(ids == s["id"], instance == a["mask_id"])
                assert np.array_equal(ids == s["id"], mask_utils.decode(a["segmentation"]).astype(bool))
            # Stuff: one segment per class present, id = 65536 + category id, the semantic pixels.
            stuff = [s for s in ann["segments_info"] if kind[s["category_id"]] == 0]
            present_stuff = sorted(c for c in np.unique(semantic).tolist() if c in kind and kind[c] == 0)
            assert [s["category_id"] for s in stuff] == present_stuff
            for s in stuff:
                assert s["id"] == STUFF_OFFSET + s["category_id"]
                assert np.array_equal(ids == s["id"], semantic == s["category_id"])
                seen_stuff += 1
            # Void: background, unlabeled objects and instances without annotation.
            assert np.array_equal(ids == 0, (semantic == 0) | (semantic == ignore))
            annotated = {a["mask_id"] for a in annotations}
            unannotated = (instance != 0) & ~np.isin(instance, list(annotated))
            assert np.all(ids[unannotated] == 0)
            seen_void_instances += int(unannotated.any())
    assert seen_stuff > 0, "street.scene's stuff classes never appeared"
    assert seen_void_instances > 0, "no image had an instance filtered by --min-visible-pixels"


def pq_stats(gt_export, pred_export, split="default"):
    """panopticapi's own per-image matching, single process, on two exports."""
    from panopticapi.evaluation import pq_compute_single_core
    gt = load(gt_export / "annotations" / f"panoptic_{split}.json")
    pred = load(pred_export / "annotations" / f"panoptic_{split}.json")
    categories = {c["id"]: c for c in gt["categories"]}
    pairs = list(zip(gt["annotations"], pred["annotations"]))
    stat = pq_compute_single_core(0, pairs, str(gt_export / f"panoptic_{split}"), str(pred_export / f"panoptic_{split}"), categories)
    return stat, categories


def test_panopticapi_scores_the_export_against_itself_as_perfect(exports):
    for scene, (_, export) in exports.items():
        stat, categories = pq_stats(export, export)
        kinds = [None, True] + ([False] if any(c["isthing"] == 0 for c in categories.values()) else [])
        for isthing in kinds:
            result, _ = stat.pq_average(categories, isthing=isthing)
            assert result["n"] > 0
            assert result["pq"] == pytest.approx(1.0) and result["sq"] == pytest.approx(1.0) and result["rq"] == pytest.approx(1.0), (scene, isthing)
        assert sum(s.fp + s.fn for s in stat.pq_per_cat.values()) == 0


def test_panopticapi_counts_a_removed_segment_as_a_false_negative(exports, tmp_path):
    """A prediction with the first thing segment of each image turned void: panopticapi must
    find exactly those as false negatives, everything else matched with IoU 1."""
    _, export = exports["street"]
    pred = tmp_path / "pred"
    shutil.copytree(export, pred)
    doc = load(pred / "annotations" / "panoptic_default.json")
    categories = {c["id"]: c for c in doc["categories"]}
    removed, total = {}, {}
    for ann in doc["annotations"]:
        for s in ann["segments_info"]:
            total[s["category_id"]] = total.get(s["category_id"], 0) + 1
        victim = next((s for s in ann["segments_info"] if categories[s["category_id"]]["isthing"] == 1), None)
        if victim is None:
            continue
        path = pred / "panoptic_default" / ann["file_name"]
        rgb = np.array(Image.open(path))
        rgb[rgb2id(rgb) == victim["id"]] = 0
        Image.fromarray(rgb).save(path)
        ann["segments_info"].remove(victim)
        removed[victim["category_id"]] = removed.get(victim["category_id"], 0) + 1
    assert removed
    with open(pred / "annotations" / "panoptic_default.json", "w") as f:
        json.dump(doc, f)
    stat, _ = pq_stats(export, pred)
    for category, count in total.items():
        fn = removed.get(category, 0)
        cell = stat.pq_per_cat[category]
        assert (cell.tp, cell.fn, cell.fp) == (count - fn, fn, 0), categories[category]["name"]
        assert cell.iou == pytest.approx(count - fn)
    _, per_class = stat.pq_average(categories, isthing=None)
    for category, count in total.items():
        tp, fn = count - removed.get(category, 0), removed.get(category, 0)
        assert per_class[category]["pq"] == pytest.approx(tp / (tp + 0.5 * fn))


def test_export_is_byte_identical_when_repeated(exports, tmp_path):
    dataset, export = exports["crowd"]
    again = tmp_path / "again"
    r = tessera("export", str(dataset), "--format", "coco-panoptic", "--out", str(again), "--quiet")
    assert r.returncode == 0, r.stderr
    for path in sorted(export.rglob("*")):
        if path.is_file():
            assert (again / path.relative_to(export)).read_bytes() == path.read_bytes(), path


def test_splits_get_one_json_and_png_folder_each(tmp_path):
    dataset = tmp_path / "split"
    r = tessera("render", "scenes/street.scene", "--count", "6", "--seed", "3", "--split", "train=0.5,val=0.5",
                "--out", str(dataset), "--quiet")
    assert r.returncode == 0, r.stderr
    export = tmp_path / "export"
    r = tessera("export", str(dataset), "--format", "coco-panoptic", "--out", str(export), "--quiet")
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(export)) == ["annotations", "images", "panoptic_train", "panoptic_val"]
    for split in ("train", "val"):
        instances = load(dataset / "annotations" / f"instances_{split}.json")
        doc = load(export / "annotations" / f"panoptic_{split}.json")
        assert [im["id"] for im in doc["images"]] == [im["id"] for im in instances["images"]]
        assert sorted(os.listdir(export / f"panoptic_{split}")) == sorted(a["file_name"] for a in doc["annotations"])


@pytest.mark.parametrize("damage, named, status", [
    ("no classes.json", "classes.json: missing", 65),
    ("semantic disagrees", "masks/semantic/000001.png", 65),
])
def test_a_damaged_dataset_is_named_and_nothing_is_written(exports, tmp_path, damage, named, status):
    dataset = tmp_path / "damaged"
    shutil.copytree(exports["street"][0], dataset)
    if damage == "no classes.json":
        (dataset / "classes.json").unlink()
    else:
        # Paint one pixel of the first annotated instance of image 2 as background.
        first = next(a for a in load(dataset / "annotations" / "instances_default.json")["annotations"] if a["image_id"] == 2)
        instance = png(dataset / "masks" / "instance_ids" / "000001.png")
        ys, xs = np.nonzero(instance == first["mask_id"])
        semantic = np.array(Image.open(dataset / "masks" / "semantic" / "000001.png"))
        semantic[ys[0], xs[0]] = 0
        Image.fromarray(semantic).save(dataset / "masks" / "semantic" / "000001.png")
    out = tmp_path / "out"
    r = tessera("export", str(dataset), "--format", "coco-panoptic", "--out", str(out))
    assert r.returncode == status, r.stderr
    assert named in r.stderr
    assert not out.exists() or [p for p in os.listdir(out) if not p.startswith(".")] == []
    assert not (out / ".tessera-export.partial").exists()
