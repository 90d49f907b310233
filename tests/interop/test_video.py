"""Interop test: clips read back by the readers trackers and video models use.

Renders a small clip dataset with the built binary (occlusion over time: a car passes in
front of a standing person, a walker enters from the edge), exports it with
`tessera export --format mot` and `--format youtube-vis`, then:
  * evaluates every MOTChallenge sequence against itself with `motmetrics` (its own MOT
    loader, `mot15-2D`, and IoU matching): MOTA = 1 and IDF1 = 1, and the gt lines agree with
    the per-frame COCO annotations (frame, track id, box, visibility);
  * decodes every YouTube-VIS segmentation with pycocotools per frame and compares it with the
    instance PNG of that frame (pixels equal to the annotation's mask_id): exact;
  * loads the per-frame COCO file with pycocotools' COCO and checks video_id / frame_id /
    track_id, and that `tessera validate` accepts the dataset.
The binary is $TESSERA_BIN, else .build/debug/tessera.
"""
import configparser
import json
import os
import pathlib
import shutil
import subprocess

import motmetrics as mm
import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

# motmetrics 1.4.0, its latest release, still calls np.asfarray, which NumPy 2 removed; give it
# the documented replacement (np.asarray with a float dtype) so its own IoU code runs.
if not hasattr(np, "asfarray"):
    np.asfarray = lambda a, dtype=np.float64: np.asarray(a, dtype=dtype)

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))

SCENE = """
canvas 96 x 64
classes car, person, cone
clip frames: 10, fps: 5
background #202020
object person at (48, 32) { rectangle(6, 20, fill: #30c030) }
if time >= 0.4 {
  object person at along([(-10, 50), (100, 50)], 40, time - 0.4) { circle(5, fill: #3030c0) }
}
object car at (keyframes(time, [0, -27], [1.8, 113 + uniform(-4, 4)]), 32) { rectangle(30, 30, fill: #c03030) }
repeat randint(1, 3) as i { object cone at (10 + 30 * i, 8 + wander(0, 2, time)) { circle(3, fill: #f0a000) } }
camera pan: (2 * time, 0)
"""


def tessera(*args):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    base = tmp_path_factory.mktemp("video")
    scene = base / "crossing.scene"
    scene.write_text(SCENE)
    out = base / "clips"
    r = tessera("render", str(scene), "--count", "4", "--seed", "3", "--out", str(out), "--jobs", "2", "--quiet")
    assert r.returncode == 0, r.stderr
    for fmt in ["mot", "youtube-vis"]:
        r = tessera("export", str(out), "--format", fmt, "--out", str(base / fmt))
        assert r.returncode == 0, r.stderr
    return base


def test_per_frame_coco_is_valid_and_carries_tracks(dataset):
    r = tessera("validate", str(dataset / "clips"))
    assert r.returncode == 0, r.stdout + r.stderr
    coco = COCO(str(dataset / "clips" / "annotations" / "instances_default.json"))
    images = coco.loadImgs(coco.getImgIds())
    assert len(images) == 40
    for image in images:
        assert image["video_id"] == (image["id"] - 1) // 10 + 1 and image["frame_id"] == (image["id"] - 1) % 10
        assert image["file_name"] == f"{image['video_id'] - 1:06d}/{image['frame_id']:06d}.png"
        tracks = [a["track_id"] for a in coco.loadAnns(coco.getAnnIds(imgIds=image["id"]))]
        assert len(tracks) == len(set(tracks)) and all(t >= 1 for t in tracks)
    # The standing person (track 1) is hidden by the car in some frame of every clip, and
    # visible again afterwards under the same track id.
    for video in range(1, 5):
        seen = [any(a["track_id"] == 1 for a in coco.loadAnns(coco.getAnnIds(imgIds=(video - 1) * 10 + f + 1))) for f in range(10)]
        assert seen[0] and not all(seen) and seen[-1]


def test_mot_sequences_score_perfectly_against_themselves(dataset):
    coco = json.loads((dataset / "clips" / "annotations" / "instances_default.json").read_text())
    images = {i["id"]: i for i in coco["images"]}
    sequences = sorted(p for p in (dataset / "mot").iterdir() if p.is_dir())
    assert [p.name for p in sequences] == ["000000", "000001", "000002", "000003"]
    accumulators = []
    hidden_lines = 0
    for seq in sequences:
        info = configparser.ConfigParser()
        info.read(seq / "seqinfo.ini")
        assert info["Sequence"]["seqLength"] == "10" and info["Sequence"]["frameRate"] == "5"
        assert info["Sequence"]["imWidth"] == "96" and info["Sequence"]["imHeight"] == "64"
        assert len(list((seq / "img1").iterdir())) == 10
        gt = mm.io.loadtxt(str(seq / "gt" / "gt.txt"), fmt="mot15-2D")
        accumulators.append(mm.utils.compare_to_groundtruth(gt, gt, "iou", distth=0.5))
        # Every gt line is a COCO annotation of that clip's frame (its amodal box: MOT's
        # full-extent box) or an unannotated track of the frame (hidden: visibility 0), and back.
        video = int(seq.name) + 1
        expected = sorted(
            (images[a["image_id"]]["frame_id"] + 1, a["track_id"], *a["amodal_bbox"], a["visible_fraction"])
            for a in coco["annotations"] if images[a["image_id"]]["video_id"] == video)
        hidden = sorted(
            (im["frame_id"] + 1, t["track_id"], *t["amodal_bbox"], t["visible_fraction"])
            for im in coco["images"] if im["video_id"] == video for t in im.get("unannotated_tracks", []))
        lines = sorted(tuple(float(x) for x in line.split(",")[:6]) + (float(line.split(",")[8]),)
                       for line in (seq / "gt" / "gt.txt").read_text().splitlines())
        assert lines == sorted(tuple(float(x) for x in e) for e in expected + hidden)
        hidden_lines += len(hidden)
        # The standing person (drawn first: track 1) never leaves the canvas: its track has a
        # line in every frame, visible or not, as MOT17 annotates occluded people.
        assert sorted(int(l[0]) for l in lines if l[1] == 1) == list(range(1, 11))
    assert hidden_lines > 0, "the car hides the standing person in some frames"
    summary = mm.metrics.create().compute_many(accumulators, metrics=["mota", "idf1", "num_switches"], generate_overall=True)
    assert summary.loc["OVERALL", "mota"] == 1.0
    assert summary.loc["OVERALL", "idf1"] == 1.0
    assert summary.loc["OVERALL", "num_switches"] == 0


def test_youtube_vis_segmentations_equal_the_instance_masks(dataset):
    vis = json.loads((dataset / "youtube-vis" / "default.json").read_text())
    coco = json.loads((dataset / "clips" / "annotations" / "instances_default.json").read_text())
    by_frame = {}
    for a in coco["annotations"]:
        by_frame[(a["image_id"], a["track_id"])] = a
    assert [v["id"] for v in vis["videos"]] == [1, 2, 3, 4]
    assert all(v["length"] == 10 and len(v["file_names"]) == 10 for v in vis["videos"])
    checked = 0
    for track in vis["annotations"]:
        video = next(v for v in vis["videos"] if v["id"] == track["video_id"])
        assert len(track["segmentations"]) == len(track["bboxes"]) == len(track["areas"]) == 10
        for frame, rle in enumerate(track["segmentations"]):
            image_id = (track["video_id"] - 1) * 10 + frame + 1
            annotation = by_frame.get((image_id, track["track_id"]))
            if rle is None:
                assert annotation is None and track["bboxes"][frame] is None
                continue
            assert (dataset / "youtube-vis" / "JPEGImages" / video["file_names"][frame]).exists()
            decoded = mask_utils.decode(rle).astype(bool)
            instance = np.array(Image.open(dataset / "clips" / "masks" / "instance_ids" / video["file_names"][frame]))
            assert np.array_equal(decoded, instance == annotation["mask_id"])
            assert track["areas"][frame] == annotation["area"] == int(mask_utils.area(rle))
            assert track["bboxes"][frame] == annotation["bbox"] == list(mask_utils.toBbox(rle))
            assert track["visible_fractions"][frame] == annotation["visible_fraction"]
            assert track["category_id"] == annotation["category_id"]
            checked += 1
    assert checked == len(coco["annotations"])


def test_preview_animation_opens_in_pillow_with_every_frame(dataset, tmp_path):
    """`tessera preview --animate` writes an APNG that Pillow reads as an animation of the
    clip's frames, each shown 1/fps s, frame k showing frame k's labels (the caption differs
    from frame to frame, so no two frames are equal); the strip of the clip has its own frames."""
    animation = tmp_path / "clip1.png"
    result = tessera("preview", str(dataset / "clips"), "--clip", "1", "--animate", str(animation), "--tile", "128")
    assert result.returncode == 0, result.stderr
    with Image.open(animation) as image:
        assert image.format == "PNG"
        assert getattr(image, "is_animated", False)
        assert image.n_frames == 10
        assert image.size == (128 + 16, 128 + 34)
        frames = []
        for k in range(image.n_frames):
            image.seek(k)
            assert image.info.get("duration") == pytest.approx(200), "1/5 s a frame"
            frames.append(np.asarray(image.convert("RGB")).copy())
        assert image.info.get("loop") == 0
    for a, b in zip(frames, frames[1:]):
        assert not np.array_equal(a, b)

    strip = tmp_path / "strip.png"
    result = tessera("preview", str(dataset / "clips"), "--clip", "1", "--out", str(strip), "--tile", "64", "--step", "3")
    assert result.returncode == 0, result.stderr
    with Image.open(strip) as image:
        # frames 0, 3, 6, 9 in 4 columns of 64 px tiles
        assert image.size == (4 * 64 + 5 * 8, 64 + 18 + 16)


def test_preview_gif_is_the_apng_quantised(dataset, tmp_path):
    """`tessera preview --animate FILE.gif` writes a GIF89a that Pillow reads as an animation
    looping forever, one frame per clip frame, each shown from round(100 f / fps) to
    round(100 (f + 1) / fps) hundredths of a second; every frame is the APNG's frame with its
    colours quantised as docs/PREVIEW.md says: the labels' flat colours exact, others at most
    25 off per channel (a 6 x 6 x 6 cube)."""
    gif, apng = tmp_path / "clip1.gif", tmp_path / "clip1.png"
    for path in (gif, apng):
        result = tessera("preview", str(dataset / "clips"), "--clip", "1", "--animate", str(path), "--tile", "128")
        assert result.returncode == 0, result.stderr
    assert gif.read_bytes()[:6] == b"GIF89a"
    fps = 5
    with Image.open(gif) as animation, Image.open(apng) as reference:
        assert animation.format == "GIF"
        assert animation.n_frames == reference.n_frames == 10
        assert animation.size == reference.size == (128 + 16, 128 + 34)
        assert animation.info.get("loop") == 0
        total = 0
        for k in range(animation.n_frames):
            animation.seek(k)
            reference.seek(k)
            delay = round(100 * (k + 1) / fps) - round(100 * k / fps)
            assert animation.info.get("duration") == 10 * delay
            total += animation.info["duration"]
            ours = np.asarray(animation.convert("RGB")).astype(int)
            theirs = np.asarray(reference.convert("RGB")).astype(int)
            error = np.abs(ours - theirs)
            assert error.max() <= 25, f"frame {k}: a channel {error.max()} off"
            # The cube's levels are multiples of 51; anything else is one of the exact colours.
            off_cube = (ours % 51 != 0).any(axis=2)
            assert (error[off_cube] == 0).all(), f"frame {k}: a flat label colour changed"
            if k == 0:
                # The labels' flat colours survive: some pixels are off the cube and exact.
                assert off_cube.sum() > 100
        assert total == 1000 * animation.n_frames // fps


def test_split_clips_export_as_still_images_and_stream_by_clip(tmp_path):
    """A clip run with --split deals whole clips to the splits; the YOLO export names each frame
    CCCCCC_FFFFFF and ultralytics resolves its lists and labels; `render --out -` streams the
    same frames as WebDataset samples keyed CCCCCC_FFFFFF that `webdataset` reads back."""
    import webdataset as wds
    from ultralytics.data import utils as ultralytics_utils

    scene = tmp_path / "crossing.scene"
    scene.write_text(SCENE)
    dataset = tmp_path / "split"
    r = tessera("render", str(scene), "--count", "6", "--seed", "3", "--split", "train=0.5,val=0.5",
                "--out", str(dataset), "--quiet")
    assert r.returncode == 0, r.stderr
    clips = {}
    for split in ("train", "val"):
        with open(dataset / "annotations" / f"instances_{split}.json") as f:
            for im in json.load(f)["images"]:
                clips.setdefault(im["video_id"], set()).add(split)
    assert sorted(clips) == list(range(1, 7)) and all(len(s) == 1 for s in clips.values())

    export = tmp_path / "yolo"
    r = tessera("export", str(dataset), "--format", "yolo", "--out", str(export), "--quiet")
    assert r.returncode == 0, r.stderr
    data = ultralytics_utils.check_det_dataset(str(export / "data.yaml"), autodownload=False)
    for split in ("train", "val"):
        listed = (export / f"{split}.txt").read_text().split()
        want = [f"./images/{c - 1:06d}_{f:06d}.png" for c in sorted(clips) if clips[c] == {split} for f in range(10)]
        assert listed == want
        assert pathlib.Path(data[split]) == export / f"{split}.txt"
        for name in listed:
            assert (export / name).is_file()
            assert (export / "labels" / (pathlib.Path(name).stem + ".txt")).is_file()

    url = "pipe:" + " ".join([str(BINARY), "render", str(scene), "--count", "6", "--seed", "3",
                              "--split", "train=0.5,val=0.5", "--out", "-", "--quiet"])
    keys = []
    for sample in wds.WebDataset(url, shardshuffle=False).decode("rgb8"):
        keys.append(sample["__key__"])
        record = sample["json"]
        c, f = (int(x) for x in sample["__key__"].split("_"))
        assert (record["image"]["video_id"], record["image"]["frame_id"]) == (c + 1, f)
        assert {record["record"]["split"]} == clips[c + 1]
        with Image.open(dataset / "images" / f"{c:06d}" / f"{f:06d}.png") as stored:
            assert np.array_equal(np.asarray(stored.convert("RGB")), sample["png"])
    assert keys == [f"{c:06d}_{f:06d}" for c in range(6) for f in range(10)]


def test_trackeval_scores_hota_1_on_the_mot_export(dataset, tmp_path):
    """TrackEval (the MOTChallenge's own evaluation code, `trackeval` on PyPI) reads the MOT
    sequences with its MotChallenge2DBox loader, preprocessing on, and scores the ground truth
    against itself: HOTA = MOTA = IDF1 = 1, hidden (visibility 0) lines included. Its MOT
    loader evaluates class 1 (MOT17's pedestrian) only, so every line's class is set to 1."""
    trackeval = pytest.importorskip("trackeval")
    benchmark, split = "TESSERA", "train"
    gt_root, trackers = tmp_path / "gt", tmp_path / "trackers"
    names, total = [], 0
    for seq in sorted(p for p in (dataset / "mot").iterdir() if p.is_dir()):
        names.append(seq.name)
        target = gt_root / f"{benchmark}-{split}" / seq.name
        (target / "gt").mkdir(parents=True)
        shutil.copy(seq / "seqinfo.ini", target / "seqinfo.ini")
        lines = [l.split(",") for l in (seq / "gt" / "gt.txt").read_text().splitlines()]
        total += len(lines)
        (target / "gt" / "gt.txt").write_text("".join(",".join(l[:7] + ["1", l[8]]) + "\n" for l in lines))
        data = trackers / f"{benchmark}-{split}" / "self" / "data"
        data.mkdir(parents=True, exist_ok=True)
        (data / f"{seq.name}.txt").write_text("".join(",".join(l[:6] + ["1", "-1", "-1", "-1"]) + "\n" for l in lines))
    (gt_root / "seqmaps").mkdir()
    (gt_root / "seqmaps" / f"{benchmark}-{split}.txt").write_text("name\n" + "".join(n + "\n" for n in names))
    evaluator = trackeval.Evaluator({"USE_PARALLEL": False, "PRINT_RESULTS": False, "PRINT_CONFIG": False,
                                     "OUTPUT_SUMMARY": False, "OUTPUT_DETAILED": False, "PLOT_CURVES": False,
                                     "TIME_PROGRESS": False, "DISPLAY_LESS_PROGRESS": True})
    source = trackeval.datasets.MotChallenge2DBox({
        "GT_FOLDER": str(gt_root), "TRACKERS_FOLDER": str(trackers), "BENCHMARK": benchmark, "SPLIT_TO_EVAL": split,
        "TRACKERS_TO_EVAL": ["self"], "CLASSES_TO_EVAL": ["pedestrian"], "DO_PREPROC": True, "PRINT_CONFIG": False})
    results, messages = evaluator.evaluate([source], [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR(), trackeval.metrics.Identity()])
    combined = results["MotChallenge2DBox"]["self"]["COMBINED_SEQ"]["pedestrian"]
    assert combined["HOTA"]["HOTA"].mean() == pytest.approx(1.0)
    assert combined["CLEAR"]["MOTA"] == pytest.approx(1.0)
    assert combined["Identity"]["IDF1"] == pytest.approx(1.0)
    assert combined["CLEAR"]["CLR_TP"] == total, "every gt line, hidden ones included, was evaluated and matched"
    assert combined["CLEAR"]["CLR_FN"] == 0 and combined["CLEAR"]["IDSW"] == 0
