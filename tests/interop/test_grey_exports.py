"""Interop test: exports of grey datasets (a `sensor channels: 1` scene, 8- and 16-bit), read
with the readers of each format (docs/FORMATS.md, "Grey images").

Renders scenes/cells.scene (16-bit grey) and the same scene with `bits: 8`, exports them, and
checks that:
  * ultralytics' own `check_det_dataset` and `YOLODataset` (the reader its trainer builds)
    read the YOLO export as one channel (`channels: 1` in data.yaml), the image as
    ultralytics decodes it (the high byte of a 16-bit sample) and every instance's polygon;
  * the YOLO and WebDataset exports carry the dataset's image as it is (16-bit kept);
  * VOC, COCO panoptic and MOT/YouTube-VIS formats, whose readers decode 8 bits, get an 8-bit
    grey PNG of round(v / 257): for these scenes the very image the 8-bit sensor writes;
  * VOC's XML gives depth 1.
"""
import os
import pathlib
import re

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, run_tessera

os.environ.setdefault("YOLO_OFFLINE", "1")  # before ultralytics is imported


@pytest.fixture(scope="module")
def grey(tmp_path_factory):
    base = tmp_path_factory.mktemp("grey")
    scene8 = base / "cells8.scene"
    text = (ROOT / "scenes" / "cells.scene").read_text()
    assert "sensor channels: 1, bits: 16" in text
    scene8.write_text(text.replace("sensor channels: 1, bits: 16", "sensor channels: 1, bits: 8"))
    out = {}
    for bits, scene in ((16, ROOT / "scenes" / "cells.scene"), (8, scene8)):
        dataset = base / f"cells{bits}"
        r = run_tessera("render", scene, "--count", "2", "--seed", "4", "--out", dataset, "--quiet")
        assert r.returncode == 0, r.stderr
        exports = {}
        for fmt in ("yolo-seg", "voc", "coco-panoptic", "webdataset"):
            extra = ["--voc-overflow", "gray16"] if fmt == "voc" else []
            r = run_tessera("export", dataset, "--format", fmt, "--out", base / f"{bits}-{fmt}", "--quiet", *extra)
            assert r.returncode == 0, r.stderr
            exports[fmt] = base / f"{bits}-{fmt}"
        out[bits] = (dataset, exports)
    return out


def pixels(path):
    with Image.open(path) as image:
        return np.array(image)


@pytest.mark.parametrize("bits", [8, 16])
def test_ultralytics_reads_the_yolo_export_as_one_channel(grey, bits):
    import ultralytics.data.utils as ultralytics_utils
    from ultralytics.data.dataset import YOLODataset
    dataset, exports = grey[bits]
    data = ultralytics_utils.check_det_dataset(str(exports["yolo-seg"] / "data.yaml"), autodownload=False)
    assert data["channels"] == 1
    # YOLODataset takes its channel count from data.yaml, as the trainer's does.
    reader = YOLODataset(img_path=data["train"], data=data, task="segment", imgsz=512, augment=False, batch_size=1)
    doc = __import__("json").loads((dataset / "annotations" / "instances_default.json").read_text())
    assert len(reader) == len(doc["images"])
    for i, image in enumerate(doc["images"]):
        ours = pixels(dataset / "images" / image["file_name"])
        assert ours.dtype == (np.uint16 if bits == 16 else np.uint8)
        loaded, _, _ = reader.load_image(i)
        loaded = loaded.reshape(loaded.shape[:2])  # one channel
        expected = (ours >> 8).astype(np.uint8) if bits == 16 else ours  # OpenCV keeps a 16-bit sample's high byte
        assert np.array_equal(loaded, expected)
        sample = reader[i]
        assert tuple(sample["img"].shape) == (1, image["height"], image["width"])
        count = sum(a["image_id"] == image["id"] for a in doc["annotations"])
        assert len(reader.labels[i]["segments"]) == len(reader.labels[i]["cls"]) == count


@pytest.mark.parametrize("bits", [8, 16])
def test_yolo_and_webdataset_keep_the_images_as_they_are(grey, bits):
    import tarfile
    dataset, exports = grey[bits]
    for path in sorted((dataset / "images").glob("*.png")):
        assert (exports["yolo-seg"] / "images" / path.name).read_bytes() == path.read_bytes()
    with tarfile.open(exports["webdataset"] / "default-000000.tar") as tar:
        member = tar.extractfile("000000.png").read()
    assert member == (dataset / "images" / "000000.png").read_bytes()


def test_eight_bit_formats_get_the_image_an_8_bit_sensor_writes(grey):
    dataset16, exports16 = grey[16]
    dataset8, exports8 = grey[8]
    for name in ("000000.png", "000001.png"):
        sixteen = pixels(dataset16 / "images" / name).astype(np.int64)
        eight = pixels(dataset8 / "images" / name)
        for export, folder in ((exports16["voc"], "JPEGImages"), (exports16["coco-panoptic"], "images")):
            with Image.open(export / folder / name) as image:
                assert image.mode == "L"
                converted = np.array(image)
            assert np.array_equal(converted, (sixteen + 128) // 257)
            assert np.abs(converted.astype(np.int64) - eight).max() <= 1
            # PIL's RGB conversion, which VOC and COCO readers apply, now keeps the picture.
            with Image.open(export / folder / name) as image:
                assert np.array_equal(np.array(image.convert("RGB"))[..., 0], converted)
        # An 8-bit grey dataset's images are placed as they are.
        for export, folder in ((exports8["voc"], "JPEGImages"), (exports8["coco-panoptic"], "images")):
            assert (export / folder / name).read_bytes() == (dataset8 / "images" / name).read_bytes()


@pytest.mark.parametrize("bits", [8, 16])
def test_voc_gives_depth_one(grey, bits):
    _, exports = grey[bits]
    xml = (exports["voc"] / "Annotations" / "000000.xml").read_text()
    assert re.search(r"<depth>1</depth>", xml)


def test_video_formats_get_8_bit_frames(grey, tmp_path):
    dataset = tmp_path / "clips"
    r = run_tessera("render", "scenes/cells.scene", "--count", "1", "--frames", "2", "--fps", "1", "--seed", "3",
                    "--out", dataset, "--quiet")
    assert r.returncode == 0, r.stderr
    frame = pixels(dataset / "images" / "000000" / "000001.png").astype(np.int64)
    for fmt, path in (("mot", "000000/img1/000002.png"), ("youtube-vis", "JPEGImages/000000/000001.png")):
        out = tmp_path / fmt
        r = run_tessera("export", dataset, "--format", fmt, "--out", out, "--quiet")
        assert r.returncode == 0, r.stderr
        with Image.open(out / path) as image:
            assert image.mode == "L"
            assert np.array_equal(np.array(image), (frame + 128) // 257)
