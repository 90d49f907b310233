"""Targeted generation end to end on scenes/street.scene (docs/FORMATS.md, "Focus files").

A validation set is rendered; scripts/blind_model.py plays a model that is perfect except
after 17 h (it misses every object of those images); `tessera compare --by hour
--focus-out` must single out that range; a render with `--focus` must hold at least 3x the
share of late images that the unfocused validation set holds, and match the share the focus
file expects within a stated tolerance. Also: the focused dataset validates, `stats --json`
reports the achieved distribution, and bad focus files are refused before anything is
written. Uses $TESSERA_BIN (else .build/debug/tessera).
"""
import json
import math
import subprocess
import sys

import pytest

from conftest import ROOT, run_tessera

LATE = 17.0
COUNT = 60


def hours(folder):
    with open(folder / "records.jsonl") as f:
        return [json.loads(line)["values"]["hour"] for line in f]


@pytest.fixture(scope="module")
def focused(tmp_path_factory):
    base = tmp_path_factory.mktemp("focus")
    val, train = base / "val", base / "train"
    r = run_tessera("render", "scenes/street.scene", "--count", COUNT, "--seed", 7, "--out", val, "--quiet")
    assert r.returncode == 0, r.stderr
    pred = base / "pred.json"
    r = subprocess.run([sys.executable, ROOT / "scripts" / "blind_model.py", val, "--blind-record", f"hour:{LATE:g}:",
                        "--out", pred], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    focus = base / "focus.json"
    r = run_tessera("compare", val, pred, "--by", "hour", "--bins", "5,9,13,17,21", "--ap-only", "--focus-out", focus)
    assert r.returncode == 0, r.stderr
    assert "focus written to" in r.stdout
    r = run_tessera("render", "scenes/street.scene", "--count", COUNT, "--seed", 8, "--out", train, "--focus", focus)
    assert r.returncode == 0, r.stderr
    return val, train, json.loads(focus.read_text()), r.stderr


def small_pedestrian_share(folder):
    coco = json.loads((folder / "annotations" / "instances_default.json").read_text())
    pedestrian = next(c["id"] for c in coco["categories"] if c["name"] == "pedestrian")
    heights = [a["bbox"][3] for a in coco["annotations"] if a["category_id"] == pedestrian and not a["iscrowd"]]
    return sum(h < 20 for h in heights) / len(heights)


def test_a_model_blind_to_small_pedestrians_gets_more_of_them(focused, tmp_path):
    """The issue's instance-level case: a model that misses every pedestrian under 20 px."""
    val = focused[0]
    pred, focus, train = tmp_path / "pred.json", tmp_path / "focus.json", tmp_path / "train"
    r = subprocess.run([sys.executable, ROOT / "scripts" / "blind_model.py", val, "--blind-fact", "bbox_height::20",
                        "--class", "pedestrian", "--out", pred], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = run_tessera("compare", val, pred, "--by", "bbox_height", "--bins", "0,20,40,400", "--class", "pedestrian",
                    "--ap-only", "--focus-out", focus, "--focus-combine", "product")
    assert r.returncode == 0, r.stderr
    [factor] = json.loads(focus.read_text())["factors"]
    assert factor["classes"] == ["pedestrian"] and factor["combine"] == "product"
    assert [b["weight"] for b in factor["bins"]] == [1, 0.05, 0.05] and factor["bins"][0]["miss_rate"] == 1.0
    r = run_tessera("render", "scenes/street.scene", "--count", 8, "--seed", 9, "--out", train, "--focus", focus)
    assert r.returncode == 0, r.stderr
    before, after = small_pedestrian_share(val), small_pedestrian_share(train)
    assert after >= 3 * before, (before, after)


def test_the_focus_singles_out_the_blind_range(focused):
    val, _, focus, _ = focused
    [factor] = focus["factors"]
    assert factor["name"] == "hour" and factor["kind"] == "image"
    bins = factor["bins"]
    assert [b["min"] for b in bins] == [None, 9, 13, 17] and [b["max"] for b in bins] == [9, 13, 17, None]
    # The model missed everything after 17 h and nothing before.
    assert [b["miss_rate"] for b in bins] == [0.0, 0.0, 0.0, 1.0]
    assert [b["weight"] for b in bins] == [0.05, 0.05, 0.05, 1]
    # Ground truths per bin, counted here from the instances file.
    coco = json.loads((val / "annotations" / "instances_default.json").read_text())
    with open(val / "records.jsonl") as f:
        hour_of = {r["image_id"]: r["values"]["hour"] for r in map(json.loads, f)}
    late = sum(1 for a in coco["annotations"] if not a["iscrowd"] and hour_of[a["image_id"]] >= LATE)
    assert bins[3]["ground_truths"] == late and bins[3]["missed"] == late


def test_the_focused_render_holds_the_requested_share(focused):
    val, train, focus, report = focused
    before = sum(h >= LATE for h in hours(val)) / COUNT
    after = sum(h >= LATE for h in hours(train)) / COUNT
    expected = focus["factors"][0]["bins"][3]["expected_share"]
    assert after >= 3 * before, (before, after)
    # Stated tolerance: four binomial standard deviations at COUNT images, plus 0.05 for the
    # expected share itself being estimated from COUNT validation images.
    tolerance = 4 * math.sqrt(expected * (1 - expected) / COUNT) + 0.05
    assert abs(after - expected) <= tolerance, (after, expected, tolerance)
    assert "focus " in report and "[17, inf)" in report


def test_the_focused_dataset_validates_and_reports_its_distribution(focused):
    _, train, _, _ = focused
    r = run_tessera("validate", train)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run_tessera("stats", train, "--json", train.parent / "stats.json")
    assert r.returncode == 0, r.stderr
    assert "focus (render --focus)" in r.stdout
    stats = json.loads((train.parent / "stats.json").read_text())
    [factor] = stats["focus"]["factors"]
    late = sum(h >= LATE for h in hours(train))
    assert factor["bins"][3]["count"] == late
    assert stats["focus"]["held"] == COUNT
    manifest = json.loads((train / "manifest.json").read_text())
    assert manifest["options"]["focus"]["factors"][0]["name"] == "hour"
    with open(train / "records.jsonl") as f:
        for record in map(json.loads, f):
            bins = record["focus_bins"][0]
            assert sum(bins) == 1 and (bins[3] == 1) == (record["values"]["hour"] >= LATE)


@pytest.mark.parametrize("text, message", [
    ("{\"tessera_focus\": 1, \"factors\": [", "not valid JSON"),
    ('{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "bins": [{"min": 0, "max": 9, "weight": -0.5}]}]}',
     "'factors[0].bins[0].weight' must be ≥ 0"),
    ('{"tessera_focus": 1, "factors": [{"name": "hours", "kind": "image", "bins": [{"min": 0, "max": 9, "weight": 1}]}]}',
     "a value the scene never records; did you mean 'hour'?"),
    ('{"tessera_focus": 1, "factors": [{"name": "area", "kind": "instance", "classes": ["pedestrain"], "bins": [{"min": 0, "max": 9, "weight": 1}]}]}',
     "did you mean 'pedestrian'?"),
])
def test_bad_focus_files_are_refused_before_anything_is_written(tmp_path, text, message):
    focus = tmp_path / "focus.json"
    focus.write_text(text)
    out = tmp_path / "out"
    r = run_tessera("render", "scenes/street.scene", "--count", 2, "--out", out, "--focus", focus)
    assert r.returncode == 64, r.stderr
    assert f"--focus {focus}" in r.stderr and message in r.stderr, r.stderr
    assert not out.exists() or not any(out.iterdir())
