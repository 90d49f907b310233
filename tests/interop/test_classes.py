"""Interop test: class names as users write them, stuff classes and the semantic mask's ignore
value, read back with pycocotools, Pillow and numpy.

  * pycocotools loads the Unicode, space-holding names exactly (getCatIds(catNms=…) finds them),
    and lists the thing classes only, with their declared ids;
  * classes.json lists every class, things and stuff, in id order, with the PASCAL VOC palette
    colour (recomputed here), and its things are the COCO categories;
  * every semantic PNG agrees, pixel for pixel, with the instance PNG, the annotations and
    classes.json: an annotated instance's category, the ignore value for an instance that
    --min-visible-pixels left out, 0 or a stuff class where the instance mask is 0;
  * annToMask of every annotation is exactly its pixels in the instance PNG.
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
from pycocotools.coco import COCO

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))

SCENE = """\
canvas 96 x 64
classes "traffic light": signal, "猫", "9 ball", "Ünïcödé ✓"
stuff road: ground, "sky"
object sky at (48, 16) { rectangle(96, 32, fill: #8fb4e8) }
object road at (48, 48) { rectangle(96, 32, fill: #505050) }
repeat randint(4, 12) {
  let kind = choice("traffic light", "猫", "9 ball", "Ünïcödé ✓")
  object (kind) at (uniform(0, 96), uniform(0, 64)) rotate uniform(0, 90) { rectangle(uniform(2, 20), uniform(2, 20), fill: random_color()) }
  if bernoulli(0.3) { object unlabeled at (uniform(0, 96), uniform(0, 64)) { circle(uniform(2, 6), fill: #00aa00) } }
  if bernoulli(0.2) { object road at (uniform(0, 96), uniform(0, 64)) { rectangle(uniform(10, 40), 4, fill: #606060) } }
}
"""


def render(out, *args):
    cmd = [str(BINARY), "render", *args, "--out", str(out), "--quiet"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("classes")
    scene = folder / "names.scene"
    scene.write_text(SCENE, encoding="utf-8")
    return render(folder / "out", str(scene), "--count", "30", "--seed", "3", "--min-visible-pixels", "20")


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    return render(tmp_path_factory.mktemp("street"), "scenes/street.scene", "--count", "3", "--seed", "5")


def instances_file(dataset):
    """The COCO instances file of a run without --split."""
    return dataset / "annotations" / "instances_default.json"


def load_coco(dataset):
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(instances_file(dataset)))


def mask_id(annotation):
    return annotation["mask_id"]


def image_path(dataset, folder, image):
    stem = pathlib.Path(image["file_name"]).stem
    return dataset / folder / (stem + ".png")


def voc_color(value):
    """The PASCAL VOC devkit's labelcolormap, written independently of Tessera."""
    r = g = b = 0
    for j in range(8):
        r |= ((value >> 0) & 1) << (7 - j)
        g |= ((value >> 1) & 1) << (7 - j)
        b |= ((value >> 2) & 1) << (7 - j)
        value >>= 3
    return [r, g, b]


def test_pycocotools_reads_the_names_exactly(dataset):
    coco = load_coco(dataset)
    cats = coco.loadCats(coco.getCatIds())
    assert [(c["id"], c["name"]) for c in cats] == [(1, "traffic light"), (2, "猫"), (3, "9 ball"), (4, "Ünïcödé ✓")]
    assert coco.getCatIds(catNms=["猫"]) == [2]
    assert coco.getCatIds(catNms=["traffic light"]) == [1]
    raw = instances_file(dataset).read_bytes()
    assert "\"name\":\"Ünïcödé ✓\"".encode("utf-8") in raw, "written as UTF-8, not escaped"
    assert {a["category_id"] for a in coco.dataset["annotations"]} <= {1, 2, 3, 4}, "stuff is never annotated"


def test_class_map_lists_things_and_stuff_with_the_voc_palette(dataset):
    classes = json.loads((dataset / "classes.json").read_text(encoding="utf-8"))
    assert classes["bit_depth"] == 8 and classes["background_value"] == 0 and classes["ignore_value"] == 255
    cats = classes["categories"]
    assert [c["id"] for c in cats] == list(range(1, 7))
    assert [(c["name"], c["isthing"]) for c in cats] == [
        ("traffic light", 1), ("猫", 1), ("9 ball", 1), ("Ünïcödé ✓", 1), ("road", 0), ("sky", 0)]
    assert all(c["color"] == voc_color(c["id"]) for c in cats)
    coco = load_coco(dataset)
    assert [(c["id"], c["name"], c["supercategory"]) for c in cats if c["isthing"]] == \
        [(c["id"], c["name"], c["supercategory"]) for c in coco.loadCats(coco.getCatIds())]
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert "classes.json" in [f["path"] for f in manifest["files"]]


def check_semantic_masks(dataset):
    """Every semantic pixel against the instance PNG, the annotations and classes.json; returns
    how many pixels were stuff and how many ignore."""
    coco = load_coco(dataset)
    classes = json.loads((dataset / "classes.json").read_text(encoding="utf-8"))
    stuff = [c["id"] for c in classes["categories"] if not c["isthing"]]
    ignore = classes["ignore_value"]
    stuff_pixels = ignore_pixels = 0
    for image in coco.dataset["images"]:
        instance = np.array(Image.open(image_path(dataset, "masks/instance_ids", image))).astype(np.int64)
        semantic = np.array(Image.open(image_path(dataset, "masks/semantic", image))).astype(np.int64)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]]))
        expected = np.full(instance.shape, -1, dtype=np.int64)
        for ids in np.unique(instance[instance > 0]):
            expected[instance == ids] = ignore
        for ann in anns:
            pixels = coco.annToMask(ann).astype(bool)
            assert np.array_equal(pixels, instance == mask_id(ann)), f"annotation {ann['id']}"
            expected[pixels] = ann["category_id"]
        labeled = expected >= 0
        assert np.array_equal(semantic[labeled], expected[labeled]), f"image {image['id']}"
        assert np.isin(semantic[~labeled], [0] + stuff).all(), f"image {image['id']}: a thing or ignore where no instance is"
        stuff_pixels += int(np.isin(semantic, stuff).sum())
        ignore_pixels += int((semantic == ignore).sum())
    return stuff_pixels, ignore_pixels


def test_semantic_masks_agree_with_instance_masks_and_the_class_map(dataset):
    stuff_pixels, ignore_pixels = check_semantic_masks(dataset)
    assert stuff_pixels > 0 and ignore_pixels > 0, "the test scene shows stuff and filtered instances"


def test_street_labels_its_sky_road_and_sidewalks_as_stuff(street):
    classes = json.loads((street / "classes.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in classes["categories"] if not c["isthing"]] == ["sky", "building", "road", "sidewalk"]
    stuff_pixels, _ = check_semantic_masks(street)
    assert stuff_pixels > 0
