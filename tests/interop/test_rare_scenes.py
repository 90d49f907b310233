"""The rare-case scenes keep their guarantee in every image, read back with pycocotools.

scenes/occluded_pedestrians.scene and scenes/signs.scene state at their top what every image
guarantees; they enforce it with requirements on rendered facts. Each renders 12 images
(seed 3) with $TESSERA_BIN (else .build/debug/tessera); the guarantee is then recomputed from
the masks, not taken from the requirement's own numbers:

  * visible pixels are pycocotools' area of `segmentation` (checked equal to `area`), amodal
    pixels its area of `amodal_segmentation` (equal to `amodal_area`), so the visible
    fraction is area / amodal area;
  * the pixels hiding an instance by a class are the pixels of its amodal mask whose value in
    the instance PNG is an instance of that class (and they equal the `occluders` entries of
    those instances);
  * a box is pycocotools' toBbox of the segmentation;

and `tessera validate` passes on the dataset.
"""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))
COUNT = 12


def run(*args):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def render(scene, out):
    result = run("render", scene, "--count", str(COUNT), "--seed", "3", "--out", str(out), "--quiet")
    assert result.returncode == 0, f"{scene}: {result.stderr}"
    return out


class RenderedImage:
    """One image of a dataset: its annotations, instance PNG and class names per instance."""

    def __init__(self, out, doc, image):
        names = {c["id"]: c["name"] for c in doc["categories"]}
        self.id = image["id"]
        self.annotations = [a for a in doc["annotations"] if a["image_id"] == image["id"]]
        self.ids = np.array(Image.open(out / "masks" / "instance_ids" / pathlib.Path(image["file_name"]).name))
        self.class_of = {a["mask_id"]: names[a["category_id"]] for a in self.annotations}

    def measured(self, ann):
        """(visible pixels, amodal pixels, box, hidden pixels per occluding class) from the masks."""
        visible = int(mask_utils.area(ann["segmentation"]))
        amodal_mask = mask_utils.decode(ann["amodal_segmentation"]).astype(bool)
        amodal = int(amodal_mask.sum())
        assert (visible, amodal) == (ann["area"], ann["amodal_area"]), f"image {self.id}, annotation {ann['id']}"
        hidden_by = {}
        for instance_id in np.unique(self.ids[amodal_mask]):
            if instance_id not in (0, ann["mask_id"]):
                name = self.class_of[int(instance_id)]
                hidden_by[name] = hidden_by.get(name, 0) + int((self.ids[amodal_mask] == instance_id).sum())
        from_occluders = {}
        for o in ann["occluders"]:
            if o["mask_id"] in self.class_of:
                name = self.class_of[o["mask_id"]]
                from_occluders[name] = from_occluders.get(name, 0) + o["pixels"]
        assert hidden_by == from_occluders, f"image {self.id}, annotation {ann['id']}: occluders disagree with the masks"
        box = [int(v) for v in mask_utils.toBbox(ann["segmentation"])]
        return visible, amodal, box, hidden_by


def images(out):
    doc = json.loads((out / "annotations" / "instances_default.json").read_text())
    assert [im["id"] for im in doc["images"]] == list(range(1, COUNT + 1))
    return [RenderedImage(out, doc, im) for im in doc["images"]]


@pytest.fixture(scope="module")
def pedestrians(tmp_path_factory):
    return render("scenes/occluded_pedestrians.scene", tmp_path_factory.mktemp("occluded_pedestrians"))


@pytest.fixture(scope="module")
def signs(tmp_path_factory):
    return render("scenes/signs.scene", tmp_path_factory.mktemp("signs"))


def test_every_image_has_a_pedestrian_20_to_40_percent_visible_mostly_hidden_by_cars(pedestrians):
    for image in images(pedestrians):
        qualifying = []
        for ann in image.annotations:
            if image.class_of[ann["mask_id"]] != "pedestrian":
                continue
            visible, amodal, _, hidden_by = image.measured(ann)
            hidden = amodal - visible
            if 0.2 <= visible / amodal <= 0.4 and 2 * hidden_by.get("car", 0) >= hidden:
                qualifying.append(ann["id"])
        assert qualifying, f"image {image.id} has no pedestrian 20-40 % visible and mostly hidden by cars"


def test_every_sign_image_holds_a_tiny_or_a_mostly_hidden_sign_and_each_kind_in_half_the_images(signs):
    tiny_images = hidden_images = 0
    for image in images(signs):
        tiny = hidden = False
        for ann in image.annotations:
            visible, amodal, box, _ = image.measured(ann)
            if visible >= 12:
                tiny = tiny or (box[2] < 20 and box[3] < 20)
                hidden = hidden or visible / amodal < 0.5
        assert tiny or hidden, f"image {image.id} holds no sign under 20 px nor one more than half hidden"
        tiny_images += tiny
        hidden_images += hidden
    # The quota gives each stratum half the images, within one image.
    assert tiny_images >= COUNT // 2 - 1 and hidden_images >= COUNT // 2 - 1, (tiny_images, hidden_images)


@pytest.mark.parametrize("name", ["pedestrians", "signs"])
def test_rare_scene_output_passes_validate(name, request):
    out = request.getfixturevalue(name)
    result = run("validate", str(out))
    assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
