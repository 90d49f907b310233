"""The PNGs Tessera writes, checked by readers that share no code with its encoder.

Tessera writes PNGs with the SUB filter through its own writer (rows filtered in one pass,
zlib deflate in one call, chunks and CRC-32/Adler-32 from libdeflate or zlib, whichever the
build found) and --png-level 0 through libpng. For a noisy picture (Huffman-only at level 1),
a clean one (run-length) and the 16-bit instance and 8-bit semantic masks:

  * every chunk's CRC-32 equals Python's zlib.crc32 of its type and data, the IDAT stream
    inflates with Python's zlib (which checks the Adler-32) to the filtered rows' size, and
    the chunks are IHDR, IDAT…, IEND (PLTE for palettes) with a legal zlib header;
  * Pillow decodes the same pixels at levels 0 (libpng), 1 and 6;
  * pycocotools' annToMask of every annotation equals the instance PNG's pixels (Pillow).
"""
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from conftest import run_tessera


def chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, found = 8, []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(kind + body), f"CRC of {kind} at byte {offset}"
        found.append((kind, body))
        offset += 12 + length
    assert offset == len(data)
    return found


def check_png(path):
    parts = chunks(path.read_bytes())
    kinds = [k for k, _ in parts]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    assert set(kinds[1:-1]) <= {b"PLTE", b"IDAT"} and b"IDAT" in kinds
    width, height, depth, color = struct.unpack(">IIBB", parts[0][1][:10])
    stream = b"".join(body for kind, body in parts if kind == b"IDAT")
    assert (stream[0] << 8 | stream[1]) % 31 == 0 and stream[0] & 0x0F == 8, "zlib header"
    channels = {0: 1, 2: 3, 3: 1}[color]
    raw = zlib.decompress(stream)   # raises on a wrong Adler-32
    assert len(raw) == height * (1 + width * channels * depth // 8)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """scene → level → dataset folder."""
    out = {}
    for scene in ("scenes/bench-shapes.scene", "scenes/shapes.scene"):
        for level in (0, 1, 6):
            folder = tmp_path_factory.mktemp("png") / f"{level}"
            result = run_tessera("render", scene, "--count", "3", "--seed", "3", "--png-level", str(level),
                                 "--quiet", "--out", folder)
            assert result.returncode == 0, result.stderr
            out.setdefault(scene, {})[level] = folder
    return out


def png_files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*.png"))


@pytest.mark.parametrize("scene", ["scenes/bench-shapes.scene", "scenes/shapes.scene"])
def test_every_png_has_valid_chunks_checksums_and_zlib_stream(datasets, scene):
    for level, folder in datasets[scene].items():
        names = png_files(folder)
        assert len(names) == 9, names   # 3 pictures, 3 instance masks, 3 semantic masks
        for name in names:
            check_png(folder / name)


@pytest.mark.parametrize("scene", ["scenes/bench-shapes.scene", "scenes/shapes.scene"])
def test_pillow_reads_the_same_pixels_at_every_level(datasets, scene):
    runs = datasets[scene]
    for name in png_files(runs[0]):
        reference = np.array(Image.open(runs[0] / name))
        for level in (1, 6):
            assert np.array_equal(np.array(Image.open(runs[level] / name)), reference), f"{name} at level {level}"


@pytest.mark.parametrize("scene", ["scenes/bench-shapes.scene", "scenes/shapes.scene"])
def test_pycocotools_masks_equal_the_instance_pngs(datasets, scene):
    folder = datasets[scene][1]
    coco = COCO(str(folder / "annotations" / "instances_default.json"))
    assert coco.getAnnIds()
    for image in coco.loadImgs(coco.getImgIds()):
        stem = image["file_name"].rsplit(".", 1)[0]
        ids = np.array(Image.open(folder / "masks" / "instance_ids" / f"{stem}.png"))
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=image["id"])):
            assert np.array_equal(coco.annToMask(ann).astype(bool), ids == ann["mask_id"]), ann["id"]
