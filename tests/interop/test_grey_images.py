"""Interop test: grey 16-bit images (a `sensor channels: 1, bits: 16` scene) read with the
snippets the docs give (README *Grey images*, docs/FORMATS.md *Image format*): Pillow → numpy
uint16 → scaled, a torchvision `CocoDetection` subclass, and a webdataset decoder for the PNG
members. Each must give the values Pillow reads as I;16, not the all-white picture that
`convert("RGB")` (torchvision's default loader, webdataset's "rgb8") makes of them — which is
checked too, so the docs' warning stays true.
"""
import io
import os
import pathlib

import numpy as np
import pytest
from PIL import Image

from conftest import SMALL_GREY16_SCENE, render_scene_text, run_tessera

@pytest.fixture(scope="module")
def grey16(tmp_path_factory):
    return render_scene_text(tmp_path_factory.mktemp("grey16"), SMALL_GREY16_SCENE,
                             "--count", "2", "--seed", "5", "--split", "train=0.5,val=0.5")


def stored(path):
    """The picture as Pillow reads a 16-bit grey PNG: mode I;16, uint16."""
    with Image.open(path) as image:
        assert image.mode == "I;16", image.mode
        return np.array(image)


def test_the_numpy_snippet_keeps_the_16_bit_values(grey16):
    path = grey16 / "images" / "000000.png"
    truth = stored(path)
    assert truth.dtype == np.uint16 and truth.max() > 255 and len(np.unique(truth)) > 2
    # docs/FORMATS.md, Image format:
    with Image.open(path) as image:
        pixels = np.array(image)
    scaled = pixels.astype(np.float32) / np.iinfo(pixels.dtype).max
    assert np.array_equal(pixels, truth)
    assert np.allclose(scaled * 65535, truth)
    assert 0 < scaled.min() and scaled.max() < 1 and not np.all(scaled == scaled.flat[0])


def test_rgb_conversion_turns_it_white_as_the_docs_warn(grey16):
    with Image.open(grey16 / "images" / "000000.png") as image:
        assert np.all(np.array(image.convert("RGB")) == 255)


def test_the_torchvision_subclass_reads_the_stored_values(grey16):
    torch = pytest.importorskip("torch")
    pytest.importorskip("torchvision")
    from torchvision import tv_tensors
    from torchvision.datasets import CocoDetection, wrap_dataset_for_transforms_v2

    # README, Grey images:
    class GreyCocoDetection(CocoDetection):
        """Grey 8- or 16-bit images as float32 1×H×W in 0…1 (value / 255 or / 65535)."""
        def _load_image(self, id):
            with Image.open(os.path.join(self.root, self.coco.loadImgs(id)[0]["file_name"])) as image:
                pixels = np.array(image)                      # H×W uint8 (L) or uint16 (I;16)
            return tv_tensors.Image(torch.from_numpy(pixels.astype(np.float32) / np.iinfo(pixels.dtype).max))

    for split in ["train", "val"]:
        annotations = str(grey16 / "annotations" / f"instances_{split}.json")
        default = CocoDetection(str(grey16 / "images"), annotations)
        dataset = wrap_dataset_for_transforms_v2(GreyCocoDetection(str(grey16 / "images"), annotations),
                                                 target_keys=("image_id", "boxes", "labels", "masks"))
        assert len(dataset) == 1
        image, target = dataset[0]
        file_name = default.coco.loadImgs(target["image_id"])[0]["file_name"]
        truth = stored(grey16 / "images" / file_name)
        assert image.shape == (1, *truth.shape) and image.dtype == torch.float32
        assert np.allclose(image[0].numpy() * 65535, truth)
        assert target["masks"].shape[1:] == truth.shape
        # The default loader's picture is all white.
        assert np.all(np.array(default[0][0]) == 255)


def test_the_webdataset_decoder_reads_the_stored_values(grey16, tmp_path):
    wds = pytest.importorskip("webdataset")
    shards = tmp_path / "wds"
    result = run_tessera("export", grey16, "--format", "webdataset", "--out", shards)
    assert result.returncode == 0, result.stderr
    tars = sorted(shards.glob("*.tar"))
    assert tars
    seen = 0
    for tar in tars:
        # README, Train on an endless stream (grey scenes):
        dataset = wds.WebDataset(str(tar), shardshuffle=False).decode(
            wds.handle_extension("png", lambda data: np.array(Image.open(io.BytesIO(data)))))
        for sample in dataset:
            truth = stored(grey16 / "images" / f"{sample['__key__']}.png")
            assert sample["png"].dtype == np.uint16 and np.array_equal(sample["png"], truth)
            ids = np.array(Image.open(grey16 / "masks" / "instance_ids" / f"{sample['__key__']}.png"))
            assert np.array_equal(sample["instance.png"], ids)
            seen += 1
        # "rgb8" is what turns it white.
        white = wds.WebDataset(str(tar), shardshuffle=False).decode("rgb8")
        assert all(np.all(sample["png"] == 255) for sample in white)
    assert seen == 2
