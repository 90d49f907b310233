#!/usr/bin/env python3
"""The cost of a rejected attempt, as a share of a full image (a benchmark, not a test).

For each scene: a rejected attempt costs sampling plus the instance raster plus the facts its
rendered requirements ask (amodal masks of the instances they name). `tessera check SCENE
--samples N` does exactly that work for every attempt of images 0..N-1 and draws nothing else,
so its CPU time (less a plain `tessera check`'s) over its attempts is the cost of one attempt.
A full image is what `tessera render --jobs 1` spends per image, less the rejected attempts
it made. CPU seconds (user + system) of the child processes, median of RUNS runs.

    python3 scripts/bench_rejection.py [--count N] [--runs R] SCENE [SCENE …]

A scene without a rendered requirement is measured with one added that holds always but asks
every instance's visible pixels and box (`require count(c in all where bbox_height(c) >= 0) >= 0`),
so its attempt cost is the raster's.
"""
import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

TESSERA = os.environ.get("TESSERA", ".build/release/tessera")
TEMPLATES = os.path.abspath("templates")


def cpu_of(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(args, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result.stdout


def median_cpu(args, runs):
    times, out = [], ""
    for _ in range(runs):
        t, out = cpu_of(args)
        times.append(t)
    return statistics.median(times), out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenes", nargs="+")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    work = tempfile.mkdtemp()
    try:
        for scene in options.scenes:
            text = open(scene).read()
            probe = scene
            if "require" not in text or not re.search(r"visible_|bbox_|hidden_|amodal_|in_frame|shared_edge|count\(", text):
                probe = os.path.join(work, os.path.basename(scene))
                with open(probe, "w") as f:
                    f.write(text + "\nrequire count(c in all where bbox_height(c) >= 0) >= 0\n")
            try:
                templates = ["--templates", TEMPLATES]
                base, _ = median_cpu([TESSERA, "check", probe] + templates, options.runs)
                sampled, out = median_cpu([TESSERA, "check", probe, "--samples", str(options.count)] + templates, options.runs)
                attempts = int(re.search(r"accepted in (\d+) attempts", out).group(1))
                render, _ = median_cpu([TESSERA, "render", scene, "--count", str(options.count), "--jobs", "1",
                                        "--out", os.path.join(work, "out"), "--overwrite", "--quiet"], options.runs)
            finally:
                if probe != scene:
                    os.remove(probe)
            attempt = (sampled - base) / attempts
            rejected_per_image = attempts / options.count - 1 if probe == scene else 0
            full = render / options.count - rejected_per_image * attempt
            print(f"{scene}: {options.count} images, {attempts / options.count:.2f} attempts per image")
            print(f"  attempt (sampling + instance raster + facts): {attempt * 1000:.2f} ms CPU")
            print(f"  full image (picture, labels, encoding, files): {full * 1000:.2f} ms CPU")
            print(f"  a rejected attempt costs {100 * attempt / full:.1f} % of a full image; "
                  f"{options.count / render:.1f} images/s on one core")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
