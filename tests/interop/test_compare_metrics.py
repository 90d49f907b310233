"""`tessera compare`'s boundary F, panoptic quality, semantic agreement and `--by` breakdown
against an independent computation here: numpy on pycocotools-decoded masks and Pillow-read
semantic masks, and pycocotools' COCOeval for the breakdown.

Renders scenes/shapes.scene and scenes/street.scene (things and stuff) with $TESSERA_BIN (else
.build/debug/tessera) and perturbs their labels: instances dropped, masks eroded, dilated or
shifted, extra instances, the stuff of the semantic masks shifted. The perturbed labels are
written both as a COCO results file (things only) and as a second dataset folder (its
annotations file in Tessera's layout, the class map, semantic masks repainted from the
perturbed things over the shifted stuff), so both of compare's modes are checked. A ground
truth with some instances turned into crowds checks the crowd rules.

The reference follows the definitions of docs/QC.md: segments pasted in decreasing score
(equal scores in file order), void = the ground truth's ignore pixels, pq_compute's matching
(IoU > 0.5, void left out of the union, crowds never matched nor missed, an unmatched
prediction more than half on void or same-class crowds not counted), DAVIS F on 4-neighbour
inner boundaries (the frame is no boundary) with a disk of ⌈0.008 · diagonal⌉ px, kappa from
the two sides' label frequencies over the pixels neither side ignores.
"""
import contextlib
import io
import json
import math
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))
CLOSE = dict(abs=1e-12)

# Images binned by recorded values: a scene that records a number, a label and a count.
RECORDING_SCENE = """\
canvas 160 x 120
classes disc: shape, box: shape
let n = randint(2, 9)
record n
let hour = uniform(0, 24)
record hour
record sky = choice("clear", "cloudy")
repeat n {
  let s = uniform(8, 40)
  if bernoulli(0.5) {
    object disc at (uniform(0, width), uniform(0, height)) { circle(s / 2, fill: hsv(uniform(0, 360), 0.7, 0.8)) }
  } else {
    object box at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(s, s, fill: hsv(uniform(0, 360), 0.7, 0.8)) }
  }
}
"""


def run(*args):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def render(tmp, scene, count, seed, name=None, *extra):
    out = tmp / (name or pathlib.Path(scene).stem)
    result = run("render", str(scene), "--count", str(count), "--seed", str(seed), "--out", str(out), "--quiet", *extra)
    assert result.returncode == 0, result.stderr
    return out


def compare(tmp, gt, pred, *extra):
    out = tmp / "compare.json"
    result = run("compare", str(gt), str(pred), "--json", str(out), *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


def document(root):
    return json.loads((root / "annotations" / "instances_default.json").read_text())


def decode(segmentation):
    return mask_utils.decode(segmentation).astype(bool)


def encode(mask):
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode()}


# --- perturbed labels ---------------------------------------------------------------------

def perturb(doc, rng):
    """Each instance kept with probability 0.85, its mask eroded, dilated or shifted; 10 %
    extra boxes at random places. Entries carry a score (rounded, so ties occur)."""
    out = []
    images = {i["id"]: i for i in doc["images"]}
    categories = [c["id"] for c in doc["categories"]]
    for a in doc["annotations"]:
        if rng.random() < 0.15:
            continue
        m = decode(a["segmentation"])
        kind = rng.integers(3)
        if kind == 0:
            m = m & np.roll(m, 1, 0) & np.roll(m, -1, 0) & np.roll(m, 1, 1) & np.roll(m, -1, 1)
        elif kind == 1:
            m = m | np.roll(m, 1, 0) | np.roll(m, -1, 0) | np.roll(m, 1, 1) | np.roll(m, -1, 1)
        else:
            m = np.roll(m, tuple(int(v) for v in rng.integers(-3, 4, size=2)), (0, 1))
        if not m.any():
            continue
        out.append({"image_id": a["image_id"], "category_id": a["category_id"], "mask": m,
                    "score": round(float(rng.random()), 1)})
    for _ in range(max(1, len(doc["annotations"]) // 10)):
        image = images[int(rng.choice(sorted(images)))]
        W, H = image["width"], image["height"]
        w, h = (int(v) for v in rng.integers(4, 40, size=2))
        x, y = int(rng.integers(0, W - w)), int(rng.integers(0, H - h))
        m = np.zeros((H, W), dtype=bool)
        m[y:y + h, x:x + w] = True
        out.append({"image_id": image["id"], "category_id": int(rng.choice(categories)), "mask": m,
                    "score": round(float(rng.random()), 1)})
    return out


def write_results(path, entries):
    path.write_text(json.dumps([{"image_id": e["image_id"], "category_id": e["category_id"],
                                 "segmentation": encode(e["mask"]), "score": e["score"]} for e in entries]))


def paste(entries, H, W):
    """Segment raster: 0 none, k ≥ 1 the k-th segment; entries pasted in decreasing score,
    equal scores in list order (Python's sort is stable); each pixel to the first."""
    labels = np.zeros((H, W), dtype=np.int64)
    segments = []
    for e in sorted(entries, key=lambda e: -e.get("score", 1)):
        segments.append({"category_id": e["category_id"], "iscrowd": e.get("iscrowd", 0)})
        labels[(labels == 0) & e["mask"]] = len(segments)
    return labels, segments


def write_dataset(gt_root, out, entries, rng):
    """A second dataset of the same images: the perturbed things as annotations (Tessera's
    layout, file order), the class map, semantic masks = the ground truth's shifted by a
    few pixels, thing pixels cleared, then the perturbed things painted (first one wins)."""
    doc = document(gt_root)
    classes = json.loads((gt_root / "classes.json").read_text())
    things = {c["id"] for c in classes["categories"] if c["isthing"]}
    (out / "annotations").mkdir(parents=True)
    (out / "masks" / "semantic").mkdir(parents=True)
    shutil.copy(gt_root / "classes.json", out / "classes.json")
    annotations = []
    for image in doc["images"]:
        H, W = image["height"], image["width"]
        mine = [e for e in entries if e["image_id"] == image["id"]]
        semantic = np.asarray(Image.open(gt_root / "masks" / "semantic" / image["file_name"].replace(".jpg", ".png")))
        semantic = np.roll(semantic, tuple(int(v) for v in rng.integers(-2, 3, size=2)), (0, 1)).copy()
        semantic[np.isin(semantic, list(things))] = 0
        labels, segments = paste([dict(e, score=1) for e in mine], H, W)
        for k, s in enumerate(segments, start=1):
            semantic[labels == k] = s["category_id"]
        Image.fromarray(semantic.astype(np.uint8)).save(out / "masks" / "semantic" / image["file_name"])
        for e in mine:
            rle = encode(e["mask"])
            annotations.append({"id": len(annotations) + 1, "image_id": image["id"], "category_id": e["category_id"],
                                "segmentation": rle, "area": int(e["mask"].sum()),
                                "bbox": [int(v) for v in mask_utils.toBbox(rle)], "iscrowd": 0})
    lines = ['{"info":{},', '"licenses":[],', '"images":[']
    lines += [",\n".join(json.dumps(i, separators=(",", ":")) for i in doc["images"]), "],", '"annotations":[']
    if annotations:
        lines.append(",\n".join(json.dumps(a, separators=(",", ":")) for a in annotations))
    lines += ["],", '"categories":[', ",\n".join(json.dumps(c, separators=(",", ":")) for c in doc["categories"]), "]}"]
    (out / "annotations" / "instances_default.json").write_text("\n".join(lines) + "\n")
    return out


# --- the reference ------------------------------------------------------------------------

def side(root_or_doc, entries_by_image, image, with_semantic, include_stuff):
    """(labels, segments) of one image of one side: things pasted, then (a dataset) the
    semantic mask's ignore pixels as void (-1) and, with stuff, one segment per stuff class."""
    H, W = image["height"], image["width"]
    labels, segments = paste(entries_by_image.get(image["id"], []), H, W)
    if with_semantic is not None:
        root, classes = with_semantic
        semantic = np.asarray(Image.open(root / "masks" / "semantic" / image["file_name"])).astype(np.int64)
        free = labels == 0
        labels[free & (semantic == classes["ignore_value"])] = -1
        if include_stuff:
            stuff = {c["id"] for c in classes["categories"] if not c["isthing"]}
            for v in sorted(int(v) for v in np.unique(semantic[free])):
                if v in stuff:
                    segments.append({"category_id": v, "iscrowd": 0})
                    labels[free & (semantic == v)] = len(segments)
    return labels, segments


def semantic_of(labels, segments):
    """Category per pixel; -1 where ignored (void, crowds)."""
    lookup = np.array([0] + [-1 if s["iscrowd"] else s["category_id"] for s in segments] + [-1], dtype=np.int64)
    return lookup[np.where(labels < 0, len(segments) + 1, labels)]


class Reference:
    def __init__(self):
        self.counts = {}   # category → [tp, fp, fn, iou]
        self.pixels = self.agree = self.ignored = 0
        self.gt_freq, self.pred_freq = {}, {}

    def add(self, gl, gs, pl, ps):
        key = (gl + 1) * (len(ps) + 2) + (pl + 1)
        values, counts = np.unique(key, return_counts=True)
        inter = {(int(v) // (len(ps) + 2) - 1, int(v) % (len(ps) + 2) - 1): int(c) for v, c in zip(values, counts)}
        gt_area, pred_area, void, crowd = {}, {}, {}, {}
        for (g, p), n in inter.items():
            if g > 0:
                gt_area[g] = gt_area.get(g, 0) + n
            if p > 0:
                pred_area[p] = pred_area.get(p, 0) + n
                if g == -1:
                    void[p] = void.get(p, 0) + n
                if g > 0 and gs[g - 1]["iscrowd"] and gs[g - 1]["category_id"] == ps[p - 1]["category_id"]:
                    crowd[p] = crowd.get(p, 0) + n
        matched_g, matched_p = set(), set()
        for (g, p), n in inter.items():
            if g <= 0 or p <= 0 or gs[g - 1]["iscrowd"] or gs[g - 1]["category_id"] != ps[p - 1]["category_id"]:
                continue
            iou = n / (pred_area[p] + gt_area[g] - n - void.get(p, 0))
            if iou > 0.5:
                c = self.counts.setdefault(gs[g - 1]["category_id"], [0, 0, 0, 0.0])
                c[0] += 1
                c[3] += iou
                matched_g.add(g)
                matched_p.add(p)
        for g, s in enumerate(gs, start=1):
            if not s["iscrowd"] and g in gt_area and g not in matched_g:
                self.counts.setdefault(s["category_id"], [0, 0, 0, 0.0])[2] += 1
        for p, s in enumerate(ps, start=1):
            if p in pred_area and p not in matched_p:
                if (void.get(p, 0) + crowd.get(p, 0)) / pred_area[p] > 0.5:
                    continue
                self.counts.setdefault(s["category_id"], [0, 0, 0, 0.0])[1] += 1
        a, b = semantic_of(gl, gs), semantic_of(pl, ps)
        kept = (a >= 0) & (b >= 0)
        self.ignored += int((~kept).sum())
        self.pixels += int(kept.sum())
        self.agree += int((a[kept] == b[kept]).sum())
        for freq, values in ((self.gt_freq, a[kept]), (self.pred_freq, b[kept])):
            v, c = np.unique(values, return_counts=True)
            for k, n in zip(v, c):
                freq[int(k)] = freq.get(int(k), 0) + int(n)

    def per_class(self, category):
        tp, fp, fn, iou = self.counts.get(category, [0, 0, 0, 0.0])
        d = tp + 0.5 * fp + 0.5 * fn
        if tp + fp + fn == 0:
            return None
        return {"PQ": iou / d, "SQ": iou / tp if tp else 0.0, "RQ": tp / d, "TP": tp, "FP": fp, "FN": fn}

    def summary(self, categories):
        rows = [r for r in (self.per_class(c) for c in categories) if r is not None]
        if not rows:
            return {"PQ": None, "SQ": None, "RQ": None, "classes": 0}
        return {k: sum(r[k] for r in rows) / len(rows) for k in ("PQ", "SQ", "RQ")} | {"classes": len(rows)}

    def kappa(self):
        n = self.pixels
        po = self.agree / n
        pe = sum((c / n) * (self.pred_freq.get(k, 0) / n) for k, c in self.gt_freq.items())
        return 1.0 if pe >= 1 else (po - pe) / (1 - pe)


def reference(gt_root_or_path, gt_doc, pred_entries, pred_root=None):
    """Panoptic and semantic figures of (ground truth, predictions) as docs/QC.md defines them."""
    gt_is_dataset = pathlib.Path(gt_root_or_path).is_dir()
    include_stuff = gt_is_dataset and pred_root is not None
    gt_classes = json.loads((gt_root_or_path / "classes.json").read_text()) if gt_is_dataset else None
    gt_by_image, pred_by_image = {}, {}
    for a in gt_doc["annotations"]:
        gt_by_image.setdefault(a["image_id"], []).append(
            {"category_id": a["category_id"], "iscrowd": a.get("iscrowd", 0), "mask": decode(a["segmentation"])})
    for e in pred_entries:
        pred_by_image.setdefault(e["image_id"], []).append(e)
    if pred_root is not None:  # a dataset: every object scores 1, file order
        pred_by_image = {k: [dict(e, score=1) for e in v] for k, v in pred_by_image.items()}
    ref = Reference()
    for image in sorted(gt_doc["images"], key=lambda i: i["id"]):
        gl, gs = side(None, gt_by_image, image, (gt_root_or_path, gt_classes) if gt_is_dataset else None, include_stuff)
        pred_classes = json.loads((pred_root / "classes.json").read_text()) if pred_root else None
        pl, ps = side(None, pred_by_image, image, (pred_root, pred_classes) if pred_root else None, include_stuff)
        ref.add(gl, gs, np.where(pl < 0, -1, pl), ps)
    things = sorted(c["id"] for c in gt_doc["categories"])
    stuff = sorted(c["id"] for c in gt_classes["categories"] if not c["isthing"]) if include_stuff else []
    return ref, things, stuff


def boundary(m):
    p = np.pad(m, 1, mode="edge")
    inner = p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    return m & ~inner


def dilate(b, d):
    out = np.zeros_like(b)
    H, W = b.shape
    for dy in range(-d, d + 1):
        for dx in range(-d, d + 1):
            if dx * dx + dy * dy > d * d:
                continue
            out[max(0, dy):H + min(0, dy), max(0, dx):W + min(0, dx)] |= b[max(0, -dy):H - max(0, dy), max(0, -dx):W - max(0, dx)]
    return out


def boundary_f(pred, gt, d):
    ys, xs = np.nonzero(pred | gt)
    H, W = gt.shape
    y0, y1 = max(0, ys.min() - d - 1), min(H, ys.max() + d + 2)
    x0, x1 = max(0, xs.min() - d - 1), min(W, xs.max() + d + 2)
    # The crop reaches a pixel past both masks or the frame, so inner boundaries are the image's.
    full_p, full_g = boundary(pred), boundary(gt)
    bp, bg = full_p[y0:y1, x0:x1], full_g[y0:y1, x0:x1]
    if not bp.any() and not bg.any():
        return 1.0
    if not bp.any() or not bg.any():
        return 0.0
    precision = (bp & dilate(bg, d)).sum() / bp.sum()
    recall = (bg & dilate(bp, d)).sum() / bg.sum()
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def segm_matches(gt_path, results_path):
    """(category, image, prediction annotation, ground-truth annotation) of COCOeval's segm
    matches at IoU 0.5, area all, not to an ignored ground truth."""
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(gt_path))
        dt = gt.loadRes(str(results_path))
        evaluation = COCOeval(gt, dt, "segm")
        evaluation.evaluate()
    pairs = []
    for e in evaluation.evalImgs:
        if e is None or e["aRng"] != [0, 1e10] or not len(e["dtIds"]):
            continue
        for n, dt_id in enumerate(e["dtIds"]):
            g = int(e["dtMatches"][0][n])
            if g > 0 and not e["dtIgnore"][0][n]:
                pairs.append((e["category_id"], e["image_id"], dt.anns[dt_id], gt.anns[g]))
    return pairs


def tolerance(h, w):
    return max(1, math.ceil(0.008 * math.sqrt(h * h + w * w)))


# --- fixtures -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("metrics")
    return tmp, {"shapes": render(tmp, "scenes/shapes.scene", 6, 21, None, "--set", "size=256"),
                 "street": render(tmp, "scenes/street.scene", 4, 13)}


def check_panoptic_and_semantic(ours, ref, things, stuff, both_datasets):
    panoptic = ours["panoptic"]
    assert panoptic["things_only"] == (not both_datasets)
    by_id = {c["id"]: c for c in panoptic["per_class"]}
    assert sorted(by_id) == sorted(things + stuff)
    for category in things + stuff:
        theirs = ref.per_class(category)
        mine = by_id[category]
        if theirs is None:
            assert mine["PQ"] is None and (mine["TP"], mine["FP"], mine["FN"]) == (0, 0, 0)
            continue
        assert (mine["TP"], mine["FP"], mine["FN"]) == (theirs["TP"], theirs["FP"], theirs["FN"]), category
        for k in ("PQ", "SQ", "RQ"):
            assert mine[k] == pytest.approx(theirs[k], **CLOSE), (category, k)
    for key, categories in (("all", things + stuff), ("things", things), ("stuff", stuff)):
        if key == "stuff" and not both_datasets:
            assert panoptic["stuff"] is None
            continue
        theirs = ref.summary(categories)
        assert panoptic[key]["classes"] == theirs["classes"]
        for k in ("PQ", "SQ", "RQ"):
            assert panoptic[key][k] == pytest.approx(theirs[k], **CLOSE), (key, k)
    semantic = ours["semantic"]
    assert semantic["source"] == ("semantic_masks" if both_datasets else "instances")
    assert (semantic["pixels"], semantic["ignored_pixels"]) == (ref.pixels, ref.ignored)
    assert semantic["pixel_accuracy"] == pytest.approx(ref.agree / ref.pixels, **CLOSE)
    assert semantic["kappa"] == pytest.approx(ref.kappa(), **CLOSE)


def check_boundary(ours, gt_path, results_path):
    pairs = segm_matches(gt_path, results_path)
    assert ours["segm"]["matches"] == len(pairs)
    per_class = {}
    for category, _, dt, gt in pairs:
        h, w = gt["segmentation"]["size"]
        f = boundary_f(decode(dt["segmentation"]), decode(gt["segmentation"]), tolerance(h, w))
        per_class.setdefault(category, []).append(f)
    every = [f for fs in per_class.values() for f in fs]
    assert ours["segm"]["boundary_f"]["mean"] == pytest.approx(sum(every) / len(every), **CLOSE)
    for c in ours["segm"]["per_class"]:
        fs = per_class.get(c["id"])
        assert c["mean_boundary_f"] == (None if fs is None else pytest.approx(sum(fs) / len(fs), **CLOSE))
    assert 0 < sum(every) / len(every) < 1


# --- tests --------------------------------------------------------------------------------

@pytest.mark.parametrize("scene", ["shapes", "street"])
def test_perturbed_results_file_things_only(rendered, scene):
    tmp, roots = rendered
    root = roots[scene]
    doc = document(root)
    entries = perturb(doc, np.random.default_rng(7))
    results = tmp / f"results_{scene}.json"
    write_results(results, entries)
    ours = compare(tmp, root, results)
    ref, things, _ = reference(root, doc, entries)
    check_panoptic_and_semantic(ours, ref, things, [], False)
    check_boundary(ours, root / "annotations" / "instances_default.json", results)


@pytest.mark.parametrize("scene", ["shapes", "street"])
def test_perturbed_dataset_things_and_stuff(rendered, scene):
    tmp, roots = rendered
    root = roots[scene]
    doc = document(root)
    rng = np.random.default_rng(11)
    entries = perturb(doc, rng)
    pred = write_dataset(root, tmp / f"perturbed_{scene}", entries, rng)
    ours = compare(tmp, root, pred)
    ref, things, stuff = reference(root, doc, entries, pred_root=pred)
    if scene == "street":
        assert stuff and any(ref.per_class(s) and ref.per_class(s)["TP"] for s in stuff)
    check_panoptic_and_semantic(ours, ref, things, stuff, True)
    assert ours["panoptic"]["all"]["PQ"] < 1 and ours["semantic"]["kappa"] < 1


def test_crowds_in_the_ground_truth(rendered):
    tmp, roots = rendered
    doc = document(roots["shapes"])
    for n, a in enumerate(doc["annotations"]):
        if n % 5 == 2:
            a["iscrowd"] = 1
    gt = tmp / "crowds.json"
    gt.write_text(json.dumps(doc))
    entries = perturb(doc, np.random.default_rng(3))
    results = tmp / "results_crowds.json"
    write_results(results, entries)
    ours = compare(tmp, gt, results)
    ref, things, _ = reference(gt, doc, entries)
    assert ref.ignored > 0
    check_panoptic_and_semantic(ours, ref, things, [], False)
    check_boundary(ours, gt, results)


@pytest.mark.parametrize("scene", ["shapes", "street"])
def test_two_renders_agree_perfectly(tmp_path, scene):
    extra = ("--set", "size=256") if scene == "shapes" else ()
    a = render(tmp_path, f"scenes/{scene}.scene", 3, 5, "a", *extra)
    b = render(tmp_path, f"scenes/{scene}.scene", 3, 5, "b", *extra)
    ours = compare(tmp_path, a, b)
    for key in ("all", "things") + (("stuff",) if scene == "street" else ()):
        assert (ours["panoptic"][key]["PQ"], ours["panoptic"][key]["SQ"], ours["panoptic"][key]["RQ"]) == (1, 1, 1)
    assert ours["panoptic"]["things_only"] is False
    assert ours["semantic"]["kappa"] == 1 and ours["semantic"]["pixel_accuracy"] == 1
    assert ours["segm"]["boundary_f"]["mean"] == 1
    assert all(c["mean_boundary_f"] in (1, None) for c in ours["segm"]["per_class"])


# --- --by ---------------------------------------------------------------------------------

def cocoeval_stats(gt_path, results_path, iou_type, images=None, bins=None):
    """COCOeval's AP, AP50, AP75; `images`: params.imgIds; `bins`: (gt annotation id → bin
    index, detection → bin index or None, k): the area range trick — every area replaced by
    its bin index and areaRng [[k, k]], so out-of-bin ground truths are ignored and
    unmatched out-of-bin detections too, as compare --by does."""
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(gt_path))
        dt = gt.loadRes(str(results_path))
        evaluation = COCOeval(gt, dt, iou_type)
        if images is not None:
            evaluation.params.imgIds = sorted(images)
        if bins is not None:
            gt_bin, dt_bin, k = bins
            for a in gt.anns.values():
                a["area"] = gt_bin(a)
            for d in dt.anns.values():
                d["area"] = dt_bin(d)
            evaluation.params.areaRng = [[k, k]]
            evaluation.params.areaRngLbl = ["all"]
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return list(evaluation.stats[:3])


def bin_index(value, edges):
    for k in range(len(edges) - 1):
        if edges[k] <= value < edges[k + 1] or (k == len(edges) - 2 and value == edges[-1]):
            return k
    return -5


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("by")
    scene = tmp / "recording.scene"
    scene.write_text(RECORDING_SCENE)
    root = render(tmp, scene, 24, 4)
    doc = document(root)
    entries = perturb(doc, np.random.default_rng(5))
    results = tmp / "results.json"
    results.write_text(json.dumps([{"image_id": e["image_id"], "category_id": e["category_id"],
                                    "bbox": [float(v) for v in mask_utils.toBbox(encode(e["mask"]))],
                                    "segmentation": encode(e["mask"]), "score": e["score"]} for e in entries]))
    return tmp, root, doc, results


def test_by_a_recorded_number_bins_images(recorded):
    tmp, root, doc, results = recorded
    ours = compare(tmp, root, results, "--by", "hour", "--bins", "3")
    records = [json.loads(line) for line in (root / "records.jsonl").read_text().splitlines()]
    hours = {r["image_id"]: r["values"]["hour"] for r in records}
    low, high = min(hours.values()), max(hours.values())
    edges = [low + k * (high - low) / 3 for k in range(3)] + [high]
    assert ours["by"]["kind"] == "image" and ours["by"]["unbinned"] == 0
    assert [(b["from"], b["to"]) for b in ours["by"]["bins"]] == list(zip(edges, edges[1:]))
    gt_path = root / "annotations" / "instances_default.json"
    for k, b in enumerate(ours["by"]["bins"]):
        images = [i for i, h in hours.items() if bin_index(h, edges) == k]
        assert b["images"] == len(images) > 0
        for iou_type in ("bbox", "segm"):
            theirs = cocoeval_stats(gt_path, results, iou_type, images=images)
            assert [b[iou_type][s] for s in ("AP", "AP50", "AP75")] == pytest.approx(theirs, abs=1e-6), (k, iou_type)


def test_by_a_recorded_label_bins_images(recorded):
    tmp, root, doc, results = recorded
    ours = compare(tmp, root, results, "--by", "records.sky")
    records = [json.loads(line) for line in (root / "records.jsonl").read_text().splitlines()]
    sky = {r["image_id"]: r["values"]["sky"] for r in records}
    assert [b["value"] for b in ours["by"]["bins"]] == sorted(set(sky.values()))
    for b in ours["by"]["bins"]:
        images = [i for i, v in sky.items() if v == b["value"]]
        theirs = cocoeval_stats(root / "annotations" / "instances_default.json", results, "segm", images=images)
        assert [b["segm"][s] for s in ("AP", "AP50", "AP75")] == pytest.approx(theirs, abs=1e-6)


def test_by_an_instance_fact_bins_ground_truths(recorded):
    tmp, root, doc, results = recorded
    edges = [0, 0.5, 0.9, 1]
    ours = compare(tmp, root, results, "--by", "visible_fraction", "--bins", "0,0.5,0.9,1")
    assert ours["by"]["kind"] == "instance"
    fraction = {a["id"]: a["visible_fraction"] for a in doc["annotations"]}
    gt_path = root / "annotations" / "instances_default.json"
    for k, b in enumerate(ours["by"]["bins"]):
        assert b["ground_truths"] == sum(1 for v in fraction.values() if bin_index(v, edges) == k)
        # A results file has no visible fraction: its detections count in every bin.
        theirs = cocoeval_stats(gt_path, results, "segm", bins=(lambda a: bin_index(fraction[a["id"]], edges), lambda d: k, k))
        assert [b["segm"][s] for s in ("AP", "AP50", "AP75")] == pytest.approx(theirs, abs=1e-6), k


def test_by_area_ignores_unmatched_detections_outside_the_bin(recorded):
    tmp, root, doc, results = recorded
    edges = [0, 200, 600, 5000]
    ours = compare(tmp, root, results, "--by", "area", "--bins", ",".join(map(str, edges)))
    gt_path = root / "annotations" / "instances_default.json"
    for k, b in enumerate(ours["by"]["bins"]):
        for iou_type in ("bbox", "segm"):
            theirs = cocoeval_stats(gt_path, results, iou_type,
                                    bins=(lambda a: bin_index(a["area"], edges), lambda d: bin_index(d["area"], edges), k))
            assert [b[iou_type][s] for s in ("AP", "AP50", "AP75")] == pytest.approx(theirs, abs=1e-6), (k, iou_type)


def test_unknown_by_names_the_choices(recorded):
    tmp, root, _, results = recorded
    result = run("compare", str(root), str(results), "--by", "weather")
    assert result.returncode == 64
    assert "recorded values (records.jsonl of the ground truth): hour, n, sky" in result.stderr
    assert "instance facts: area, bbox_width, bbox_height, visible_fraction, in_frame_fraction, amodal_area" in result.stderr
    result = run("compare", str(root), str(results), "--by", "sky", "--bins", "0,1")
    assert result.returncode == 64 and "its values are labels" in result.stderr


def test_ap_only_gives_the_same_ap_and_leaves_the_mask_metrics_out(rendered):
    """--ap-only does the work COCOeval does (the speed comparison with faster-coco-eval in
    docs/QC.md): the same AP figures, and no boundary F, panoptic or semantic figures."""
    tmp, roots = rendered
    root = roots["street"]
    entries = perturb(document(root), np.random.default_rng(11))
    results = tmp / "results_ap_only.json"
    write_results(results, entries)
    full = compare(tmp, root, results)
    ap = compare(tmp, root, results, "--ap-only")
    for kind in ("bbox", "segm"):
        assert ap[kind]["stats"] == full[kind]["stats"]
    assert "boundary_f" in full["segm"] and "boundary_f" not in ap["segm"]
    assert full.get("panoptic") and not ap.get("panoptic") and not ap.get("semantic")
