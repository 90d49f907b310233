"""Interop test: a rendered Tessera dataset read with the tools people really use.

Renders scenes/shapes.scene with the built binary, then checks with pycocotools and Pillow
that every annotation agrees with the masks Tessera wrote:
  * annToMask(ann) equals the instance PNG's pixels for that mask_id,
  * bbox == toBbox(segmentation), area == mask sum == pycocotools area,
  * the semantic PNG equals the category of each instance pixel,
  * COCOeval of the ground truth against itself gives AP 1.0 for bbox and segm,
  * with --segmentation polygon, pycocotools' polygon rasteriser (frPyObjects + decode) gives
    back exactly the instance PNG's pixels (measured: 0 differing pixels; coco_check allows
    5% area), and every other field equals the RLE run's.
The binary is $TESSERA_BIN, else .build/debug/tessera.
"""
import contextlib
import io
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))


def render(out, *args):
    cmd = [str(BINARY), "render", *args, "--out", str(out), "--quiet"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("shapes")
    return render(out, "scenes/shapes.scene", "--count", "24", "--seed", "7")


def load(dataset):
    with open(dataset / "annotations" / "instances_default.json") as f:
        return json.load(f)


def read_png(path):
    return np.array(Image.open(path))


def test_every_image_is_listed_with_its_true_size(dataset):
    doc = load(dataset)
    assert [im["id"] for im in doc["images"]] == list(range(1, 25))
    for im in doc["images"]:
        pixels = read_png(dataset / "images" / im["file_name"])
        assert pixels.shape == (im["height"], im["width"], 3)


def test_annotations_agree_with_instance_and_semantic_masks(dataset):
    check_annotations_against_masks(dataset)


def test_media_scene_annotations_agree_with_masks(tmp_path):
    # Sprites, text and a photo background (scenes/media.scene), written as JPEG.
    media = render(tmp_path / "media", "scenes/media.scene", "--count", "6", "--seed", "2", "--image-format", "jpeg")
    check_annotations_against_masks(media)
    names = {c["id"]: c["name"] for c in load(media)["categories"]}
    assert {names[a["category_id"]] for a in load(media)["annotations"]} == {"ball", "tee", "sign", "word"}


def check_annotations_against_masks(dataset):
    doc = load(dataset)
    coco = COCO(str(dataset / "annotations" / "instances_default.json"))
    by_image = {}
    for ann in doc["annotations"]:
        by_image.setdefault(ann["image_id"], []).append(ann)
    assert doc["annotations"], "the scene should produce annotations"
    for im in doc["images"]:
        stem = pathlib.Path(im["file_name"]).stem + ".png"
        ids = read_png(dataset / "masks" / "instance_ids" / stem)
        semantic = read_png(dataset / "masks" / "semantic" / stem)
        assert ids.shape == (im["height"], im["width"])
        anns = by_image.get(im["id"], [])
        # Every labeled instance id in the mask has exactly one annotation.
        present = sorted(int(v) for v in np.unique(ids) if v != 0)
        assert present == sorted(a["mask_id"] for a in anns)
        for ann in anns:
            assert ann["iscrowd"] == 0
            assert ann["segmentation"]["size"] == [im["height"], im["width"]]
            m = coco.annToMask(ann)
            expected = (ids == ann["mask_id"]).astype(np.uint8)
            assert np.array_equal(m, expected), f"mask of annotation {ann['id']} differs"
            assert ann["area"] == int(m.sum()) == int(mask_utils.area(ann["segmentation"]))
            assert ann["area"] > 0
            assert [float(v) for v in ann["bbox"]] == list(mask_utils.toBbox(ann["segmentation"]))
            assert np.all(semantic[m == 1] == ann["category_id"])
        assert np.all(semantic[ids == 0] == 0)


def test_categories_are_declared_in_order(dataset):
    cats = load(dataset)["categories"]
    assert [(c["id"], c["name"]) for c in cats] == [(1, "circle"), (2, "square"), (3, "triangle")]


@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
def test_cocoeval_of_ground_truth_against_itself_is_perfect(dataset, iou_type):
    gt = COCO(str(dataset / "annotations" / "instances_default.json"))
    detections = [dict(ann, score=1.0) for ann in load(dataset)["annotations"]]
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(detections)
        ev = COCOeval(gt, dt, iou_type)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)


def test_same_command_twice_gives_identical_bytes(dataset, tmp_path):
    again = render(tmp_path / "again", "scenes/shapes.scene", "--count", "24", "--seed", "7", "--jobs", "1")
    for path in sorted(p for p in dataset.rglob("*") if p.is_file()):
        rel = path.relative_to(dataset)
        assert (again / rel).read_bytes() == path.read_bytes(), rel


def test_occlusion_facts_agree_with_the_masks(dataset):
    doc = load(dataset)
    images = {im["id"]: im for im in doc["images"]}
    for ann in doc["annotations"]:
        im = images[ann["image_id"]]
        ids = read_png(dataset / "masks" / "instance_ids" / pathlib.Path(im["file_name"]).name)
        visible = mask_utils.decode(ann["segmentation"]).astype(bool)
        amodal = mask_utils.decode(ann["amodal_segmentation"]).astype(bool)
        assert not np.any(visible & ~amodal), "visible mask must lie inside the amodal mask"
        assert ann["amodal_area"] == int(amodal.sum())
        assert [float(v) for v in ann["amodal_bbox"]] == list(mask_utils.toBbox(ann["amodal_segmentation"]))
        assert ann["visible_fraction"] == ann["area"] / ann["amodal_area"]
        assert 0 < ann["in_frame_fraction"] <= 1
        hidden = amodal & ~visible
        assert sum(o["pixels"] for o in ann["occluders"]) == ann["amodal_area"] - ann["area"]
        for o in ann["occluders"]:
            assert o["mask_id"] > ann["mask_id"], "only later-drawn objects hide an instance"
            assert int((ids[hidden] == o["mask_id"]).sum()) == o["pixels"]
        assert ann["z_order"] == ann["mask_id"]


@pytest.fixture(scope="module")
def polygon_dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("shapes-polygon")
    return render(out, "scenes/shapes.scene", "--count", "24", "--seed", "7", "--segmentation", "polygon")


def polygon_mask(polygons, im):
    return mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(polygons, im["height"], im["width"])))


def test_polygons_rasterise_back_to_the_instance_mask(polygon_dataset):
    doc = load(polygon_dataset)
    images = {im["id"]: im for im in doc["images"]}
    kinds = {"polygon": 0, "rle": 0, "parts": 0}
    for ann in doc["annotations"]:
        im = images[ann["image_id"]]
        ids = read_png(polygon_dataset / "masks" / "instance_ids" / pathlib.Path(im["file_name"]).name)
        expected = (ids == ann["mask_id"]).astype(np.uint8)
        seg = ann["segmentation"]
        if isinstance(seg, dict):  # a mask with a hole stays RLE
            kinds["rle"] += 1
            assert np.array_equal(mask_utils.decode(seg), expected)
            continue
        kinds["polygon"] += 1
        kinds["parts"] += len(seg)
        assert all(len(p) >= 8 and len(p) % 2 == 0 and all(isinstance(v, int) for v in p) for p in seg)
        decoded = polygon_mask(seg, im)
        assert np.array_equal(decoded, expected), f"polygons of annotation {ann['id']} differ from the mask"
        assert ann["area"] == int(decoded.sum())
        merged = mask_utils.merge(mask_utils.frPyObjects(seg, im["height"], im["width"]))
        assert [float(v) for v in ann["bbox"]] == list(mask_utils.toBbox(merged))
        assert isinstance(ann["amodal_segmentation"], dict)
    assert kinds["polygon"] > 0 and kinds["parts"] > kinds["polygon"], kinds


def test_polygon_run_differs_from_the_rle_run_only_in_segmentation(dataset, polygon_dataset):
    rle_anns, poly_anns = load(dataset)["annotations"], load(polygon_dataset)["annotations"]
    assert len(rle_anns) == len(poly_anns)
    for a, b in zip(rle_anns, poly_anns):
        assert {k: v for k, v in a.items() if k != "segmentation"} == {k: v for k, v in b.items() if k != "segmentation"}
    for path in sorted(dataset.rglob("*.png")):
        assert (polygon_dataset / path.relative_to(dataset)).read_bytes() == path.read_bytes()


def test_cocoeval_loads_polygon_ground_truth(polygon_dataset):
    gt = COCO(str(polygon_dataset / "annotations" / "instances_default.json"))
    detections = []
    for ann in load(polygon_dataset)["annotations"]:
        seg = ann["segmentation"]
        if isinstance(seg, list):  # loadRes takes RLE detections
            seg = mask_utils.merge(mask_utils.frPyObjects(seg, gt.imgs[ann["image_id"]]["height"],
                                                          gt.imgs[ann["image_id"]]["width"]))
        detections.append(dict(ann, segmentation=seg, score=1.0))
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(gt, gt.loadRes(detections), "segm")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)


def test_jpeg_images_decode_with_pillow_and_masks_equal_the_png_run(tmp_path):
    png = render(tmp_path / "png", "scenes/shapes.scene", "--count", "4", "--seed", "3")
    jpeg = render(tmp_path / "jpeg", "scenes/shapes.scene", "--count", "4", "--seed", "3",
                  "--image-format", "jpeg", "--jpeg-quality", "92")
    doc = load(jpeg)
    for im in doc["images"]:
        assert im["file_name"].endswith(".jpg")
        with Image.open(jpeg / "images" / im["file_name"]) as picture:
            assert picture.format == "JPEG" and picture.mode == "RGB"
            assert not picture.info.get("progressive")
            pixels = np.asarray(picture, dtype=np.int16)
        assert pixels.shape == (im["height"], im["width"], 3)
        reference = read_png(png / "images" / im["file_name"].replace(".jpg", ".png")).astype(np.int16)
        assert np.abs(pixels - reference).mean() < 4
        stem = pathlib.Path(im["file_name"]).stem
        for kind in ("instance_ids", "semantic"):
            assert np.array_equal(read_png(jpeg / "masks" / kind / f"{stem}.png"),
                                  read_png(png / "masks" / kind / f"{stem}.png"))
    assert doc["annotations"] == load(png)["annotations"]


# Images 3, 8, 13, … (index % 5 == 3) are rejected at their only attempt.
SKIP_SCENE = """canvas 96 x 64
classes disc, plate
attempts 1
background #203040
repeat randint(2, 5) {
  object disc at (uniform(0, width), uniform(0, height)) { circle(uniform(4, 20), fill: hsv(uniform(0, 360), 0.8, 0.9)) }
  object plate at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(uniform(6, 30), uniform(6, 30), fill: #c0c0c0) }
}
require image_index % 5 != 3
"""


def test_a_dataset_that_left_images_out_loads_and_agrees_with_its_masks(tmp_path):
    # --on-exhausted skip: the left-out images have no entry and no file; the others keep
    # their ids (index + 1), so the ids have holes, which COCO readers accept.
    scene = tmp_path / "skip.scene"
    scene.write_text(SKIP_SCENE)
    out = render(tmp_path / "skip", str(scene), "--count", "14", "--seed", "3", "--on-exhausted", "skip")
    kept = [i for i in range(14) if i % 5 != 3]
    doc = load(out)
    assert [im["id"] for im in doc["images"]] == [i + 1 for i in kept]
    assert [im["file_name"] for im in doc["images"]] == [f"{i:06d}.png" for i in kept]
    assert sorted(p.name for p in (out / "images").iterdir()) == [f"{i:06d}.png" for i in kept]
    coco = COCO(str(out / "annotations" / "instances_default.json"))
    assert sorted(coco.getImgIds()) == [i + 1 for i in kept]
    assert {a["image_id"] for a in doc["annotations"]} <= set(coco.getImgIds())
    check_annotations_against_masks(out)
    with open(out / "manifest.json") as f:
        acceptance = json.load(f)["acceptance"]
    assert [s["index"] for s in acceptance["skipped_images"]] == [3, 8, 13]
    assert acceptance["images"] == len(kept) and acceptance["attempts"] == 14
    gt = COCO(str(out / "annotations" / "instances_default.json"))
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(gt, gt.loadRes([dict(a, score=1.0) for a in doc["annotations"]]), "segm")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)
    result = subprocess.run([str(BINARY), "validate", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


ATTRIBUTE_SCENE = """\
param size = 96 in [16, 256]
param hour = 12.0 in [0, 24]
canvas size x size
classes car, sign
background hsv(210, 0.3, 0.2 + hour / 40)
repeat randint(1, 4) {
  let speed = randint(20, 90)
  object car with speed: speed, lit: hour > 18, plate: choice("A", "B") at (uniform(10, size - 10), uniform(10, size - 10)) { rectangle(18, 10, fill: #c04030) }
  record speed
}
object sign at (size / 2, size / 2) { circle(uniform(4, 8), fill: #f0f0f0) }
record hour
"""


def test_attributes_and_records_load_with_pycocotools(tmp_path):
    """Annotations with `attributes` load in pycocotools and COCOeval as any others; records.jsonl
    holds one line per image with the values the annotations' attributes agree with."""
    scene = tmp_path / "attrs.scene"
    scene.write_text(ATTRIBUTE_SCENE)
    out = render(tmp_path / "out", str(scene), "--count", "6", "--seed", "2", "--set", "hour=19", "--set", "size=80")
    check_annotations_against_masks(out)
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(out / "annotations" / "instances_default.json"))
    cars = gt.loadAnns(gt.getAnnIds(catIds=[1]))
    assert cars and all(set(a["attributes"]) == {"speed", "lit", "plate"} for a in cars)
    assert all(a["attributes"]["lit"] is True and a["attributes"]["plate"] in ("A", "B") for a in cars)
    assert all("attributes" not in a for a in gt.loadAnns(gt.getAnnIds(catIds=[2])))
    with open(out / "records.jsonl") as f:
        records = [json.loads(line) for line in f]
    assert [r["image_id"] for r in records] == sorted(gt.getImgIds())
    for r in records:
        assert r["parameters"] == {"size": 80, "hour": 19}
        assert r["values"]["hour"] == 19
        speeds = sorted(a["attributes"]["speed"] for a in gt.loadAnns(gt.getAnnIds(imgIds=[r["image_id"]], catIds=[1])))
        # A car hidden entirely by later cars has no annotation, so its speed may be missing there.
        assert set(speeds) <= set(r["values"]["speed"])
    for iou_type in ["bbox", "segm"]:
        with contextlib.redirect_stdout(io.StringIO()):
            dt = gt.loadRes([dict(a, score=1.0) for a in gt.dataset["annotations"]])
            evaluation = COCOeval(gt, dt, iou_type)
            evaluation.evaluate()
            evaluation.accumulate()
            evaluation.summarize()
        assert evaluation.stats[0] == pytest.approx(1.0)
