"""Interop test: microscopy scenes (a grey 16-bit sensor, docs/RENDERING.md *Microscopy*) read
with the tools people really use.

Renders scenes/cells.scene with the built binary, then checks that Pillow and numpy load its
images as one-channel 16-bit arrays of the size COCO `images` gives, that pycocotools' masks
agree with the instance PNGs, that the manifest records the sensor, that `validate` and
`preview` accept the dataset, that --jobs does not change a byte, and that the training
example (scripts/train_segmentation.py) runs a few steps per seed, scores the held-out images
the same way twice, drops specks below its minimum instance area and does not stretch the noise
of an empty field.
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


def training_example():
    pytest.importorskip("torch")
    pytest.importorskip("scipy")
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_segmentation
    return train_segmentation


def test_the_training_example_runs_and_scores_per_seed(cells):
    train_segmentation = training_example()
    common = ["--train", str(cells), "--test", str(cells), "--steps", "3", "--crop", "64", "--batch", "2",
              "--threads", "1", "--quiet"]
    result = train_segmentation.main(common + ["--seeds", "1,2"])
    assert result["steps"] == 3 and result["seeds"] == [1, 2] and len(result["runs"]) == 2
    for run in result["runs"]:
        scores = run["scores"][str(cells)]
        assert 0 <= scores["f1@0.5"] <= 1 and 0 <= scores["semantic_iou"] <= 1
        assert scores["true_instances"] > 0
    # The summary is the mean and sample sd of the runs.
    values = [run["scores"][str(cells)]["semantic_iou"] for run in result["runs"]]
    assert result["scores"][str(cells)]["semantic_iou"] == pytest.approx(np.mean(values), abs=1e-4)
    assert result["sd"][str(cells)]["semantic_iou"] == pytest.approx(np.std(values, ddof=1), abs=1e-4)
    # Deterministic: seed 1 alone gives seed 1's scores again.
    alone = train_segmentation.main(common + ["--seed", "1"])
    assert alone["runs"][0]["scores"] == result["runs"][0]["scores"]
    with pytest.raises(SystemExit):
        train_segmentation.main(common + ["--seeds", "1,x"])


def test_the_training_example_drops_instances_below_the_minimum_area():
    train_segmentation = training_example()
    label = np.zeros((40, 40), dtype=np.int64)
    label[5:17, 5:17] = 2          # one nucleus: a 10 × 10 interior in a one-pixel boundary ring
    label[6:16, 6:16] = 1
    for y, x in ((30, 30), (30, 35), (35, 5)):
        label[y, x] = 1            # stray interior pixels of a half-trained network
    label[25:27, 20:22] = 2        # and a lone fleck of boundary with no interior
    ids, removed = train_segmentation.instances_from_classes(label, min_area=15)
    assert (ids.max(), removed) == (1, 3)
    assert (ids == 1).sum() == 144 and ids[5, 5] == 1   # interior grown into its ring
    ids, removed = train_segmentation.instances_from_classes(label, min_area=0)
    assert (ids.max(), removed) == (4, 0)


def test_the_training_example_does_not_stretch_the_noise_of_an_empty_field():
    train_segmentation = training_example()
    rng = np.random.default_rng(0)
    empty = rng.poisson(2000, (128, 128)).astype(np.float64)     # background photons only
    assert np.percentile(train_segmentation.normalise(empty), 99.8) < 0.5
    assert np.percentile(train_segmentation.normalise(empty, noise_floor=0), 99.8) == pytest.approx(1)
    nucleus = empty.copy()
    nucleus[40:80, 40:80] += 20000                                # a bright nucleus: stretched as before
    assert np.percentile(train_segmentation.normalise(nucleus), 99.8) == pytest.approx(1)
