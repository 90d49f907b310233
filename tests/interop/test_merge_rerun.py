"""A `tessera merge` that was killed can simply be run again (issue 18, finding 5).

A pre-empted merge job leaves a partial dataset and its mark (`.tessera-merge`); rerunning
the same command must finish without --overwrite and give the bytes a clean merge gives.
A folder holding anything else — another merge's partial files, a user's file — is still
refused.
"""
import filecmp
import os
import signal
import subprocess
import time

import pytest

from conftest import BINARY, run_tessera

SCENE = "canvas 32 x 32\nclasses a\nobject a at (16, 16) { circle(uniform(3, 10)) }\n"


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("merge_rerun")
    scene = root / "tiny.scene"
    scene.write_text(SCENE)
    for k in (0, 1):
        done = run_tessera("render", scene, "--count", 1000, "--shard", f"{k}/2", "--out", root / f"s{k}")
        assert done.returncode == 0, done.stderr
    clean = run_tessera("merge", root / "s0", root / "s1", "--out", root / "clean")
    assert clean.returncode == 0, clean.stderr
    return root


def same_tree(a, b):
    comparison = filecmp.dircmp(a, b)
    if comparison.left_only or comparison.right_only or comparison.diff_files or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, comparison.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(a / d, b / d) for d in comparison.common_dirs)


def killed_merge(shards, out):
    """Starts the merge and kills it (SIGKILL) once it has copied some images."""
    process = subprocess.Popen([str(BINARY), "merge", shards / "s0", shards / "s1", "--out", out],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        images = out / "images"
        if images.is_dir() and sum(1 for _ in os.scandir(images)) >= 20:
            break
        time.sleep(0.005)
    if process.poll() is not None:
        pytest.skip("the merge finished before it could be killed")
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "manifest.json").exists()


def test_a_killed_merge_finishes_when_run_again(shards, tmp_path):
    out = tmp_path / "out"
    killed_merge(shards, out)
    rerun = run_tessera("merge", shards / "s0", shards / "s1", "--out", out)
    assert rerun.returncode == 0, rerun.stderr
    assert not (out / ".tessera-merge").exists()
    assert same_tree(out, shards / "clean")


def test_a_killed_merge_beside_a_users_file_is_still_refused(shards, tmp_path):
    out = tmp_path / "out"
    killed_merge(shards, out)
    (out / "notes.txt").write_text("mine")
    rerun = run_tessera("merge", shards / "s0", shards / "s1", "--out", out)
    assert rerun.returncode == 64 and "is not empty" in rerun.stderr, rerun.stderr
    assert (out / "notes.txt").read_text() == "mine"


def test_another_merges_partial_files_are_refused(shards, tmp_path):
    out = tmp_path / "out"
    killed_merge(shards, out)
    # The same folder, marked by a merge of other shards: not this merge's to redo.
    (out / ".tessera-merge").write_text("tessera merge\n0..<500 0000\n500..<1000 1111\n")
    rerun = run_tessera("merge", shards / "s0", shards / "s1", "--out", out)
    assert rerun.returncode == 64 and "is not empty" in rerun.stderr, rerun.stderr
    assert any((out / "images").iterdir())
