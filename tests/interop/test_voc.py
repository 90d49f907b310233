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
        assert len(lines) == 2 + len(classes["categories"])


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


def test_overflow_flag_is_refused_for_other_formats_and_unknown_policies(exports, tmp_path):
    dataset, _ = exports["shapes"]
    r = tessera("export", str(dataset), "--format", "yolo", "--voc-overflow", "gray16", "--out", str(tmp_path / "a"))
    assert r.returncode == 64 and "--voc-overflow" in r.stderr
    r = tessera("export", str(dataset), "--format", "voc", "--voc-overflow", "drop", "--out", str(tmp_path / "b"))
    assert r.returncode == 64 and "error, gray16" in r.stderr
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
