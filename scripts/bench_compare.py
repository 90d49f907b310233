"""Times `tessera compare` against pycocotools COCOeval and faster-coco-eval (when installed:
`pip install faster-coco-eval==1.8.0`) on the same crowd ground truth and perturbed
predictions (tests/interop/test_compare.py's `perturb`), bbox and segm.

    python3 scripts/bench_compare.py --count 200 [--tessera .build/release/tessera] [--out /tmp/bench-compare]
        [--skip-pycocotools] [--repeat N] [--baseline OTHER_TESSERA_BINARY]

Prints the seconds each took (the best of --repeat runs for the fast ones) and the largest
difference from pycocotools (or faster-coco-eval) among the 12 stats. --baseline times a
second tessera binary on the same files, e.g. one built before a change.
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
    parser.add_argument("--skip-pycocotools", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline")
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

    gt_path = dataset / "annotations" / "instances_default.json"
    reference = {}
    if not args.skip_pycocotools:
        start = time.perf_counter()
        reference = {t: cocoeval(gt_path, results, t) for t in ("bbox", "segm")}
        print(f"pycocotools (bbox + segm): {time.perf_counter() - start:.1f} s")
    try:
        from faster_coco_eval import COCO as FasterCOCO
        from faster_coco_eval import COCOeval_faster
    except ImportError:
        print("faster-coco-eval: not installed (pip install faster-coco-eval==1.8.0)")
    else:
        best, stats = None, {}
        for _ in range(args.repeat):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                gt = FasterCOCO(str(gt_path))
                dt = gt.loadRes(str(results))
                for t in ("bbox", "segm"):
                    evaluation = COCOeval_faster(gt, dt, t)
                    evaluation.evaluate()
                    evaluation.accumulate()
                    evaluation.summarize()
                    stats[t] = list(evaluation.stats[:12])
            seconds = time.perf_counter() - start
            best = seconds if best is None else min(best, seconds)
        print(f"faster-coco-eval (bbox + segm, reading included): {best:.2f} s (best of {args.repeat})")
        if not reference:
            reference = stats
        else:
            print(f"  faster-coco-eval vs pycocotools, largest difference: "
                  f"{max(abs(stats[t][n] - v) for t in reference for n, v in enumerate(reference[t])):.2e}")

    def time_tessera(binary):
        best = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run([binary, "compare", str(dataset), str(results), "--json", str(out / "compare.json")],
                           check=True, stdout=subprocess.DEVNULL)
            seconds = time.perf_counter() - start
            best = seconds if best is None else min(best, seconds)
        return best, json.loads((out / "compare.json").read_text())

    for label, binary in [("tessera compare", args.tessera)] + ([("baseline", args.baseline)] if args.baseline else []):
        seconds, ours = time_tessera(binary)
        print(f"{label} ({binary}; bbox + segm, reading included): {seconds:.2f} s (best of {args.repeat})")
        if reference:
            worst = max(abs(ours[t]["stats"][n] - v) for t in reference for n, v in zip(STATS, reference[t]))
            print(f"  largest difference in the 12 stats: {worst:.2e}")


if __name__ == "__main__":
    main()
