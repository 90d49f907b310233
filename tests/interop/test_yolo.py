"""Interop test: `tessera export --format yolo | yolo-seg` read by ultralytics itself.

Renders scenes/shapes.scene, street.scene and crowd.scene with the built binary, exports
both YOLO formats, then:
  * decodes every label file with ultralytics' own `verify_image_label` (the function its
    datasets use) and checks detection boxes against the COCO bboxes (exact to float32);
  * rasterises every segmentation line with ultralytics' own `polygon2mask` (de-normalised,
    truncated to int32, cv2.fillPoly) and compares it with the instance PNG: exact for every
    instance whose mask is 8-connected, and the mean IoU per scene above a floor (figures in
    docs/FORMATS.md, "Exports");
  * trains YOLO('yolov8n-seg.yaml') for one epoch on CPU at imgsz 128, offline, with every
    network connection refused and recorded, and checks it read our instances.
The binary is $TESSERA_BIN, else .build/debug/tessera.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("YOLO_OFFLINE", "1")  # before ultralytics is imported
import ultralytics.data.utils as ultralytics_utils  # noqa: E402
import cv2  # noqa: E402  (an ultralytics dependency)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))
SCENES = {"shapes": 8, "street": 4, "crowd": 3}
# Mean IoU floors per scene, below the measured means (docs/FORMATS.md): what is lost is the
# bridges joining parts of an occluded instance, which OpenCV's fill must draw.
IOU_FLOOR = {"shapes": 0.999, "street": 0.98, "crowd": 0.98}


def tessera(*args):
    result = subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    return result


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("yolo")
    out = {}
    for scene, count in SCENES.items():
        dataset = base / scene
        r = tessera("render", f"scenes/{scene}.scene", "--count", str(count), "--seed", "5", "--out", str(dataset), "--quiet")
        assert r.returncode == 0, r.stderr
        for fmt in ("yolo", "yolo-seg"):
            r = tessera("export", str(dataset), "--format", fmt, "--out", str(base / f"{scene}-{fmt}"), "--quiet")
            assert r.returncode == 0, r.stderr
        out[scene] = (dataset, base / f"{scene}-yolo", base / f"{scene}-yolo-seg")
    return out


def coco(dataset):
    with open(dataset / "annotations" / "instances_default.json") as f:
        return json.load(f)


def read_labels(export, image, nc):
    """ultralytics' own reading of one image's label file: (boxes, segments)."""
    name = pathlib.Path(image["file_name"]).name
    im_file = str(export / "images" / name)
    lb_file = str(export / "labels" / (pathlib.Path(name).stem + ".txt"))
    im, lb, shape, segments, _, nm, nf, ne, nc_bad, msg = ultralytics_utils.verify_image_label(
        (im_file, lb_file, "", False, nc, 0, 0, False))
    assert nc_bad == 0, msg
    assert tuple(shape) == (image["height"], image["width"])
    return lb, segments


def by_image(doc):
    groups = {im["id"]: [] for im in doc["images"]}
    for ann in doc["annotations"]:
        groups[ann["image_id"]].append(ann)
    return groups


def test_data_yaml_is_what_ultralytics_expects(exports):
    for scene, (dataset, det, seg) in exports.items():
        doc = coco(dataset)
        for export in (det, seg):
            data = ultralytics_utils.check_det_dataset(str(export / "data.yaml"), autodownload=False)
            assert data["names"] == {i: c["name"] for i, c in enumerate(doc["categories"])}
            assert data["nc"] == len(doc["categories"])
            listed = (export / "default.txt").read_text().split()
            assert listed == [f"./images/{pathlib.Path(im['file_name']).name}" for im in doc["images"]]
            # Images are the dataset's files, hard-linked (same file system here).
            for im in doc["images"]:
                a, b = dataset / "images" / im["file_name"], export / "images" / pathlib.Path(im["file_name"]).name
                assert os.path.samefile(a, b)


def test_detection_boxes_are_the_coco_boxes(exports):
    for scene, (dataset, det, _) in exports.items():
        doc = coco(dataset)
        index = {c["id"]: i for i, c in enumerate(doc["categories"])}
        for im in doc["images"]:
            anns = by_image(doc)[im["id"]]
            lb, segments = read_labels(det, im, len(index))
            assert not segments
            assert len(lb) == len(anns)
            w, h = im["width"], im["height"]
            for row, ann in zip(lb, anns):
                x, y, bw, bh = ann["bbox"]
                assert int(row[0]) == index[ann["category_id"]]
                expected = np.array([(x + bw / 2) / w, (y + bh / 2) / h, bw / w, bh / h])
                assert np.abs((row[1:] - expected) * [w, h, w, h]).max() < 2e-3, (scene, ann["id"])


def segmentation_ious(dataset, seg):
    """Per instance: (IoU, is the mask 8-connected, decoded == mask)."""
    doc = coco(dataset)
    index = {c["id"]: i for i, c in enumerate(doc["categories"])}
    results = []
    for im in doc["images"]:
        anns = by_image(doc)[im["id"]]
        lb, segments = read_labels(seg, im, len(index))
        ids = np.array(Image.open(dataset / "masks" / "instance_ids" / (pathlib.Path(im["file_name"]).stem + ".png")))
        w, h = im["width"], im["height"]
        assert len(segments) == len(anns)
        for row, segment, ann in zip(lb, segments, anns):
            assert int(row[0]) == index[ann["category_id"]]
            truth = ids == ann["mask_id"]
            # As ultralytics de-normalises: float32 segments times the image size.
            decoded = ultralytics_utils.polygon2mask((h, w), [(segment * np.array([w, h], dtype=np.float32)).reshape(-1)]) == 1
            iou = (decoded & truth).sum() / (decoded | truth).sum()
            parts = cv2.connectedComponents(truth.astype(np.uint8), connectivity=8)[0] - 1
            results.append((iou, parts == 1, bool((decoded == truth).all())))
            # The box ultralytics derives from the polygon is the decoded mask's, 1/128 px in a side.
            ys, xs = np.nonzero(decoded)
            box = np.array([(xs.min() + xs.max() + 1) / 2, (ys.min() + ys.max() + 1) / 2,
                            xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()])
            assert np.abs(row[1:] * [w, h, w, h] - box).max() < 0.02, ann["id"]
    return results


@pytest.mark.parametrize("scene", list(SCENES))
def test_segments_rasterise_to_the_instance_masks(exports, scene):
    dataset, _, seg = exports[scene]
    results = segmentation_ious(dataset, seg)
    ious = np.array([r[0] for r in results])
    for iou, is_connected, is_exact in results:
        if is_connected:
            assert is_exact, "an 8-connected mask comes back exactly"
    print(f"{scene}: {len(ious)} instances, mean IoU {ious.mean():.5f}, exact {np.mean([r[2] for r in results]):.3f}")
    assert ious.mean() >= IOU_FLOOR[scene]


TRAIN = textwrap.dedent("""
    import json, socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network disabled by the test")
    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    from ultralytics import YOLO
    model = YOLO("yolov8n-seg.yaml")
    model.train(data=sys.argv[1], epochs=1, imgsz=128, batch=4, device="cpu", workers=0, plots=False, amp=False,
                pretrained=False, project=sys.argv[2], name="run", exist_ok=True, verbose=False, seed=0)
    labels = model.trainer.train_loader.dataset.labels
    print(json.dumps({"attempts": attempts, "images": len(labels),
                      "instances": int(sum(len(l["cls"]) for l in labels)),
                      "segments": int(sum(len(l["segments"]) for l in labels))}))
""")


def test_one_epoch_of_yolov8n_seg_trains_offline_on_the_export(exports, tmp_path):
    dataset, _, seg = exports["shapes"]
    config = tmp_path / "config"
    (config / "Ultralytics").mkdir(parents=True)
    # check_det_dataset looks for Arial.ttf in its config folder (YOLO_CONFIG_DIR/Ultralytics)
    # and else downloads it: give it a font (any TrueType file; plots are off).
    font = pathlib.Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert font.exists(), "fonts-dejavu-core (scripts/setup.sh installs it)"
    shutil.copy(font, config / "Ultralytics" / "Arial.ttf")
    env = dict(os.environ, YOLO_OFFLINE="1", YOLO_CONFIG_DIR=str(config), MPLCONFIGDIR=str(tmp_path / "mpl"))
    result = subprocess.run([sys.executable, "-c", TRAIN, str(seg / "data.yaml"), str(tmp_path / "runs")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    doc = coco(dataset)
    assert report["attempts"] == [], "ultralytics tried the network"
    assert report["images"] == len(doc["images"])
    assert report["instances"] == report["segments"] == len(doc["annotations"])
    assert (tmp_path / "runs" / "run" / "weights" / "last.pt").exists()
    assert not list(tmp_path.glob("*.pt")), "no weights downloaded"


def test_unknown_format_is_a_usage_error_listing_the_formats(exports, tmp_path):
    dataset = exports["shapes"][0]
    r = tessera("export", str(dataset), "--format", "yolov5", "--out", str(tmp_path / "x"))
    assert r.returncode == 64
    assert "yolo, yolo-seg" in r.stderr
    assert not (tmp_path / "x").exists()


def test_non_empty_out_is_refused_without_overwrite(exports, tmp_path):
    dataset, det, _ = exports["shapes"]
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    r = tessera("export", str(dataset), "--format", "yolo", "--out", str(out))
    assert r.returncode == 64 and "not empty" in r.stderr
    assert sorted(os.listdir(out)) == ["notes.txt"]
    r = tessera("export", str(dataset), "--format", "yolo", "--out", str(out), "--overwrite", "--quiet")
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(out)) == ["data.yaml", "default.txt", "images", "labels", "notes.txt"]
    assert (out / "labels" / "000000.txt").read_bytes() == (det / "labels" / "000000.txt").read_bytes()


def damaged_copy(dataset, tmp_path):
    copy = tmp_path / "damaged"
    shutil.copytree(dataset, copy)
    return copy


@pytest.mark.parametrize("damage, named", [
    ("no manifest", "manifest.json"),
    ("missing mask", "masks/instance_ids/000003.png"),
    ("undecodable mask", "masks/instance_ids/000003.png"),
    ("instance absent from mask", "masks/instance_ids/000003.png"),
])
def test_a_damaged_dataset_is_named_and_nothing_is_written(exports, tmp_path, damage, named):
    dataset = damaged_copy(exports["shapes"][0], tmp_path)
    mask = dataset / "masks" / "instance_ids" / "000003.png"
    if damage == "no manifest":
        (dataset / "manifest.json").unlink()
    elif damage == "missing mask":
        mask.unlink()
    elif damage == "undecodable mask":
        mask.write_bytes(b"not a png")
    else:
        pixels = np.array(Image.open(mask))
        first = next(a for a in coco(dataset)["annotations"] if a["image_id"] == 4)
        pixels[pixels == first["mask_id"]] = 0
        Image.fromarray(pixels).save(mask)
    out = tmp_path / "out"
    r = tessera("export", str(dataset), "--format", "yolo-seg", "--out", str(out))
    assert r.returncode == 65, r.stderr
    assert named in r.stderr
    assert [p for p in os.listdir(out) if not p.startswith(".")] == [] if out.exists() else True
    assert not (out / ".tessera-export.partial").exists() if out.exists() else True


def test_splits_become_ultralytics_train_val_test_lists(tmp_path):
    """A run with --split: data.yaml names train.txt, val.txt and test.txt, each listing the
    images of that split's instances file, and ultralytics resolves them."""
    dataset = tmp_path / "split"
    r = tessera("render", "scenes/shapes.scene", "--count", "20", "--seed", "2", "--split", "train=0.6,val=0.2,test=0.2",
                "--out", str(dataset), "--quiet")
    assert r.returncode == 0, r.stderr
    export = tmp_path / "split-yolo"
    r = tessera("export", str(dataset), "--format", "yolo", "--out", str(export), "--quiet")
    assert r.returncode == 0, r.stderr
    data = ultralytics_utils.check_det_dataset(str(export / "data.yaml"), autodownload=False)
    for split in ("train", "val", "test"):
        with open(dataset / "annotations" / f"instances_{split}.json") as f:
            names = [im["file_name"] for im in json.load(f)["images"]]
        assert len(names) == {"train": 12, "val": 4, "test": 4}[split]
        assert (export / f"{split}.txt").read_text().split() == [f"./images/{n}" for n in names]
        assert pathlib.Path(data[split]) == export / f"{split}.txt"
