#!/usr/bin/env python3
"""A scripted "model" that is perfect except where it is told to be blind.

Reads a Tessera dataset's ground truth and writes a COCO results file (a JSON list of
{image_id, category_id, bbox, segmentation, score}) that predicts every annotation exactly,
except those in a blind range, which it misses. Use it to try targeted generation without
training anything (docs/FORMATS.md, "Focus files"; README, "Make more of what a model gets
wrong"):

    python3 scripts/blind_model.py val --blind-record hour:17: --out pred.json
    python3 scripts/blind_model.py val --blind-fact bbox_height::20 --class pedestrian --out pred.json

--blind-record NAME:LO:HI misses every annotation of the images whose recorded value NAME
(records.jsonl) lies in [LO, HI); --blind-fact NAME:LO:HI misses every annotation whose fact
(area, bbox_width, bbox_height, visible_fraction, in_frame_fraction, amodal_area) lies in
[LO, HI). An empty bound is unbounded. --class limits the blindness to those classes.
Crowd annotations (iscrowd 1) are never predicted, as a detector would not.
"""
import argparse
import json
import pathlib
import sys


def parse_range(text, flag):
    parts = text.split(":")
    if len(parts) != 3 or not parts[0]:
        sys.exit(f"error: {flag} {text}: give NAME:LO:HI, e.g. hour:17: or bbox_height::20")
    try:
        low = float(parts[1]) if parts[1] else float("-inf")
        high = float(parts[2]) if parts[2] else float("inf")
    except ValueError:
        sys.exit(f"error: {flag} {text}: LO and HI must be numbers (or empty)")
    return parts[0], low, high


def fact(annotation, name):
    if name == "bbox_width":
        return annotation["bbox"][2]
    if name == "bbox_height":
        return annotation["bbox"][3]
    return annotation.get(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=pathlib.Path, help="a Tessera dataset folder (its ground truth)")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="the COCO results file to write")
    parser.add_argument("--blind-record", metavar="NAME:LO:HI")
    parser.add_argument("--blind-fact", metavar="NAME:LO:HI")
    parser.add_argument("--class", dest="classes", action="append", metavar="NAME", help="blind only for this class (repeatable)")
    parser.add_argument("--split", default=None, help="the instances file's split (default: the only one)")
    args = parser.parse_args()
    if (args.blind_record is None) == (args.blind_fact is None):
        sys.exit("error: give exactly one of --blind-record NAME:LO:HI and --blind-fact NAME:LO:HI")

    files = sorted((args.dataset / "annotations").glob("instances_*.json"))
    if args.split:
        files = [f for f in files if f.stem == f"instances_{args.split}"]
    if len(files) != 1:
        sys.exit(f"error: {args.dataset}: expected one annotations/instances_*.json, found {len(files)} (pass --split)")
    coco = json.loads(files[0].read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    if args.classes:
        unknown = [c for c in args.classes if c not in names.values()]
        if unknown:
            sys.exit(f"error: --class {unknown[0]}: not a class of the dataset ({', '.join(names.values())})")

    blind_images = set()
    if args.blind_record:
        name, low, high = parse_range(args.blind_record, "--blind-record")
        seen = False
        for line in (args.dataset / "records.jsonl").read_text().splitlines():
            record = json.loads(line)
            value = record["values"].get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                seen = True
                if low <= value < high:
                    blind_images.add(record["image_id"])
        if not seen:
            sys.exit(f"error: --blind-record {args.blind_record}: no image records a number '{name}'")
    else:
        name, low, high = parse_range(args.blind_fact, "--blind-fact")

    results, missed = [], 0
    for a in coco["annotations"]:
        if a.get("iscrowd"):
            continue
        in_class = not args.classes or names[a["category_id"]] in args.classes
        if args.blind_record:
            blind = a["image_id"] in blind_images
        else:
            value = fact(a, name)
            blind = value is not None and low <= value < high
        if blind and in_class:
            missed += 1
            continue
        results.append({"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"],
                        "segmentation": a["segmentation"], "score": 1.0})
    args.out.write_text(json.dumps(results))
    print(f"predicted {len(results)} annotations, missed {missed}: {args.out}")


if __name__ == "__main__":
    main()
