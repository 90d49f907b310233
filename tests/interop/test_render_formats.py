"""`tessera render … --format FORMAT[=DIR]`: the exports written at render time are exactly what
`tessera export` writes from the finished dataset, and the flag's errors come before any
rendering. The binary is $TESSERA_BIN, else .build/debug/tessera."""
import os
import pathlib
import subprocess

import pytest

from conftest import BINARY, ROOT, run_tessera as tessera  # noqa: E402  (the shared binary lookup)
SCENE = ["scenes/street.scene", "--count", "4", "--seed", "2", "--split", "train=0.5,val=0.5"]



def tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_render_time_exports_equal_tessera_export(tmp_path):
    out = tmp_path / "street"
    r = tessera("render", *SCENE, "--out", str(out), "--format", "yolo-seg", "--format", f"webdataset={tmp_path / 'shards'}")
    assert r.returncode == 0, r.stderr
    assert "exported 4 images as yolo-seg" in r.stderr and "exported 4 images as webdataset" in r.stderr
    for fmt, folder in (("yolo-seg", tmp_path / "street-yolo-seg"), ("webdataset", tmp_path / "shards")):
        r = tessera("export", str(out), "--format", fmt, "--out", str(tmp_path / f"again-{fmt}"), "--quiet")
        assert r.returncode == 0, r.stderr
        assert tree(folder) == tree(tmp_path / f"again-{fmt}") and tree(folder), fmt
    # A resumed run that is already complete writes the exports again, in place.
    r = tessera("render", *SCENE, "--out", str(out), "--format", "yolo-seg", "--resume", "--quiet")
    assert r.returncode == 0, r.stderr


def test_render_takes_the_export_options_as_export_does(tmp_path):
    out = tmp_path / "street"
    options = ["--samples-per-shard", "1", "--voc-void-band", "5", "--voc-overflow", "gray16"]
    r = tessera("render", *SCENE, "--out", str(out), "--format", "voc", "--format", "webdataset", *options, "--quiet")
    assert r.returncode == 0, r.stderr
    for fmt, flags in (("voc", options[2:]), ("webdataset", options[:2])):
        r = tessera("export", str(out), "--format", fmt, *flags, "--out", str(tmp_path / f"again-{fmt}"), "--quiet")
        assert r.returncode == 0, r.stderr
        assert tree(tmp_path / f"street-{fmt}") == tree(tmp_path / f"again-{fmt}"), fmt
    # The options took effect: one sample a shard, 16-bit object PNGs with a void band.
    assert len(list((tmp_path / "street-webdataset").glob("*.tar"))) == 4
    r = tessera("export", str(out), "--format", "voc", "--out", str(tmp_path / "defaults"), "--quiet")
    assert r.returncode == 0, r.stderr
    assert tree(tmp_path / "defaults")["SegmentationObject/000000.png"] != tree(tmp_path / "street-voc")["SegmentationObject/000000.png"]


@pytest.mark.parametrize("args, message", [
    (["--format", "yolo", "--samples-per-shard", "2"], "--samples-per-shard applies only to --format webdataset"),
    (["--format", "yolo", "--voc-void-band", "5"], "--voc-void-band applies to --format voc only"),
    (["--voc-overflow", "gray16"], "--voc-overflow applies to --format voc only"),

    (["--format", "tiff"], "unknown format 'tiff'"),
    (["--shard", "0/2", "--format", "yolo"], "export the merged dataset"),
    (["--format", "yolo=X", "--format", "yolo-seg=X"], "named by two exports"),
])
def test_format_errors_name_the_flag_and_render_nothing(tmp_path, args, message):
    out = tmp_path / "d"
    r = tessera("render", *SCENE, "--out", str(out), *[a.replace("X", str(tmp_path / "x")) for a in args])
    assert r.returncode == 64 and "--format" in r.stderr and message in r.stderr, r.stderr
    assert not out.exists()


def test_a_non_empty_export_folder_is_refused_before_rendering(tmp_path):
    (tmp_path / "d-yolo").mkdir()
    (tmp_path / "d-yolo" / "mine.txt").write_text("keep me")
    r = tessera("render", *SCENE, "--out", str(tmp_path / "d"), "--format", "yolo")
    assert r.returncode == 64 and "not empty" in r.stderr
    assert not (tmp_path / "d").exists() and (tmp_path / "d-yolo" / "mine.txt").read_text() == "keep me"


def test_stream_takes_only_its_own_format(tmp_path):
    r = tessera("render", *SCENE, "--out", "-", "--format", "yolo")
    assert r.returncode == 64 and "--format yolo" in r.stderr
    r = tessera("render", *SCENE, "--out", "-", "--format", "webdataset", "--samples-per-shard", "2")
    assert r.returncode == 64 and "--out - streams one WebDataset tar" in r.stderr


def test_a_video_format_for_a_still_scene_is_refused_before_rendering(tmp_path):
    r = tessera("render", "scenes/shapes.scene", "--count", "2", "--out", str(tmp_path / "d"), "--format", "mot")
    assert r.returncode == 64 and "--format mot" in r.stderr and "still images" in r.stderr, r.stderr
    assert not (tmp_path / "d").exists()


def test_a_video_format_of_a_still_dataset_is_a_usage_error(tmp_path):
    out = tmp_path / "d"
    assert tessera("render", "scenes/shapes.scene", "--count", "1", "--out", str(out), "--quiet").returncode == 0
    for fmt in ("mot", "youtube-vis"):
        r = tessera("export", str(out), "--format", fmt, "--out", str(tmp_path / fmt))
        assert r.returncode == 64 and "still images" in r.stderr and f"--format {fmt}" in r.stderr, r.stderr
        assert not (tmp_path / fmt).exists()


@pytest.mark.parametrize("classes,message", [
    ('"background", b', "a class is named 'background'"),
    ('"a:b"', "holds ':'"),
    (", ".join(f"c{k}" for k in range(255)), "at most 254"),
])
def test_classes_voc_cannot_hold_are_refused_before_rendering(tmp_path, classes, message):
    scene = tmp_path / "s.scene"
    scene.write_text(f"canvas 32 x 32\nclasses {classes}\nobject {classes.split(',')[-1].strip()} {{ circle(4) }}\n")
    out = tmp_path / "d"
    r = tessera("render", str(scene), "--count", "1", "--out", str(out), "--format", "voc")
    assert r.returncode == 64 and "--format voc" in r.stderr and message in r.stderr, r.stderr
    assert not out.exists() and not (tmp_path / "d-voc").exists()


def test_a_failed_export_leaves_no_folder_it_made(tmp_path):
    out = tmp_path / "d"
    assert tessera("render", "scenes/shapes.scene", "--count", "2", "--out", str(out), "--quiet").returncode == 0
    (out / "masks" / "instance_ids" / "000001.png").unlink()
    for fmt in ("yolo-seg", "webdataset", "coco-panoptic"):
        r = tessera("export", str(out), "--format", fmt, "--out", str(tmp_path / fmt))
        assert r.returncode == 65 and "000001.png" in r.stderr, r.stderr
        assert not (tmp_path / fmt).exists(), fmt
