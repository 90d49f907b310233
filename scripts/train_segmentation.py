#!/usr/bin/env python3
"""Train a small U-Net on a rendered nucleus dataset and score it on another one (CPU, minutes).

The point is to compare scene versions: render a training set and a held-out set from each
version, train on one with a few seeds, score on the others, and see which synthetic data
generalises. See docs/RENDERING.md, "Seeing the gap: a segmentation model".

    tessera render scenes/cells.scene --count 48 --seed 11 --out /tmp/cells-train
    tessera render scenes/cells.scene --count 16 --seed 12 --out /tmp/cells-test
    python3 scripts/train_segmentation.py --train /tmp/cells-train --test /tmp/cells-test --seeds 1,2,3

A dataset is read whole: the images of every split (`annotations/instances_*.json`, in split-name
order), or of one with --train-split / --test-split (e.g. a `--split train=0.8,val=0.2` render
with `--train D --train-split train --test D --test-split val`). Images smaller than --crop are
padded up to it by reflection.

Model: a 3-level U-Net (16-32-64 channels) predicting three classes per pixel — background,
nucleus interior and nucleus boundary (the pixels of an instance with a 4-neighbour outside
it), the usual way to split touching nuclei with a semantic network — trained for --steps with a
warm-up and cosine learning-rate decay. Instances are the 4-connected components of the
predicted interior, each grown by one pixel into the predicted boundary, less those under
--min-area pixels (default 15, Cellpose's min_size). Images are read as one channel (grey, or
the luma of RGB) at any bit depth and normalised per image to the 1st–99.8th percentile (as
StarDist and Cellpose do), the range taken at least --noise-floor noise σ wide so an empty
field's noise is not stretched to 0…1; so 8-bit RGB and 16-bit grey scenes are comparable.

Scores (on every image of --test, whole images): `f1@0.5` and `f1@0.7`, the instance F1 where a
prediction and a true instance match when their IoU exceeds the threshold (above 0.5 a match is
unique); `mean_matched_iou` over the matches at 0.5; and `semantic_iou`, the foreground IoU.
Printed as one JSON object: each seed's scores (`runs`) and their mean and sample sd over the
--seeds (`scores`, `sd`). Deterministic for a given seed, --steps and thread count (torch on
CPU), unless --minutes cuts a training short.
"""
import argparse
import json
import math
import os
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from scipy import ndimage


NOISE_FLOOR = 12.0   # the 1st–99.8th percentile range is stretched to 0…1 only if wider than 12 σ of noise


def annotation_files(root, split=None):
    """The COCO files of a Tessera dataset to read: `annotations/instances_<split>.json` of the
    one split asked for, else of every split, sorted by name (so a `--split train=0.8,val=0.2`
    render is read whole and in the same order every time). Exits with a message naming the
    folder when it is not a rendered dataset or has no such split."""
    root = pathlib.Path(root)
    folder = root / "annotations"
    if not root.is_dir():
        sys.exit(f"error: {root}: " + ("a file, not a dataset folder" if root.exists() else "no such dataset folder"))
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


def load_dataset(root, split=None, limit=None, noise_floor=NOISE_FLOOR):
    """(image, instance ids) pairs of a Tessera dataset's images (of `split`, else of every
    split, in split-name then file order), images as float32 normalised by `normalise`."""
    root = pathlib.Path(root)
    pairs = []
    images = []
    for path in annotation_files(root, split):
        try:
            images += [im["file_name"] for im in json.loads(path.read_text())["images"]]
        except (OSError, ValueError, KeyError, TypeError) as error:
            sys.exit(f"error: {path}: not a COCO instances file ({error})")
    for file_name in images[:limit]:
        name = pathlib.PurePosixPath(file_name) if isinstance(file_name, str) else None
        if name is None or name.is_absolute() or ".." in name.parts or not name.parts:
            sys.exit(f"error: {root}: file_name {file_name!r} is not a path inside images/")
        image = read_image(root / "images" / name)
        if image.ndim == 3:   # RGB(A) to luminance; grey + alpha keeps its grey
            image = (image[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) if image.shape[2] >= 3
                     else image[..., 0])
        mask_path = root / "masks" / "instance_ids" / name.with_suffix(".png")
        ids = read_image(mask_path).astype(np.int64)
        if ids.ndim != 2:
            sys.exit(f"error: {mask_path}: {ids.shape[2]} channels; an instance mask has one")
        if ids.shape != image.shape[:2]:
            sys.exit(f"error: {mask_path}: {ids.shape[1]}x{ids.shape[0]}, but its image is {image.shape[1]}x{image.shape[0]}")
        pairs.append((normalise(image.astype(np.float64), noise_floor), ids))
    if not pairs:
        sys.exit(f"error: {root}: no images")
    return pairs


def read_image(path):
    """The pixels of the image file at `path` as an array; a missing or damaged file ends the
    run with an error naming it."""
    try:
        with Image.open(path) as file:
            return np.asarray(file)
    except FileNotFoundError:
        sys.exit(f"error: {path}: missing")
    except Exception as error:   # PIL raises OSError, ValueError, SyntaxError…; a plugin (ultralytics' HEIF patch
        # of Image.open, when it is imported in the same process) may raise ImportError
        sys.exit(f"error: {path}: unreadable image ({type(error).__name__}: {error})")


def noise_sigma(image):
    """A robust estimate of the pixel noise σ (grey levels): the median absolute difference of
    horizontally adjacent pixels, / 0.6745 for a Gaussian's MAD and / √2 for the difference of two
    independent pixels. Smooth structure (nuclei, haze) barely moves it; it is the noise of the
    majority of pixels, in a sparse field the background's."""
    diff = np.abs(np.diff(image, axis=1))
    return float(np.median(diff)) / (0.6745 * np.sqrt(2))


def normalise(image, noise_floor=NOISE_FLOOR):
    """`image` (h, w, grey levels of any bit depth) shifted by its 1st percentile and divided by
    its 1st–99.8th percentile range (as StarDist and Cellpose normalise), float32 — but the range
    is at least `noise_floor` × the noise σ (`noise_sigma`). Without that floor a nearly empty
    field (a few dim nuclei, or none) has its Poisson noise stretched to the whole 0…1 range, and
    a model sees nuclei in it; with it, the noise of an empty field (about 5 σ from the 1st to the
    99.8th percentile) spans about 0.4, while a field with nuclei (on the rendered cell datasets
    15–375 σ) is normalised as before. `noise_floor` 0 disables it."""
    lo, hi = np.percentile(image, [1, 99.8])
    span = max(hi - lo, noise_floor * noise_sigma(image), 1e-6)
    return ((image - lo) / span).astype(np.float32)


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


LEARNING_RATE = 2e-3
WARMUP = 50   # steps of linear learning-rate warm-up before the cosine decay


def learning_rate(step, steps):
    """The learning rate of step `step` (0-based) of `steps`: a linear warm-up over the first
    `WARMUP` steps to `LEARNING_RATE`, then a cosine decay to 0 at the last step — so the weights
    that are scored are those of a settled optimiser, not of one still taking full-size steps."""
    if step < WARMUP:
        return LEARNING_RATE * (step + 1) / WARMUP
    t = (step - WARMUP) / max(1, steps - WARMUP)
    return LEARNING_RATE * 0.5 * (1 + np.cos(np.pi * min(1.0, t)))


def train(data, seconds, steps, size, batch, seed, log):
    """A U-Net trained on `data` ((image, target) pairs) for `steps` steps of `batch` crops of
    `size` px with the learning-rate schedule `learning_rate`, or until `seconds` have passed
    (then the schedule is cut short and the result depends on the machine's speed). Returns the
    model and the number of steps taken."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = UNet()
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    weights = torch.tensor([1.0, 1.0, 3.0])   # boundaries are thin and decide the splits
    start, step = time.monotonic(), 0
    model.train()
    while step < steps and time.monotonic() - start < seconds:
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(step, steps)
        x, y = crops(data, size, batch, rng)
        loss = F.cross_entropy(model(x), y, weight=weights)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        if log and step % 100 == 0:
            print(f"seed {seed}  step {step}  loss {loss.item():.4f}  {time.monotonic() - start:.0f} s", file=sys.stderr)
    if step < steps:
        print(f"warning: seed {seed}: --minutes ended the training at step {step} of {steps}; "
              "the scores depend on the machine's speed", file=sys.stderr)
    return model, step


MIN_AREA = 15   # px; Cellpose's `min_size` default


def instances_from_classes(label, min_area=MIN_AREA):
    """Instance ids (h, w, 0 = none) from a per-pixel class map (0 background, 1 interior,
    2 boundary): the 4-connected components of the interior, each grown by one pixel into the
    boundary, then every instance of fewer than `min_area` pixels removed (as Cellpose's
    `min_size` and StarDist's small-object filter do) — a semantic network's stray pixels are not
    nuclei. Returns the ids (1…n, consecutive) and how many instances were removed."""
    interior, _ = ndimage.label(label == 1)
    grown = ndimage.grey_dilation(interior, size=(3, 3))
    ids = np.where((label == 2) & (interior == 0), grown, interior)
    areas = np.bincount(ids.ravel())
    keep = areas >= min_area
    keep[0] = False
    relabel = np.zeros(len(areas), dtype=np.int64)
    relabel[keep] = np.arange(1, int(keep.sum()) + 1)
    return relabel[ids], int((areas[1:] > 0).sum() - keep.sum())


def predict_instances(model, image, min_area=MIN_AREA):
    """The model's instances on `image` (see `instances_from_classes`), its foreground
    (interior or boundary) and the number of instances removed as smaller than `min_area`."""
    h, w = image.shape
    ph, pw = (-h) % 4, (-w) % 4
    x = torch.from_numpy(np.pad(image, ((0, ph), (0, pw)), mode="reflect")[None, None])
    with torch.no_grad():
        label = model(x).argmax(1)[0, :h, :w].numpy()
    ids, removed = instances_from_classes(label, min_area)
    return ids, label > 0, removed


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


def score(model, pairs, min_area=MIN_AREA):
    model.eval()
    totals = {0.5: [0, 0, 0], 0.7: [0, 0, 0]}   # true positives, predictions, truths
    matched, inter, union, small = [], 0, 0, 0
    for image, ids in pairs:
        predicted, foreground, removed = predict_instances(model, image, min_area)
        small += removed
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
    out["removed_small"] = small
    return out


SUMMARISED = ("f1@0.5", "f1@0.7", "mean_matched_iou", "semantic_iou", "predicted_instances")


def summarise(runs):
    """Mean and sample standard deviation (0 for one run) over `runs` of each score, per test
    dataset: ({test: {score: mean}}, {test: {score: sd}}); the means also carry the test set's
    `true_instances`."""
    means, sds = {}, {}
    for test in runs[0]["scores"]:
        # the test set's own count, the same for every run
        means[test], sds[test] = {"true_instances": runs[0]["scores"][test]["true_instances"]}, {}
        for key in SUMMARISED:
            values = np.array([run["scores"][test][key] for run in runs], dtype=np.float64)
            means[test][key] = round(float(values.mean()), 4)
            sds[test][key] = round(float(values.std(ddof=1)) if len(values) > 1 else 0.0, 4)
    return means, sds


# Bounds that keep a mistyped flag from asking for memory the machine does not have (a batch
# of crops is batch × crop² floats, several times over in the network) or threads torch refuses.
MAX_CROP, MAX_BATCH, MAX_THREADS = 1024, 256, 1024
MAX_SEED = 2**32 - 1   # numpy's and torch's generators both take any seed in 0 ... 2³² − 1


def parse_seed(text):
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer")
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{seed} is not a seed in 0 ... {MAX_SEED}")
    return seed


def parse_seeds(text):
    seeds = [parse_seed(part) for part in text.split(",")]
    if len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"'{text}' repeats a seed")
    return seeds


def load_model(path):
    """(UNet with the weights saved at `path` by --save, the saved record); a missing or foreign
    file ends the run with an error naming it."""
    if not os.path.isfile(path):
        sys.exit(f"error: --load {path}: " + ("a folder, not a saved model" if os.path.isdir(path) else "no such file"))
    try:
        saved = torch.load(path)
        missing = {"weights", "steps", "train"} - set(saved)
        if missing:
            raise KeyError(f"no {', '.join(sorted(missing))}")
        model = UNet()
        model.load_state_dict(saved["weights"])
    except Exception as error:   # torch.load raises many types (pickle, zip, runtime) for foreign files
        sys.exit(f"error: --load {path}: not a model saved by --save ({type(error).__name__}: {error})")
    return model, saved


def check_save_path(path):
    """Ends the run now, not after training, when --save's `path` cannot be written."""
    folder = os.path.dirname(path) or "."
    if not path:
        sys.exit("error: --save needs a file path")
    if os.path.isdir(path):
        sys.exit(f"error: --save {path}: is a folder")
    if os.path.isdir(path + ".part"):
        sys.exit(f"error: --save {path}: {path}.part, where it is written first, is a folder")
    if not os.path.isdir(folder):
        sys.exit(f"error: --save {path}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        sys.exit(f"error: --save {path}: folder {folder} is not writable")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", help="a rendered dataset to train on (or --load a trained model)")
    parser.add_argument("--save", help="write the trained model's weights here (torch.save); with several "
                                       "--seeds the path must contain {seed}")
    parser.add_argument("--load", help="score the model saved here instead of training one")
    parser.add_argument("--test", required=True, nargs="+", help="one or more held-out rendered datasets to score on")
    parser.add_argument("--train-split", metavar="NAME", help="train on this split (annotations/instances_NAME.json) "
                                                               "of --train only (default: every split)")
    parser.add_argument("--test-split", metavar="NAME", help="score this split of each --test dataset only "
                                                             "(default: every split)")
    parser.add_argument("--steps", type=int, default=1000, help="training steps (default 1000); the learning rate "
                                                                "warms up and decays to 0 over them")
    parser.add_argument("--minutes", type=float, help="stop each training after this many minutes even if --steps "
                                                      "are not done (a warning then says so; default: no limit)")
    parser.add_argument("--crop", type=int, default=96, help="training crop size, pixels (default 96)")
    parser.add_argument("--batch", type=int, default=4, help="crops per step (default 4)")
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=parse_seed, help="one training seed (default 0)")
    seeds.add_argument("--seeds", type=parse_seeds, metavar="N,N,...",
                       help="train one model per seed and print each one's scores and their mean and sd")
    parser.add_argument("--min-area", type=int, default=MIN_AREA,
                        help=f"drop predicted instances of fewer pixels (default {MIN_AREA}, Cellpose's min_size)")
    parser.add_argument("--noise-floor", type=float, default=NOISE_FLOOR,
                        help=f"normalise each image by at least this many noise σ (default {NOISE_FLOOR:g}; 0: off)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.crop % 4 or args.crop <= 0:
        parser.error("--crop must be a positive multiple of 4")
    if args.crop > MAX_CROP:
        parser.error(f"--crop must be at most {MAX_CROP}, not {args.crop}")
    for flag, value, least, most in (("--steps", args.steps, 1, None), ("--batch", args.batch, 1, MAX_BATCH),
                                     ("--threads", args.threads, 1, MAX_THREADS), ("--min-area", args.min_area, 0, None)):
        if value < least or most is not None and value > most:
            parser.error(f"{flag} must be at least {least}" + (f" and at most {most}" if most else "") + f", not {value}")
    if not math.isfinite(args.noise_floor) or args.noise_floor < 0:
        parser.error(f"--noise-floor must be a finite number ≥ 0, not {args.noise_floor}")
    if args.minutes is not None and (not math.isfinite(args.minutes) or args.minutes <= 0):
        parser.error(f"--minutes must be a finite number > 0, not {args.minutes}")
    if (args.train is None) == (args.load is None):
        parser.error("give one of --train and --load")
    if args.load and (args.seeds or args.seed is not None or args.save or args.train_split or args.minutes):
        parser.error("--load scores a saved model: --seed, --seeds, --save, --train-split and --minutes "
                     "apply to training only")
    seed_list = args.seeds or [0 if args.seed is None else args.seed]
    if args.save is not None and len(seed_list) > 1 and "{seed}" not in args.save:
        parser.error("--save with several --seeds needs {seed} in the path")
    for seed in seed_list if args.save is not None else []:
        check_save_path(args.save.replace("{seed}", str(seed)))
    for test in args.test:   # a wrong --test path is reported now, not after the training
        annotation_files(test, args.test_split)
    loaded = load_model(args.load) if args.load else None
    torch.set_num_threads(args.threads)
    tests = {test: load_dataset(test, args.test_split, noise_floor=args.noise_floor) for test in args.test}
    runs = []
    if args.load:
        model, saved = loaded
        trained_on = saved["train"]
        runs.append({"seed": saved.get("seed"), "steps": saved["steps"],
                     "scores": {test: score(model, pairs, args.min_area) for test, pairs in tests.items()}})
    else:
        trained_on = args.train
        data = [(image, targets(ids)) for image, ids in load_dataset(args.train, args.train_split, noise_floor=args.noise_floor)]
        seconds = float("inf") if args.minutes is None else args.minutes * 60
        for seed in seed_list:
            model, steps = train(data, seconds, args.steps, args.crop, args.batch, seed, log=not args.quiet)
            if args.save:   # written beside, then renamed: never a half-written file under the final name
                path = args.save.replace("{seed}", str(seed))
                torch.save({"weights": model.state_dict(), "steps": steps, "train": trained_on, "seed": seed}, path + ".part")
                os.replace(path + ".part", path)
            runs.append({"seed": seed, "steps": steps,
                         "scores": {test: score(model, pairs, args.min_area) for test, pairs in tests.items()}})
    means, sds = summarise(runs)
    result = {"train": trained_on, "steps": runs[0]["steps"], "seeds": [run["seed"] for run in runs],
              "min_area": args.min_area, "noise_floor": args.noise_floor,
              "runs": runs, "scores": means, "sd": sds}
    print(json.dumps(result, indent=2))
    if not args.quiet:
        for test in args.test:
            line = "  ".join(f"{key} {means[test][key]:.3f} ± {sds[test][key]:.3f}" for key in SUMMARISED[:4])
            print(f"{trained_on} -> {test} ({len(runs)} seeds): {line}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
