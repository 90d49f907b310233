#!/usr/bin/env python3
"""Times `tessera export --format yolo-seg` against ultralytics' own COCO → YOLO converter
(`ultralytics.data.converter.convert_coco(use_segments=True)`) on the same dataset, side by side.

    python3 scripts/bench_export.py [--scene scenes/crowd.scene] [--count 200] [--repeat 3]
                                    [--tessera .build/release/tessera] [--work /tmp/bench-export]

The dataset is rendered once with `--segmentation polygon` (convert_coco reads polygons, not
RLE); both tools read that dataset and write YOLO segmentation labels. Prints each run's wall
time, the best of each, and the ratio. Needs ultralytics (pip install ultralytics).
"""
import argparse
import contextlib
import io
import json
import pathlib
import shutil
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scene", default="scenes/crowd.scene")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tessera", default=str(ROOT / ".build" / "release" / "tessera"))
    parser.add_argument("--work", default="/tmp/bench-export")
    args = parser.parse_args()

    from ultralytics.data.converter import convert_coco

    work = pathlib.Path(args.work)
    dataset = work / "dataset"
    if not (dataset / "manifest.json").exists():
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run([args.tessera, "render", args.scene, "--count", str(args.count), "--seed", str(args.seed),
                        "--segmentation", "polygon", "--out", str(dataset), "--quiet"], cwd=ROOT, check=True)
    annotations = sum(len(json.loads(p.read_text())["annotations"]) for p in (dataset / "annotations").glob("*.json"))
    print(f"{args.scene}: {args.count} images, {annotations} annotations (polygons)")

    def tessera_run(k):
        out = work / f"tessera-{k}"
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run([args.tessera, "export", str(dataset), "--format", "yolo-seg", "--out", str(out), "--quiet"], check=True)
        return time.perf_counter() - start

    def ultralytics_run(k):
        out = work / f"ultralytics-{k}"
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            convert_coco(labels_dir=str(dataset / "annotations"), save_dir=str(out), use_segments=True, cls91to80=False)
        return time.perf_counter() - start

    times = {"tessera export --format yolo-seg": [], "ultralytics convert_coco(use_segments=True)": []}
    for k in range(args.repeat):  # alternate, so both see the same machine
        times["tessera export --format yolo-seg"].append(tessera_run(k))
        times["ultralytics convert_coco(use_segments=True)"].append(ultralytics_run(k))
    for name, values in times.items():
        print(f"{name}: best {min(values):.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    ours, theirs = (min(v) for v in times.values())
    print(f"ratio: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
