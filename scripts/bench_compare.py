"""Times `tessera compare` against pycocotools COCOeval on the same crowd ground truth and
perturbed predictions (tests/interop/test_compare.py's `perturb`), bbox and segm.

    python3 scripts/bench_compare.py --count 200 [--tessera .build/release/tessera] [--out /tmp/bench-compare]

Prints the seconds each took and checks that the 12 stats agree to 1e-6.
"""
import argparse
import contextlib
import io
import json
import pathlib
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interop"))
from test_compare import STATS, cocoeval, perturb  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--tessera", default=str(ROOT / ".build" / "release" / "tessera"))
    parser.add_argument("--out", default="/tmp/bench-compare")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    dataset = out / "crowd"
    if not (dataset / "annotations" / "instances_default.json").exists():
        subprocess.run([args.tessera, "render", "scenes/crowd.scene", "--count", str(args.count), "--seed", "1",
                        "--out", str(dataset), "--quiet"], cwd=ROOT, check=True)
    document = json.loads((dataset / "annotations" / "instances_default.json").read_text())
    _, _, both = perturb(document, np.random.default_rng(1))
    results = out / "results.json"
    results.write_text(json.dumps(both))
    print(f"{len(document['images'])} images, {len(document['annotations'])} annotations, {len(both)} predictions")

    start = time.perf_counter()
    theirs = {t: cocoeval(dataset / "annotations" / "instances_default.json", results, t) for t in ("bbox", "segm")}
    pycocotools_seconds = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([args.tessera, "compare", str(dataset), str(results), "--json", str(out / "compare.json")],
                   check=True, stdout=subprocess.DEVNULL)
    tessera_seconds = time.perf_counter() - start
    ours = json.loads((out / "compare.json").read_text())
    worst = max(abs(ours[t]["stats"][n] - v) for t in theirs for n, v in zip(STATS, theirs[t]))
    print(f"pycocotools (bbox + segm): {pycocotools_seconds:.1f} s")
    print(f"tessera compare (bbox + segm, reading included): {tessera_seconds:.2f} s")
    print(f"largest difference in the 12 stats: {worst:.2e}")


if __name__ == "__main__":
    main()
