"""Interop test: WebDataset shards read by the `webdataset` library and its indexed reader `wids`.

Renders scenes/street.scene (stuff classes, splits) and scenes/shapes.scene with the built
binary, then:
  * `tessera export --format webdataset` shards, read by `webdataset.WebDataset` with its own
    decoders: every sample's image and masks are the dataset's files, byte for byte and pixel
    for pixel, and every annotation's RLE (decoded by pycocotools) is exactly its `mask_id`'s
    pixels in the instance mask; `wids.ShardListDataset` opens each split's index;
  * `tessera render … --out -` read live through `pipe:` URLs, one `--shard K/N` per worker
    of a torch DataLoader with two workers: the same samples, byte for byte, as the export of
    the stored run;
  * a reader that stops early ends the stream with status 141 (which `pipe:` accepts) and
    nothing on stderr; `--out -` with `--resume` is a usage error.
The binary is $TESSERA_BIN, else .build/debug/tessera.
"""
import io
import json
import os
import pathlib
import subprocess
import tarfile

import numpy as np
import pytest
import torch
import webdataset as wds
import wids
from PIL import Image
from pycocotools import mask as mask_utils

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("TESSERA_BIN", ROOT / ".build" / "debug" / "tessera"))
STREET = ["scenes/street.scene", "--count", "6", "--seed", "4", "--split", "train=0.5,val=0.5"]
SHAPES = ["scenes/shapes.scene", "--count", "8", "--seed", "3"]


def tessera(*args, **kwargs):
    return subprocess.run([str(BINARY), *args], cwd=ROOT, capture_output=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def street(tmp_path_factory):
    base = tmp_path_factory.mktemp("wds")
    dataset, shards = base / "street", base / "street-wds"
    r = tessera("render", *STREET, "--out", str(dataset), "--quiet")
    assert r.returncode == 0, r.stderr
    r = tessera("export", str(dataset), "--format", "webdataset", "--samples-per-shard", "2", "--out", str(shards), "--quiet")
    assert r.returncode == 0, r.stderr
    return dataset, shards


def members(path):
    """{name: bytes} of a tar file, and the names in order."""
    with tarfile.open(path) as tar:
        names = tar.getnames()
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}, names


def test_export_writes_shards_per_split_with_wids_indices(street):
    dataset, shards = street
    records = [json.loads(line) for line in (dataset / "records.jsonl").read_text().splitlines()]
    for split in ("train", "val"):
        keys = [f"{r['index']:06d}" for r in records if r["split"] == split]
        index = json.loads((shards / f"{split}.json").read_text())
        assert index["wids_version"] == 1 and index["name"] == split
        assert sum(s["nsamples"] for s in index["shardlist"]) == len(keys) == 3
        assert [s["nsamples"] for s in index["shardlist"]] == [2, 1]
        names = []
        for shard in index["shardlist"]:
            names += members(shards / shard["url"])[1]
        # four members a sample, in index order, grouped by key
        assert names == [f"{k}{ext}" for k in keys for ext in (".png", ".instance.png", ".semantic.png", ".json")]
        # wids reads the index, resolving the shard names against its folder
        ds = wids.ShardListDataset(str(shards / f"{split}.json"))
        assert len(ds) == len(keys)
        assert ds[2]["__key__"] == keys[2]


# The decoder docs/FORMATS.md gives: webdataset's image decoders convert to 8-bit RGB, which
# would destroy the 16-bit instance ids, so the masks get a decoder of their own, first.
MASKS = wds.handle_extension("instance.png semantic.png", lambda data: np.array(Image.open(io.BytesIO(data))))


def test_webdataset_samples_are_the_dataset_files_and_labels(street):
    dataset, shards = street
    urls = sorted(str(p) for p in shards.glob("*.tar"))
    seen = 0
    for sample in wds.WebDataset(urls, shardshuffle=False).decode(MASKS, "rgb8"):
        key = sample["__key__"]
        meta = sample["json"]
        assert meta["image"]["file_name"] == f"{key}.png"
        image = sample["png"]
        assert image.dtype == np.uint8 and (image == np.array(Image.open(dataset / "images" / f"{key}.png"))).all()
        ids = sample["instance.png"]
        assert ids.dtype == np.uint16 and (ids == np.array(Image.open(dataset / "masks" / "instance_ids" / f"{key}.png"))).all()
        semantic = sample["semantic.png"]
        assert (semantic == np.array(Image.open(dataset / "masks" / "semantic" / f"{key}.png"))).all()
        assert meta["record"]["image_id"] == meta["image"]["id"] and meta["record"]["split"] in ("train", "val")
        for ann in meta["annotations"]:
            assert "id" not in ann and ann["image_id"] == meta["image"]["id"]
            decoded = mask_utils.decode(ann["segmentation"]).astype(bool)
            assert (decoded == (ids == ann["mask_id"])).all()
            assert ann["area"] == int(decoded.sum())
        seen += 1
    assert seen == 6


def test_sample_json_carries_the_instances_file_records(street):
    dataset, shards = street
    coco = {}
    for split in ("train", "val"):
        doc = json.loads((dataset / "annotations" / f"instances_{split}.json").read_text())
        for ann in doc["annotations"]:
            coco.setdefault(ann["image_id"], []).append({k: v for k, v in ann.items() if k != "id"})
        for im in doc["images"]:
            coco.setdefault(im["id"], [])
    for url in shards.glob("*.tar"):
        files, _ = members(url)
        for name, data in files.items():
            if name.endswith(".json"):
                meta = json.loads(data)
                assert meta["annotations"] == coco[meta["image"]["id"]]


def read_stream(url):
    return {s["__key__"]: s for s in wds.WebDataset(url, shardshuffle=False)}


def test_stream_through_pipe_urls_and_two_dataloader_workers_equals_the_export(tmp_path):
    dataset, shards = tmp_path / "shapes", tmp_path / "shapes-wds"
    assert tessera("render", *SHAPES, "--out", str(dataset), "--quiet").returncode == 0
    assert tessera("export", str(dataset), "--format", "webdataset", "--out", str(shards), "--quiet").returncode == 0
    stored = {}
    for name, data in members(shards / "default-000000.tar")[0].items():
        stored.setdefault(name.split(".", 1)[0], {})[name.split(".", 1)[1]] = data

    command = f"{BINARY} render {' '.join(SHAPES)} --shard {{0..1}}/2 --out -"
    pipeline = wds.WebDataset(f"pipe:cd {ROOT} && {command}", shardshuffle=False, nodesplitter=None,
                              workersplitter=wds.split_by_worker)
    loader = torch.utils.data.DataLoader(pipeline, num_workers=2, batch_size=None)
    streamed = {}
    workers = set()
    for sample in loader:
        fields = {k: v for k, v in sample.items() if not k.startswith("__")}
        streamed[sample["__key__"]] = fields
        workers.add(sample["__url__"])
    assert len(workers) == 2, "one shard a worker"
    assert streamed.keys() == stored.keys() and len(stored) == 8
    for key, fields in stored.items():
        assert streamed[key] == fields, key


def test_the_whole_stream_is_one_tar_of_the_export(tmp_path):
    dataset, shards = tmp_path / "d", tmp_path / "w"
    assert tessera("render", *SHAPES, "--out", str(dataset), "--quiet").returncode == 0
    assert tessera("export", str(dataset), "--format", "webdataset", "--out", str(shards), "--quiet").returncode == 0
    r = tessera("render", *SHAPES, "--out", "-", "--jobs", "2")
    assert r.returncode == 0 and r.stderr == b""
    assert r.stdout == (shards / "default-000000.tar").read_bytes()
    assert not (ROOT / "-").exists()


def test_a_reader_that_stops_ends_the_stream_with_141_quietly():
    # --count 100000: far more than the reader takes
    proc = subprocess.Popen([str(BINARY), "render", "scenes/shapes.scene", "--count", "100000", "--out", "-"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = tarfile.open(fileobj=proc.stdout, mode="r|")
    assert next(iter(first)).name == "000000.png"
    proc.stdout.close()
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""


@pytest.mark.parametrize("flag", ["--resume", "--overwrite"])
def test_stream_refuses_folder_options(flag):
    r = tessera("render", *SHAPES, "--out", "-", flag)
    assert r.returncode == 64 and b"--out -" in r.stderr and r.stdout == b""


def test_samples_per_shard_is_checked(street, tmp_path):
    dataset, _ = street
    r = tessera("export", str(dataset), "--format", "webdataset", "--samples-per-shard", "0", "--out", str(tmp_path / "x"))
    assert r.returncode == 64 and b"--samples-per-shard" in r.stderr
    r = tessera("export", str(dataset), "--format", "yolo", "--samples-per-shard", "5", "--out", str(tmp_path / "y"))
    assert r.returncode == 64 and b"--samples-per-shard" in r.stderr
