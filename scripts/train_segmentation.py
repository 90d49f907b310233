#!/usr/bin/env python3
"""Train a small U-Net on a rendered nucleus dataset and score it on another one (CPU, minutes).

The point is to compare scene versions: render a training set and a held-out set from each
version, train on one, score on the others, and see which synthetic data generalises. See
docs/RENDERING.md, "Seeing the gap: a segmentation model".

    tessera render scenes/cells.scene --count 200 --seed 1 --out /tmp/cells-train
    tessera render scenes/cells.scene --count 40 --seed 2 --out /tmp/cells-test
    python3 scripts/train_segmentation.py --train /tmp/cells-train --test /tmp/cells-test --minutes 5

A dataset is read whole: the images of every split (`annotations/instances_*.json`, in split-name
order), or of one with --train-split / --test-split (e.g. a `--split train=0.8,val=0.2` render
with `--train D --train-split train --test D --test-split val`). Images smaller than --crop are
padded up to it by reflection.

Model: a 3-level U-Net (16-32-64 channels) predicting three classes per pixel — background,
nucleus interior and nucleus boundary (the pixels of an instance with a 4-neighbour outside
it), the usual way to split touching nuclei with a semantic network. Instances are the
4-connected components of the predicted interior, each grown by one pixel into the predicted
boundary. Images are read as one channel (grey, or the luma of RGB) at any bit depth and
normalised per image to the 1st–99.8th percentile (as StarDist and Cellpose do), so 8-bit RGB
and 16-bit grey scenes are comparable.

Scores (on every image of --test, whole images): `f1@0.5` and `f1@0.7`, the instance F1 where a
prediction and a true instance match when their IoU exceeds the threshold (above 0.5 a match is
unique); `mean_matched_iou` over the matches at 0.5; and `semantic_iou`, the foreground IoU.
Printed as one JSON object. Deterministic for a given --seed and thread count (torch on CPU).
"""
import argparse
import json
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from scipy import ndimage


def annotation_files(root, split=None):
    """The COCO files of a Tessera dataset to read: `annotations/instances_<split>.json` of the
    one split asked for, else of every split, sorted by name (so a `--split train=0.8,val=0.2`
    render is read whole and in the same order every time). Exits with a message naming the
    folder when it is not a rendered dataset or has no such split."""
    root = pathlib.Path(root)
    folder = root / "annotations"
    if not root.is_dir():
        sys.exit(f"error: {root}: no such dataset folder")
    files = sorted(folder.glob("instances_*.json"))
    if not files:
        sys.exit(f"error: {root}: not a rendered dataset (no annotations/instances_*.json)")
    if split is None:
        return files
    chosen = [f for f in files if f.stem == f"instances_{split}"]
    if not chosen:
        names = ", ".join(f.stem[len("instances_"):] for f in files)
        sys.exit(f"error: {root}: no split '{split}' (the dataset has: {names})")
    return chosen


def load_dataset(root, split=None, limit=None):
    """(image, instance ids) pairs of a Tessera dataset's images (of `split`, else of every
    split, in split-name then file order), images as float32 in about 0…1."""
    root = pathlib.Path(root)
    pairs = []
    images = [im for path in annotation_files(root, split) for im in json.loads(path.read_text())["images"]]
    for im in images[:limit]:
        name = pathlib.Path(im["file_name"])
        image = np.asarray(Image.open(root / "images" / name))
        if image.ndim == 3:
            image = image[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
        ids = np.asarray(Image.open(root / "masks" / "instance_ids" / name.with_suffix(".png"))).astype(np.int64)
        pairs.append((normalise(image.astype(np.float64)), ids))
    if not pairs:
        sys.exit(f"error: {root}: no images")
    return pairs


def normalise(image):
    lo, hi = np.percentile(image, [1, 99.8])
    return ((image - lo) / max(hi - lo, 1e-6)).astype(np.float32)


def targets(ids):
    """0 background, 1 interior, 2 boundary: an instance pixel with a 4-neighbour of another id."""
    padded = np.pad(ids, 1, mode="edge")
    centre = padded[1:-1, 1:-1]
    edge = np.zeros_like(ids, dtype=bool)
    for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
        edge |= padded[dy:dy + ids.shape[0], dx:dx + ids.shape[1]] != centre
    out = np.where(ids > 0, 1, 0)
    out[(ids > 0) & edge] = 2
    return out


class UNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()

        def block(a, b):
            return nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(inplace=True),
                                 nn.Conv2d(b, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(inplace=True))

        w = width
        self.down1, self.down2, self.bottom = block(1, w), block(w, 2 * w), block(2 * w, 4 * w)
        self.up2, self.dec2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2), block(4 * w, 2 * w)
        self.up1, self.dec1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2), block(2 * w, w)
        self.head = nn.Conv2d(w, 3, 1)

    def forward(self, x):
        a = self.down1(x)
        b = self.down2(F.max_pool2d(a, 2))
        c = self.bottom(F.max_pool2d(b, 2))
        b = self.dec2(torch.cat([self.up2(c), b], 1))
        a = self.dec1(torch.cat([self.up1(b), a], 1))
        return self.head(a)


def crops(pairs, size, batch, rng):
    """`batch` random size × size crops with their targets, rotated and flipped. An image smaller
    than the crop is first padded up to it by reflection (its target too), so every crop of the
    batch has the same shape."""
    xs, ys = [], []
    for _ in range(batch):
        image, target = pairs[rng.integers(len(pairs))]
        image, target = pad_to(image, size), pad_to(target, size)
        h, w = image.shape
        y, x = rng.integers(0, max(1, h - size + 1)), rng.integers(0, max(1, w - size + 1))
        i, t = image[y:y + size, x:x + size], target[y:y + size, x:x + size]
        k = rng.integers(4)
        i, t = np.rot90(i, k), np.rot90(t, k)
        if rng.integers(2):
            i, t = i[:, ::-1], t[:, ::-1]
        xs.append(i.copy())
        ys.append(t.copy())
    return torch.from_numpy(np.stack(xs)[:, None]), torch.from_numpy(np.stack(ys)).long()


def pad_to(array, size):
    """`array` (h, w) reflected at the bottom and right up to at least size × size. Image and
    target are padded alike, so the labels of the padding still agree with its pixels."""
    ph, pw = max(0, size - array.shape[0]), max(0, size - array.shape[1])
    return np.pad(array, ((0, ph), (0, pw)), mode="reflect") if ph or pw else array


def train(pairs, seconds, steps, size, batch, seed, log):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data = [(image, targets(ids)) for image, ids in pairs]
    model = UNet()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    weights = torch.tensor([1.0, 1.0, 3.0])   # boundaries are thin and decide the splits
    start, step = time.monotonic(), 0
    model.train()
    while step < steps and time.monotonic() - start < seconds:
        x, y = crops(data, size, batch, rng)
        loss = F.cross_entropy(model(x), y, weight=weights)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        if log and step % 50 == 0:
            print(f"step {step}  loss {loss.item():.4f}  {time.monotonic() - start:.0f} s", file=sys.stderr)
    return model, step


def predict_instances(model, image):
    h, w = image.shape
    ph, pw = (-h) % 4, (-w) % 4
    x = torch.from_numpy(np.pad(image, ((0, ph), (0, pw)), mode="reflect")[None, None])
    with torch.no_grad():
        label = model(x).argmax(1)[0, :h, :w].numpy()
    interior, _ = ndimage.label(label == 1)
    grown = ndimage.grey_dilation(interior, size=(3, 3))
    return np.where((label == 2) & (interior == 0), grown, interior), label > 0


def match(truth, predicted):
    """IoU of every (true, predicted) instance pair that overlaps."""
    t_ids, p_ids = np.unique(truth[truth > 0]), np.unique(predicted[predicted > 0])
    if len(t_ids) == 0 or len(p_ids) == 0:
        return t_ids, p_ids, {}
    pairs = truth.astype(np.int64) * (int(predicted.max()) + 1) + predicted
    both, counts = np.unique(pairs[(truth > 0) & (predicted > 0)], return_counts=True)
    t_area = dict(zip(*np.unique(truth[truth > 0], return_counts=True)))
    p_area = dict(zip(*np.unique(predicted[predicted > 0], return_counts=True)))
    ious = {}
    for code, inter in zip(both, counts):
        t, p = divmod(int(code), int(predicted.max()) + 1)
        ious[(t, p)] = inter / (t_area[t] + p_area[p] - inter)
    return t_ids, p_ids, ious


def score(model, pairs):
    model.eval()
    totals = {0.5: [0, 0, 0], 0.7: [0, 0, 0]}   # true positives, predictions, truths
    matched, inter, union = [], 0, 0
    for image, ids in pairs:
        predicted, foreground = predict_instances(model, image)
        t_ids, p_ids, ious = match(ids, predicted)
        for threshold, total in totals.items():
            hits = [v for v in ious.values() if v > threshold]
            total[0] += len(hits)
            total[1] += len(p_ids)
            total[2] += len(t_ids)
            if threshold == 0.5:
                matched += hits
        inter += int((foreground & (ids > 0)).sum())
        union += int((foreground | (ids > 0)).sum())
    out = {}
    for threshold, (tp, npred, ntrue) in totals.items():
        out[f"f1@{threshold}"] = round(2 * tp / max(1, npred + ntrue), 4)
    out["mean_matched_iou"] = round(float(np.mean(matched)) if matched else 0.0, 4)
    out["semantic_iou"] = round(inter / max(1, union), 4)
    out["true_instances"] = totals[0.5][2]
    out["predicted_instances"] = totals[0.5][1]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", help="a rendered dataset to train on (or --load a trained model)")
    parser.add_argument("--save", help="write the trained model's weights here (torch.save)")
    parser.add_argument("--load", help="score the model saved here instead of training one")
    parser.add_argument("--test", required=True, nargs="+", help="one or more held-out rendered datasets to score on")
    parser.add_argument("--train-split", metavar="NAME", help="train on this split (annotations/instances_NAME.json) "
                                                               "of --train only (default: every split)")
    parser.add_argument("--test-split", metavar="NAME", help="score this split of each --test dataset only "
                                                             "(default: every split)")
    parser.add_argument("--minutes", type=float, default=5, help="training time budget (default 5)")
    parser.add_argument("--steps", type=int, default=10**9, help="stop after this many steps (default: the time decides)")
    parser.add_argument("--crop", type=int, default=128, help="training crop size, pixels (default 128)")
    parser.add_argument("--batch", type=int, default=8, help="crops per step (default 8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.crop % 4:
        parser.error("--crop must be a multiple of 4")
    if (args.train is None) == (args.load is None):
        parser.error("give one of --train and --load")
    for test in args.test:   # a wrong --test path is reported now, not after the training
        annotation_files(test, args.test_split)
    torch.set_num_threads(args.threads)
    if args.load:
        saved = torch.load(args.load)
        model, steps, trained_on = UNet(), saved["steps"], saved["train"]
        model.load_state_dict(saved["weights"])
    else:
        model, steps = train(load_dataset(args.train, args.train_split), args.minutes * 60, args.steps, args.crop, args.batch, args.seed,
                             log=not args.quiet)
        trained_on = args.train
        if args.save:
            torch.save({"weights": model.state_dict(), "steps": steps, "train": trained_on}, args.save)
    result = {"train": trained_on, "steps": steps, "scores": {test: score(model, load_dataset(test, args.test_split)) for test in args.test}}
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
