"""`tessera compare --json` gives pycocotools COCOeval's 12 stats to 1e-6.

Renders scenes/crowd.scene (4 images, over 100 people in one at least) and
scenes/occlusion_pairs.scene (20 images) with $TESSERA_BIN (else .build/debug/tessera),
makes perturbed predictions here (shifted and rescaled boxes, eroded, dilated and shifted
masks via numpy and pycocotools, dropped instances, extra instances, random scores rounded
so that ties occur), writes them as COCO results files (boxes only, masks only, both), and
runs COCOeval (bbox and segm) and `tessera compare` on the same files. A ground truth with
some instances turned into crowds (iscrowd 1) checks crowd handling through the instances-file
path. Mismatched label sets must exit 65 naming what does not match.
"""
import contextlib
import io
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))
STATS = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]


def run(*args):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def render(tmp, scene, count, seed):
    out = tmp / pathlib.Path(scene).stem
    result = run("render", scene, "--count", str(count), "--seed", str(seed), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def perturb(document, rng):
    """Results: each instance kept with probability 0.85, its box shifted and rescaled, its
    mask eroded, dilated or shifted; plus 10 % extra instances at random places."""
    boxes, masks = [], []
    categories = [c["id"] for c in document["categories"]]
    images = {i["id"]: i for i in document["images"]}
    for a in document["annotations"]:
        if rng.random() < 0.15:
            continue
        score = round(float(rng.random()), 2)
        x, y, w, h = a["bbox"]
        dx, dy = rng.normal(0, 0.1 * max(w, 2), size=2)
        sw, sh = np.exp(rng.normal(0, 0.1, size=2))
        boxes.append({"image_id": a["image_id"], "category_id": a["category_id"],
                      "bbox": [x + dx, y + dy, w * sw, h * sh], "score": score})
        m = mask_utils.decode(a["segmentation"]).astype(bool)
        kind = rng.integers(3)
        if kind == 0:  # erode by one pixel
            m = m & np.roll(m, 1, 0) & np.roll(m, -1, 0) & np.roll(m, 1, 1) & np.roll(m, -1, 1)
        elif kind == 1:  # dilate by one pixel
            m = m | np.roll(m, 1, 0) | np.roll(m, -1, 0) | np.roll(m, 1, 1) | np.roll(m, -1, 1)
        else:
            m = np.roll(m, tuple(int(v) for v in rng.integers(-3, 4, size=2)), (0, 1))
        rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        masks.append({"image_id": a["image_id"], "category_id": a["category_id"],
                      "segmentation": {"size": rle["size"], "counts": rle["counts"].decode()}, "score": score})
    for _ in range(len(document["annotations"]) // 10):
        image = images[int(rng.choice(list(images)))]
        W, H = image["width"], image["height"]
        w, h = rng.integers(4, 60, size=2)
        x, y = int(rng.integers(0, W - w)), int(rng.integers(0, H - h))
        category, score = int(rng.choice(categories)), round(float(rng.random()), 2)
        boxes.append({"image_id": image["id"], "category_id": category, "bbox": [x, y, int(w), int(h)], "score": score})
        m = np.zeros((H, W), dtype=np.uint8, order="F")
        m[y:y + h, x:x + w] = 1
        rle = mask_utils.encode(m)
        masks.append({"image_id": image["id"], "category_id": category,
                      "segmentation": {"size": rle["size"], "counts": rle["counts"].decode()}, "score": score})
    both = [dict(b, segmentation=m["segmentation"]) for b, m in zip(boxes, masks)]
    return boxes, masks, both


def cocoeval(gt_path, results_path, iou_type):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(gt_path))
        dt = gt.loadRes(str(results_path))
        evaluation = COCOeval(gt, dt, iou_type)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return list(evaluation.stats)


def per_image(gt_path, results_path, iou_type):
    """image id → (ground truths, detections, matches) at IoU 0.5, area all, from COCOeval.evalImgs."""
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(gt_path))
        evaluation = COCOeval(gt, gt.loadRes(str(results_path)), iou_type)
        evaluation.evaluate()
    counts = {}
    for e in evaluation.evalImgs:
        if e is None or e["aRng"] != [0, 1e10]:
            continue
        g, d, m = counts.get(e["image_id"], (0, 0, 0))
        ignored = np.asarray(e["dtIgnore"][0], dtype=bool) if len(e["dtIds"]) else np.zeros(0, dtype=bool)
        matched = (np.asarray(e["dtMatches"][0]) > 0) if len(e["dtIds"]) else np.zeros(0, dtype=bool)
        counts[e["image_id"]] = (g + int(np.count_nonzero(np.asarray(e["gtIgnore"]) == 0)),
                                 d + int(np.count_nonzero(~ignored)), m + int(np.count_nonzero(matched & ~ignored)))
    return counts


def compare(tmp, gt, pred):
    out = tmp / "compare.json"
    result = run("compare", str(gt), str(pred), "--json", str(out))
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


def assert_same(ours, theirs, label):
    for name, value in zip(STATS, theirs):
        assert ours["stats"][name] == pytest.approx(value, abs=1e-6), f"{label} {name}"


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    return tmp, [render(tmp, "scenes/crowd.scene", 4, 11), render(tmp, "scenes/occlusion_pairs.scene", 20, 5)]


def test_crowd_has_more_than_100_instances_per_image(datasets):
    _, (crowd, _) = datasets
    document = json.loads((crowd / "annotations" / "instances_default.json").read_text())
    per_image = max(sum(1 for a in document["annotations"] if a["image_id"] == i["id"]) for i in document["images"])
    assert per_image > 100


@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("crowds", [False, True])
def test_compare_equals_cocoeval(datasets, which, crowds):
    tmp, roots = datasets
    root = roots[which]
    rng = np.random.default_rng(100 + which)
    document = json.loads((root / "annotations" / "instances_default.json").read_text())
    gt_path = root
    if crowds:  # every seventh instance a crowd, through a COCO instances file
        for n, a in enumerate(document["annotations"]):
            if n % 7 == 3:
                a["iscrowd"] = 1
        gt_path = tmp / f"gt_crowds_{which}.json"
        gt_path.write_text(json.dumps(document))
    eval_gt = gt_path if crowds else root / "annotations" / "instances_default.json"
    boxes, masks, both = perturb(document, rng)
    for name, results, types in [("boxes", boxes, ["bbox"]), ("masks", masks, ["bbox", "segm"]),
                                 ("both", both, ["bbox", "segm"])]:
        path = tmp / f"results_{which}_{crowds}_{name}.json"
        path.write_text(json.dumps(results))
        ours = compare(tmp, gt_path, path)
        assert sorted(k for k in ours if k in ("bbox", "segm")) == types
        for iou_type in types:
            assert_same(ours[iou_type], cocoeval(eval_gt, path, iou_type), f"{root.name} {name} {iou_type}")
        theirs = per_image(eval_gt, path, types[-1])
        worst = ours[types[-1]]["worst_images"]
        assert len(worst) == min(10, len(document["images"]))
        for image in worst:
            g, d, m = theirs.get(image["image_id"], (0, 0, 0))
            assert (image["ground_truths"], image["predictions"], image["matches"]) == (g, d, m)
            assert image["f1"] == pytest.approx(1.0 if g + d == 0 else 2 * m / (g + d))
        f1s = sorted(1.0 if g + d == 0 else 2 * m / (g + d) for g, d, m in
                     (theirs.get(i["id"], (0, 0, 0)) for i in document["images"]))
        assert [image["f1"] for image in worst] == pytest.approx(f1s[:len(worst)])


def test_a_render_agrees_with_itself(datasets):
    tmp, (_, pairs) = datasets
    ours = compare(tmp, pairs, pairs / "annotations" / "instances_default.json")
    for iou_type in ("bbox", "segm"):
        assert ours[iou_type]["stats"]["AP"] == 1.0
        assert all(c["mean_matched_iou"] in (1.0, None) for c in ours[iou_type]["per_class"])


def test_mismatched_label_sets_are_listed(datasets):
    tmp, (crowd, pairs) = datasets
    result = run("compare", str(pairs), str(crowd))
    assert result.returncode == 65
    assert "images only in the ground truth: 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, … (16 in all)" in result.stderr
    assert "category 1 is 'disc' in the ground truth and 'person' in the predictions" in result.stderr
    bad = tmp / "bad_results.json"
    bad.write_text(json.dumps([{"image_id": 999, "category_id": 77, "bbox": [1, 1, 4, 4], "score": 0.5}]))
    result = run("compare", str(pairs), str(bad))
    assert result.returncode == 65
    assert "unknown image ids: 999" in result.stderr and "unknown category ids: 77" in result.stderr
