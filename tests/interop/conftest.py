"""Shared helpers of the interop tests: the built binary and datasets rendered with it.

The binary is $TESSERA_BIN, else .build/debug/tessera. Tests written before this file keep
their own copies of these few lines; new tests take them from here.
"""
import json
import pathlib
import os
import subprocess

import numpy as np
import pytest
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))


def run_tessera(*args, timeout=900):
    """Runs the binary from the repository root (scene paths are relative to it)."""
    return subprocess.run([str(BINARY), *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


# Nuclei of several brightnesses on a dark field, 128 × 96 at 16 bits: most pixel values are
# above 255, and the images are smaller than scripts/train_segmentation.py's default crop.
SMALL_GREY16_SCENE = """\
canvas 128 x 96
sensor channels: 1, bits: 16
classes nucleus
background gray(0.02)
repeat 10 {
  object nucleus at (uniform(0, 128), uniform(0, 96)) { ellipse(uniform(5, 12), uniform(4, 9), fill: gray(uniform(0.3, 0.9))) }
}
"""


def render_scene_text(folder, text, *flags):
    """Writes `text` to FOLDER/scene.scene and renders it into FOLDER/dataset with `flags`
    (count, seed, …); returns the dataset folder."""
    folder = pathlib.Path(folder)
    scene = folder / "scene.scene"
    scene.write_text(text)
    out = folder / "dataset"
    result = run_tessera("render", scene, *flags, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    return out


class RenderedDataset:
    """One `tessera render` output folder and what its files say, read with json and Pillow only."""

    def __init__(self, root):
        self.root = pathlib.Path(root)

    def splits(self):
        """Split names, from annotations/instances_<split>.json, sorted."""
        return sorted(p.stem[len("instances_"):] for p in (self.root / "annotations").glob("instances_*.json"))

    def instances_file(self, split):
        return self.root / "annotations" / f"instances_{split}.json"

    def coco(self, split):
        with open(self.instances_file(split)) as f:
            return json.load(f)

    def instance_png(self, image):
        """The 16-bit instance raster of a COCO image record: (height, width) uint16, value = mask_id."""
        stem = pathlib.Path(image["file_name"]).stem
        pixels = np.array(Image.open(self.root / "masks" / "instance_ids" / f"{stem}.png"))
        assert pixels.shape == (image["height"], image["width"]), image
        return pixels.astype(np.uint16)

    def expected_masks(self, split):
        """{annotation id: boolean (h, w) mask taken from the instance PNG}, for every annotation."""
        doc = self.coco(split)
        images = {im["id"]: im for im in doc["images"]}
        rasters = {}
        masks = {}
        for ann in doc["annotations"]:
            image_id = ann["image_id"]
            if image_id not in rasters:
                rasters[image_id] = self.instance_png(images[image_id])
            masks[ann["id"]] = rasters[image_id] == ann["mask_id"]
        return masks


@pytest.fixture(scope="session")
def render_dataset(tmp_path_factory):
    """A function (scene, count, seed, *flags) -> RenderedDataset, rendering each set of
    arguments once per session."""
    made = {}

    def render(scene, count, seed, *flags):
        key = (scene, count, seed, *flags)
        if key not in made:
            out = tmp_path_factory.mktemp(pathlib.Path(scene).stem) / "dataset"
            result = run_tessera("render", scene, "--count", count, "--seed", seed, *flags, "--out", out, "--quiet")
            assert result.returncode == 0, result.stderr
            made[key] = RenderedDataset(out)
        return made[key]

    return render
