"""Issue 17: text laid out once per image, counted at Cairo's own API.

scripts/cairo_calls.c, compiled here and preloaded into a real render, counts each Cairo call
by the raster it draws into. Every text must be laid out (`cairo_text_path`) on the scratch
context that keeps its outline, never again on the picture, the instance raster or an amodal
band (which get the kept path, `cairo_append_path`, one per raster), and no text path may be
measured with `cairo_fill_extents` (Cairo 1.16 tessellates the whole path to answer). An
operation count, not a timing.
"""
import json
import shutil
import subprocess

import pytest

from conftest import BINARY, ROOT


def counts(tmp_path, scene, count):
    library = tmp_path / "cairo_calls.so"
    flags = subprocess.run(["pkg-config", "--cflags", "cairo"], capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(library), str(ROOT / "scripts" / "cairo_calls.c"), *flags, "-ldl"],
                   check=True)
    out = tmp_path / "calls.txt"
    env = {"PATH": "/usr/bin:/bin", "LD_PRELOAD": str(library), "CAIRO_CALLS_OUT": str(out)}
    subprocess.run([str(BINARY), "render", scene, "--count", str(count), "--seed", "3", "--jobs", "2",
                    "--out", str(tmp_path / "dataset"), "--quiet"], cwd=ROOT, env=env, check=True, timeout=900)
    table = {}
    for line in out.read_text().splitlines():
        call, rest = line.split(" ", 1)
        raster, number = rest.strip().rsplit(" ", 1)
        table[(call, raster.strip())] = int(number)
    annotations = json.loads((tmp_path / "dataset" / "annotations" / "instances_default.json").read_text())["annotations"]
    return table, len(annotations)


@pytest.mark.skipif(shutil.which("cc") is None or shutil.which("pkg-config") is None, reason="needs a C compiler")
def test_documents_lays_each_text_out_once_and_appends_it_to_each_raster(tmp_path):
    table, annotations = counts(tmp_path, "scenes/documents.scene", 3)
    texts = table.get(("cairo_text_path", "scratch (recording)"), 0)
    assert annotations > 30 and texts >= annotations // 2, table
    # Laid out on the scratch context only, each once (its ink box measured once with it).
    assert {raster for (call, raster) in table if call == "cairo_text_path"} == {"scratch (recording)"}, table
    assert table[("cairo_text_extents", "scratch (recording)")] == texts
    # Appended once to the picture and once to the instance raster; the amodal masks append it
    # once per band (one band for a line of text).
    assert table[("cairo_append_path", "picture")] == texts
    assert table[("cairo_append_path", "instance raster")] == texts
    assert table[("cairo_append_path", "amodal band")] <= texts
    # No text is measured by tessellation: what remains are the few gradient-filled figure parts.
    assert table.get(("cairo_fill_extents", "scratch (recording)"), 0) == 0
    assert table.get(("cairo_fill_extents", "picture"), 0) < texts // 20, table
