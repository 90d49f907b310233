#!/usr/bin/env python3
"""CPU per image and per labeled instance for every shipped scene (docs/PERFORMANCE.md).

    python3 scripts/bench_scenes.py [--count 50] [--clips 2] [--tessera .build/release/tessera] [SCENE …]

Renders COUNT images (CLIPS clips of a clip scene, every frame counted as an image) of each scene with
`--jobs 1 --seed 1` into a temporary folder and reports the process's CPU time (user + system,
from the kernel's accounting of the finished child, so other work on the machine costs it
little), the images and the annotations written, ms of CPU per image and per annotation. A
benchmark, not a test: it asserts nothing.
"""
import argparse
import json
import pathlib
import re
import resource
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def count_labels(dataset):
    images = annotations = 0
    for path in sorted((dataset / "annotations").glob("instances_*.json")):
        doc = json.loads(path.read_text())
        images += len(doc["images"])
        annotations += len(doc["annotations"])
    return images, annotations


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--clips", type=int, default=2)
    parser.add_argument("--tessera", default=str(ROOT / ".build" / "release" / "tessera"))
    parser.add_argument("scenes", nargs="*")
    args = parser.parse_args()
    scenes = [pathlib.Path(s) for s in args.scenes] or sorted((ROOT / "scenes").glob("*.scene"))
    print(f"{'scene':<28} {'images':>7} {'annotations':>11} {'ann/image':>9} {'ms/image':>9} {'ms/annotation':>13} {'wall s':>7}")
    with tempfile.TemporaryDirectory() as work:
        for scene in scenes:
            out = pathlib.Path(work) / scene.stem
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            is_clip = re.search(r"^\s*clip\b", scene.read_text(), re.MULTILINE) is not None
            count = args.clips if is_clip else args.count
            subprocess.run([args.tessera, "render", str(scene), "--count", str(count), "--seed", "1",
                            "--jobs", "1", "--quiet", "--out", str(out)], cwd=ROOT, check=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_ms = 1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            images, annotations = count_labels(out)
            per_annotation = f"{cpu_ms / annotations:.3f}" if annotations else "-"
            print(f"{scene.stem:<28} {images:>7} {annotations:>11} {annotations / max(images, 1):>9.1f} "
                  f"{cpu_ms / max(images, 1):>9.2f} {per_annotation:>13} {wall:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
