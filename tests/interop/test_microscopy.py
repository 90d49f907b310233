"""Interop test: microscopy scenes (a grey 16-bit sensor, docs/RENDERING.md *Microscopy*) read
with the tools people really use.

Renders scenes/cells.scene with the built binary, then checks that Pillow and numpy load its
images as one-channel 16-bit arrays of the size COCO `images` gives, that pycocotools' masks
agree with the instance PNGs, that the manifest records the sensor, that `validate` and
`preview` accept the dataset, that --jobs does not change a byte, and that the training
example (scripts/train_segmentation.py) runs a few steps and scores the held-out images.
"""
import json
import pathlib
import sys

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from conftest import ROOT, run_tessera


def render(out, *args):
    result = run_tessera("render", "scenes/cells.scene", *args, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    return pathlib.Path(out)


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    return render(tmp_path_factory.mktemp("cells"), "--count", "3", "--seed", "4", "--jobs", "1")


def test_images_are_16_bit_grey_of_the_listed_size(cells):
    doc = json.loads((cells / "annotations" / "instances_default.json").read_text())
    assert [im["id"] for im in doc["images"]] == [1, 2, 3]
    for im in doc["images"]:
        assert set(im) >= {"id", "file_name", "width", "height"}
        with Image.open(cells / "images" / im["file_name"]) as image:
            assert image.mode in ("I;16", "I;16B", "I")
            pixels = np.array(image)
        assert pixels.shape == (im["height"], im["width"])
        # A real 16-bit range: far more levels than 8 bits, and a dark background under bright nuclei.
        assert len(np.unique(pixels)) > 1000
        assert np.percentile(pixels, 10) < np.percentile(pixels, 99) / 3


def test_manifest_records_the_sensor(cells):
    options = json.loads((cells / "manifest.json").read_text())["options"]
    assert (options["image_channels"], options["image_bit_depth"]) == (1, 16)


def test_masks_agree_with_pycocotools_and_crowds_are_dense(cells):
    path = cells / "annotations" / "instances_default.json"
    coco = COCO(str(path))
    counts = []
    for im in coco.dataset["images"]:
        ids = np.array(Image.open(cells / "masks" / "instance_ids" / pathlib.Path(im["file_name"]).with_suffix(".png")))
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[im["id"]]))
        counts.append(len(anns))
        for ann in anns:
            assert np.array_equal(coco.annToMask(ann), (ids == ann["mask_id"]).astype(np.uint8))
    assert sum(counts) > 0


def test_validate_and_preview_accept_grey_images(cells, tmp_path):
    result = run_tessera("validate", cells)
    assert result.returncode == 0, result.stdout + result.stderr
    sheet = tmp_path / "sheet.png"
    result = run_tessera("preview", cells, "--out", sheet)
    assert result.returncode == 0, result.stderr
    with Image.open(sheet) as image:
        assert image.size[0] > 0


def test_the_same_bytes_whatever_the_thread_count(cells, tmp_path):
    other = render(tmp_path / "jobs2", "--count", "3", "--seed", "4", "--jobs", "2")
    for name in ["000000.png", "000001.png", "000002.png"]:
        assert (cells / "images" / name).read_bytes() == (other / "images" / name).read_bytes()


def test_the_training_example_runs_and_scores(cells):
    pytest.importorskip("torch")
    pytest.importorskip("scipy")
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_segmentation
    result = train_segmentation.main(["--train", str(cells), "--test", str(cells), "--steps", "3", "--crop", "64",
                                      "--batch", "2", "--quiet"])
    assert result["steps"] == 3
    scores = result["scores"][str(cells)]
    assert 0 <= scores["f1@0.5"] <= 1 and 0 <= scores["semantic_iou"] <= 1
    assert scores["true_instances"] > 0
