"""Interop test: `tessera export --format voc` read back as VOC readers read it.

Renders scenes/shapes.scene, street.scene (stuff classes) and crowd.scene (hundreds of
instances per image, some filtered by --min-visible-pixels), exports them, then:
  * parses every Annotations/*.xml with xml.etree and checks each <object> against the COCO
    annotation in the same order: name, VOC's 1-based inclusive bndbox, truncated (from
    in_frame_fraction), occluded (from visible_fraction), pose, difficult;
  * opens SegmentationClass and SegmentationObject with Pillow: palette mode "P", the VOC
    colour map (computed here from the devkit's bit rule), class indices equal to the
    semantic PNG, object indices 1…N in <object> order on the instance PNG's pixels, 255 on
    instances without annotation;
  * checks ImageSets, labelmap.txt and the images;
  * crowd.scene: refused by default (exit 64, nothing written), and with
    --voc-overflow gray16 written as 16-bit greyscale object PNGs that match the same way;
  * reads the export with Datumaro's VOC importer when datumaro is installed (skipped if not):
    labels, boxes and per-object masks.
The binary is $TESSERA_BIN, else .build/debug/tessera.
"""
import json
import os
import pathlib
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from conftest import BINARY, ROOT, run_tessera as tessera  # noqa: E402  (the shared binary lookup)
# scene: (count, render flags, export flags)
SCENES = {
    "shapes": (6, [], []),
    "street": (4, [], []),
    "crowd": (3, ["--min-visible-pixels", "30"], ["--voc-overflow", "gray16"]),
}



@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("voc")
    out = {}
    for scene, (count, render_flags, export_flags) in SCENES.items():
        dataset = base / scene
        r = tessera("render", f"scenes/{scene}.scene", "--count", str(count), "--seed", "5", *render_flags,
                    "--out", str(dataset), "--quiet")
        assert r.returncode == 0, r.stderr
        export = base / f"{scene}-voc"
        r = tessera("export", str(dataset), "--format", "voc", *export_flags, "--out", str(export), "--quiet")
        assert r.returncode == 0, r.stderr
        out[scene] = (dataset, export)
    return out


def load(path):
    with open(path) as f:
        return json.load(f)


def voc_colormap():
    """The VOC devkit's labelcolormap(256): bits of the index, three at a time, into the high
    bits of R, G, B."""
    colors = []
    for index in range(256):
        r = g = b = 0
        c = index
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        colors += [r, g, b]
    return colors


def png(path):
    return np.array(Image.open(path)).astype(np.int64)


def images_and_annotations(dataset, split="default"):
    doc = load(dataset / "annotations" / f"instances_{split}.json")
    by_image = {im["id"]: [] for im in doc["images"]}
    for a in doc["annotations"]:
        by_image[a["image_id"]].append(a)
    return doc, by_image


def test_layout_lists_and_labelmap(exports):
    for scene, (dataset, export) in exports.items():
        doc, _ = images_and_annotations(dataset)
        classes = load(dataset / "classes.json")
        stems = [pathlib.Path(im["file_name"]).stem for im in doc["images"]]
        assert sorted(os.listdir(export)) == ["Annotations", "ImageSets", "JPEGImages", "SegmentationClass",
                                              "SegmentationObject", "labelmap.txt"]
        for task in ("Main", "Segmentation"):
            assert (export / "ImageSets" / task / "default.txt").read_text().split("\n") == stems + [""]
        for folder, ext in (("Annotations", ".xml"), ("SegmentationClass", ".png"), ("SegmentationObject", ".png")):
            assert sorted(os.listdir(export / folder)) == sorted(s + ext for s in stems)
        for im in doc["images"]:
            assert (export / "JPEGImages" / im["file_name"]).read_bytes() == (dataset / "images" / im["file_name"]).read_bytes()
        lines = (export / "labelmap.txt").read_text().splitlines()
        assert lines[0].startswith("#") and lines[1] == "background:0,0,0::"
        colormap = voc_colormap()
        for line, category in zip(lines[2:], classes["categories"]):
            assert line == f"{category['name']}:{','.join(map(str, colormap[3 * category['id']:3 * category['id'] + 3]))}::"
        assert lines[-1] == "ignored:224,224,192::"  # VOC's void, 255
        assert len(lines) == 3 + len(classes["categories"])


def test_xml_objects_are_the_annotations_in_voc_conventions(exports):
    seen_truncated = seen_occluded = 0
    for scene, (dataset, export) in exports.items():
        doc, by_image = images_and_annotations(dataset)
        names = {c["id"]: c["name"] for c in doc["categories"]}
        for im in doc["images"]:
            root = ET.parse(export / "Annotations" / (pathlib.Path(im["file_name"]).stem + ".xml")).getroot()
            assert root.tag == "annotation"
            assert root.findtext("filename") == im["file_name"]
            assert int(root.findtext("size/width")) == im["width"] and int(root.findtext("size/height")) == im["height"]
            assert root.findtext("size/depth") == "3" and root.findtext("segmented") == "1"
            objects = root.findall("object")
            annotations = by_image[im["id"]]
            assert len(objects) == len(annotations)
            for obj, a in zip(objects, annotations):
                x, y, w, h = a["bbox"]
                assert obj.findtext("name") == names[a["category_id"]]
                assert obj.findtext("pose") == "Unspecified" and obj.findtext("difficult") == "0"
                box = [int(obj.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]
                assert box == [x + 1, y + 1, x + w, y + h]
                assert 1 <= box[0] <= box[2] <= im["width"] and 1 <= box[1] <= box[3] <= im["height"]
                truncated = int(a["in_frame_fraction"] < 1)
                occluded = int(a["visible_fraction"] < 1)
                assert obj.findtext("truncated") == str(truncated)
                assert obj.findtext("occluded") == str(occluded)
                seen_truncated += truncated
                seen_occluded += occluded
    assert seen_truncated > 0 and seen_occluded > 0


def test_class_and_object_pngs_match_the_dataset_masks(exports):
    colormap = voc_colormap()
    seen_void = 0
    for scene, (dataset, export) in exports.items():
        doc, by_image = images_and_annotations(dataset)
        gray16 = scene == "crowd"
        for im in doc["images"]:
            stem = pathlib.Path(im["file_name"]).stem
            semantic = png(dataset / "masks" / "semantic" / f"{stem}.png")
            instance = png(dataset / "masks" / "instance_ids" / f"{stem}.png")
            cls = Image.open(export / "SegmentationClass" / f"{stem}.png")
            assert cls.mode == "P" and cls.getpalette()[:768] == colormap
            assert np.array_equal(np.array(cls).astype(np.int64), semantic)
            obj = Image.open(export / "SegmentationObject" / f"{stem}.png")
            void = 65535 if gray16 else 255
            if gray16:
                assert obj.mode in ("I;16", "I")
            else:
                assert obj.mode == "P" and obj.getpalette()[:768] == colormap
            objects = np.array(obj).astype(np.int64)
            expected = np.where(instance == 0, 0, void)
            for index, a in enumerate(by_image[im["id"]], start=1):
                expected[instance == a["mask_id"]] = index
            assert np.array_equal(objects, expected), (scene, stem)
            seen_void += int((objects == void).any())
    assert seen_void > 0, "no instance without annotation appeared"


def test_crowd_overflows_the_8_bit_object_png_unless_asked(exports, tmp_path):
    dataset, _ = exports["crowd"]
    doc, by_image = images_and_annotations(dataset)
    assert max(len(v) for v in by_image.values()) > 254, "crowd.scene no longer has more than 254 instances in an image"
    out = tmp_path / "out"
    r = tessera("export", str(dataset), "--format", "voc", "--out", str(out))
    assert r.returncode == 64, r.stderr
    assert "--voc-overflow gray16" in r.stderr and "254" in r.stderr
    assert not out.exists() or [p for p in os.listdir(out) if not p.startswith(".")] == []
    assert not (out / ".tessera-export.partial").exists()


@pytest.mark.parametrize("flag, good, bad, message", [
    ("--voc-overflow", "gray16", "drop", "error, gray16"),
    ("--voc-void-band", "5", "-1", "--voc-void-band must be 0"),
])
def test_voc_flags_are_refused_for_other_formats_and_bad_values(exports, tmp_path, flag, good, bad, message):
    dataset, _ = exports["shapes"]
    r = tessera("export", str(dataset), "--format", "yolo", flag, good, "--out", str(tmp_path / "a"))
    assert r.returncode == 64 and flag in r.stderr
    r = tessera("export", str(dataset), "--format", "voc", flag, bad, "--out", str(tmp_path / "b"))
    assert r.returncode == 64 and message in r.stderr, r.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_splits_get_their_image_sets(tmp_path):
    dataset = tmp_path / "split"
    r = tessera("render", "scenes/shapes.scene", "--count", "10", "--seed", "2", "--split", "train=0.6,val=0.4",
                "--out", str(dataset), "--quiet")
    assert r.returncode == 0, r.stderr
    export = tmp_path / "export"
    r = tessera("export", str(dataset), "--format", "voc", "--out", str(export), "--quiet")
    assert r.returncode == 0, r.stderr
    for split in ("train", "val"):
        stems = [pathlib.Path(im["file_name"]).stem for im in load(dataset / "annotations" / f"instances_{split}.json")["images"]]
        for task in ("Main", "Segmentation"):
            assert (export / "ImageSets" / task / f"{split}.txt").read_text().split() == stems


def test_datumaro_reads_the_export(exports):
    datumaro = pytest.importorskip("datumaro")
    dataset, export = exports["street"]
    doc, by_image = images_and_annotations(dataset)
    names = {c["id"]: c["name"] for c in doc["categories"]}
    imported = datumaro.Dataset.import_from(str(export), "voc")
    labels = imported.categories()[datumaro.AnnotationType.label]
    items = {item.id: item for item in imported}
    for im in doc["images"]:
        item = items[pathlib.Path(im["file_name"]).stem]
        boxes = [a for a in item.annotations if a.type == datumaro.AnnotationType.bbox]
        annotations = by_image[im["id"]]
        assert len(boxes) == len(annotations)
        for box, a in zip(boxes, annotations):
            x, y, w, h = a["bbox"]
            assert labels[box.label].name == names[a["category_id"]]
            # Datumaro keeps VOC's numbers as they are: x = xmin, w = xmax − xmin.
            assert [box.x, box.y, box.w, box.h] == [x + 1, y + 1, w - 1, h - 1]
        # One mask per object, from SegmentationObject (group = the object index) and
        # SegmentationClass (label): exactly the instance's pixels.
        instance = png(dataset / "masks" / "instance_ids" / (item.id + ".png"))
        masks = [a for a in item.annotations if a.type == datumaro.AnnotationType.mask]
        assert sorted(m.group for m in masks) == list(range(1, len(annotations) + 1))
        for m in masks:
            a = annotations[m.group - 1]
            assert labels[m.label].name == names[a["category_id"]]
            assert np.array_equal(m.image.astype(bool), instance == a["mask_id"])


def test_per_class_image_sets_flag_each_image_as_the_devkit_does(exports, tmp_path):
    """ImageSets/Main/<class>_<split>.txt for every thing class: `NAME  1` when the image has an
    object of the class, `NAME -1` when not (the devkit's `%s %2d`; 0, only difficult objects,
    cannot occur: Tessera marks none difficult)."""
    seen = {1: 0, -1: 0}
    for scene, (dataset, export) in exports.items():
        doc, by_image = images_and_annotations(dataset)
        classes = load(dataset / "classes.json")["categories"]
        things = [c for c in classes if c["isthing"] == 1]
        expected_files = {"default.txt"} | {f"{c['name']}_default.txt" for c in things}
        assert set(os.listdir(export / "ImageSets" / "Main")) == expected_files
        for c in things:
            lines = (export / "ImageSets" / "Main" / f"{c['name']}_default.txt").read_text().split("\n")
            assert lines[-1] == ""
            expected = []
            for im in doc["images"]:
                flag = 1 if any(a["category_id"] == c["id"] for a in by_image[im["id"]]) else -1
                expected.append("%s %2d" % (pathlib.Path(im["file_name"]).stem, flag))
                seen[flag] += 1
            assert lines[:-1] == expected, (scene, c["name"])
    assert seen[1] > 0 and seen[-1] > 0


def void_band(instance, width):
    """The band as docs/FORMATS.md defines it, computed independently: border pixels (one-sided
    for an odd width, two-sided for an even one), dilated by a (2k+1)-square, k = (width-1)//2."""
    h, w = instance.shape
    seeds = np.zeros((h, w), bool)
    right = instance[:, :-1] != instance[:, 1:]
    down = instance[:-1, :] != instance[1:, :]
    seeds[:, :-1] |= right
    seeds[:-1, :] |= down
    if width % 2 == 0:
        seeds[:, 1:] |= right
        seeds[1:, :] |= down
    k = (width - 1) // 2
    padded = np.pad(seeds, k)
    band = np.zeros((h, w), bool)
    for dy in range(2 * k + 1):
        for dx in range(2 * k + 1):
            band |= padded[dy:dy + h, dx:dx + w]
    return band


@pytest.mark.parametrize("width", [5, 2])
def test_void_band_is_255_over_instance_borders_and_exact_elsewhere(exports, tmp_path, width):
    dataset, _ = exports["street"]
    doc, by_image = images_and_annotations(dataset)
    export = tmp_path / "band"
    r = tessera("export", str(dataset), "--format", "voc", "--voc-void-band", str(width), "--out", str(export), "--quiet")
    assert r.returncode == 0, r.stderr
    banded = 0
    for im in doc["images"]:
        stem = pathlib.Path(im["file_name"]).stem
        semantic = png(dataset / "masks" / "semantic" / f"{stem}.png")
        instance = png(dataset / "masks" / "instance_ids" / f"{stem}.png")
        band = void_band(instance, width)
        cls = png(export / "SegmentationClass" / f"{stem}.png")
        obj = png(export / "SegmentationObject" / f"{stem}.png")
        exact = np.where(instance == 0, 0, 255)
        for index, a in enumerate(by_image[im["id"]], start=1):
            exact[instance == a["mask_id"]] = index
        assert np.array_equal(cls, np.where(band, 255, semantic)), stem
        assert np.array_equal(obj, np.where(band, 255, exact)), stem
        banded += int(band.sum())
    assert banded > 0
    # A straight vertical border between two labelled sides gets exactly `width` void pixels
    # across it.
    for im in doc["images"]:
        stem = pathlib.Path(im["file_name"]).stem
        instance = png(dataset / "masks" / "instance_ids" / f"{stem}.png")
        annotated = {a["mask_id"] for a in by_image[im["id"]]} | {0}
        obj = png(export / "SegmentationObject" / f"{stem}.png")
        for y in range(8, instance.shape[0] - 8):
            for x in range(8, instance.shape[1] - 9):
                a, b = instance[y, x], instance[y, x + 1]
                if a == b or a not in annotated or b not in annotated:
                    continue
                block = instance[y - 8:y + 9, x - 8:x + 9]
                if (block[:, :9] == a).all() and (block[:, 9:] == b).all():
                    assert (obj[y, x - 7:x + 9] == 255).sum() == width, (stem, y, x)
                    return
    pytest.fail("no straight vertical border found in street.scene")


def test_datumaro_reads_the_void_band_and_class_lists(exports, tmp_path):
    datumaro = pytest.importorskip("datumaro")
    dataset, _ = exports["street"]
    doc, by_image = images_and_annotations(dataset)
    names = {c["id"]: c["name"] for c in doc["categories"]}
    export = tmp_path / "band"
    r = tessera("export", str(dataset), "--format", "voc", "--voc-void-band", "5", "--out", str(export), "--quiet")
    assert r.returncode == 0, r.stderr
    imported = datumaro.Dataset.import_from(str(export), "voc")
    labels = imported.categories()[datumaro.AnnotationType.label]
    items = {item.id: item for item in imported}
    for im in doc["images"]:
        item = items[pathlib.Path(im["file_name"]).stem]
        instance = png(dataset / "masks" / "instance_ids" / (item.id + ".png"))
        band = void_band(instance, 5)
        annotations = by_image[im["id"]]
        masks = [a for a in item.annotations if a.type == datumaro.AnnotationType.mask]
        # Datumaro reads the void pixels (object index 255) as one more mask, labelled "ignored".
        assert all(labels[m.label].name == "ignored" for m in masks if m.group > len(annotations))
        objects = [m for m in masks if m.group <= len(annotations)]
        # An object thinner than the band vanishes under it: Datumaro finds no mask for it.
        visible = [k for k, a in enumerate(annotations, start=1) if ((instance == a["mask_id"]) & ~band).any()]
        assert sorted(m.group for m in objects) == visible and len(visible) > len(annotations) // 2
        for m in objects:
            a = annotations[m.group - 1]
            assert labels[m.label].name == names[a["category_id"]]
            assert np.array_equal(m.image.astype(bool), (instance == a["mask_id"]) & ~band)
        # The per-class lists become image labels: the classes present.
        present = {labels[a.label].name for a in item.annotations if a.type == datumaro.AnnotationType.label}
        assert present == {names[a["category_id"]] for a in annotations}
