"""Every scene in scenes/ renders, and its output agrees with pycocotools and `tessera validate`.

Parameterised over a glob of scenes/*.scene, so a new scene is covered without editing this
file. Each scene renders 3 images (seed 5) with $TESSERA_BIN (else .build/debug/tessera); then
for every annotation pycocotools' annToMask equals the instance PNG's pixels for its
mask_id, bbox == toBbox, area == mask sum == pycocotools area, and `tessera validate`
exits 0 on the dataset.
"""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))
SCENES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "scenes").glob("*.scene"))
COUNT = 3


def run(*args):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_library_is_found():
    assert len(SCENES) >= 8, SCENES


@pytest.fixture(scope="module", params=SCENES)
def rendered(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(pathlib.Path(request.param).stem)
    # A clip scene renders one clip: its frames are the images (docs/FORMATS.md, Video).
    is_clip = "\nclip frames:" in (ROOT / request.param).read_text()
    result = run("render", request.param, "--count", "1" if is_clip else str(COUNT), "--seed", "5", "--out", str(out), "--quiet")
    assert result.returncode == 0, f"{request.param}: {result.stderr}"
    return request.param, out


def test_scene_renders_masks_that_pycocotools_reads_back(rendered):
    scene, out = rendered
    doc = json.loads((out / "annotations" / "instances_default.json").read_text())
    clip = json.loads((out / "manifest.json").read_text()).get("clip")
    assert len(doc["images"]) == (clip["frames"] if clip else COUNT)
    assert len(doc["categories"]) >= 2, f"{scene} should declare at least two classes"
    assert doc["annotations"], f"{scene} produced no annotations"
    coco = COCO(str(out / "annotations" / "instances_default.json"))
    by_image = {}
    for ann in doc["annotations"]:
        by_image.setdefault(ann["image_id"], []).append(ann)
    for im in doc["images"]:
        ids = np.array(Image.open(out / "masks" / "instance_ids" / pathlib.Path(im["file_name"]).with_suffix(".png")))
        anns = by_image.get(im["id"], [])
        assert sorted(int(v) for v in np.unique(ids) if v != 0) == sorted(a["mask_id"] for a in anns), \
            f"{scene}: the instance ids in the mask and the annotations differ in {im['file_name']}"
        for ann in anns:
            m = coco.annToMask(ann)
            assert np.array_equal(m, (ids == ann["mask_id"]).astype(np.uint8)), \
                f"{scene}: mask of annotation {ann['id']} differs from the instance PNG"
            assert ann["area"] == int(m.sum()) == int(mask_utils.area(ann["segmentation"])) > 0
            assert [float(v) for v in ann["bbox"]] == list(mask_utils.toBbox(ann["segmentation"]))


def test_scene_output_passes_validate(rendered):
    scene, out = rendered
    result = run("validate", str(out))
    assert result.returncode == 0, f"{scene}: {result.stdout}{result.stderr}"
