"""Interop test: scripts/train_segmentation.py on datasets a new user really renders — a render
split into train and val (every split is read, in a fixed order, or the one asked for), images
smaller than the training crop (padded, not a numpy shape error), and a wrong dataset path (a
clear message and a non-zero exit, not a traceback).
"""
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SMALL_GREY16_SCENE, render_scene_text

pytest.importorskip("torch")
pytest.importorskip("scipy")
sys.path.insert(0, str(ROOT / "scripts"))
import train_segmentation  # noqa: E402

SCRIPT = ROOT / "scripts" / "train_segmentation.py"

@pytest.fixture(scope="module")
def small_split(tmp_path_factory):
    """128 × 96 grey images, five of them, split train/val."""
    return render_scene_text(tmp_path_factory.mktemp("small"), SMALL_GREY16_SCENE,
                             "--count", "5", "--seed", "3", "--split", "train=0.6,val=0.4")


def split_names(dataset, split):
    doc = json.loads((dataset / "annotations" / f"instances_{split}.json").read_text())
    return [im["file_name"] for im in doc["images"]]


def test_every_split_is_read_in_split_name_order(small_split):
    train, val = split_names(small_split, "train"), split_names(small_split, "val")
    assert train and val
    assert len(train_segmentation.load_dataset(small_split)) == len(train) + len(val)
    files = train_segmentation.annotation_files(small_split)
    assert [f.name for f in files] == ["instances_train.json", "instances_val.json"]
    assert len(train_segmentation.load_dataset(small_split, "val")) == len(val)


def test_an_unknown_split_names_the_ones_there(small_split):
    with pytest.raises(SystemExit) as stop:
        train_segmentation.load_dataset(small_split, "test")
    assert "no split 'test'" in str(stop.value) and "train, val" in str(stop.value)


def test_images_smaller_than_the_crop_are_padded(small_split):
    result = train_segmentation.main(["--train", str(small_split), "--test", str(small_split), "--steps", "1",
                                      "--batch", "2", "--quiet"])
    assert result["steps"] == 1
    assert result["scores"][str(small_split)]["true_instances"] > 0


def test_train_on_one_split_and_score_another(small_split):
    result = train_segmentation.main(["--train", str(small_split), "--train-split", "train", "--test", str(small_split),
                                      "--test-split", "val", "--steps", "1", "--crop", "32", "--batch", "2", "--quiet"])
    doc = json.loads((small_split / "annotations" / "instances_val.json").read_text())
    assert result["scores"][str(small_split)]["true_instances"] == len(doc["annotations"])


def test_a_missing_training_set_is_a_clear_error(small_split, tmp_path):
    missing = tmp_path / "nonexist"
    result = subprocess.run([sys.executable, str(SCRIPT), "--train", str(missing), "--test", str(small_split),
                             "--steps", "1", "--quiet"], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"error: {missing}: no such dataset folder" in result.stderr


def test_a_missing_test_set_is_reported_before_training(small_split, tmp_path, monkeypatch):
    monkeypatch.setattr(train_segmentation, "train", lambda *args, **kwargs: pytest.fail("trained first"))
    with pytest.raises(SystemExit) as stop:
        train_segmentation.main(["--train", str(small_split), "--test", str(small_split), str(tmp_path / "gone"),
                                 "--steps", "1", "--quiet"])
    assert str(stop.value) == f"error: {tmp_path / 'gone'}: no such dataset folder"


@pytest.mark.parametrize("flags, message", [
    (["--seed", "-1"], "-1 is not a seed in 0 ... 4294967295"),
    (["--seeds", "1,99999999999"], "99999999999 is not a seed"),
    (["--threads", "0"], "--threads must be at least 1 and at most 1024, not 0"),
    (["--steps", "0"], "--steps must be at least 1, not 0"),
    (["--min-area", "-3"], "--min-area must be at least 0, not -3"),
    (["--noise-floor", "nan"], "--noise-floor must be a finite number"),
    (["--minutes", "-1"], "--minutes must be a finite number > 0"),
    (["--crop", "400000"], "--crop must be at most 1024"),
    (["--batch", "1000000000"], "--batch must be at least 1 and at most 256"),
    (["--threads", "2147483648"], "--threads must be at least 1 and at most 1024"),
])
def test_a_bad_flag_is_named_before_anything_is_read(small_split, flags, message):
    result = subprocess.run([sys.executable, str(SCRIPT), "--train", str(small_split), "--test", str(small_split),
                             "--quiet", *flags], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr


def test_save_into_a_folder_is_refused_before_training(small_split, tmp_path, monkeypatch):
    monkeypatch.setattr(train_segmentation, "train", lambda *args, **kwargs: pytest.fail("trained first"))
    with pytest.raises(SystemExit) as stop:
        train_segmentation.main(["--train", str(small_split), "--test", str(small_split), "--save", str(tmp_path),
                                 "--quiet"])
    assert str(stop.value) == f"error: --save {tmp_path}: is a folder"
    assert list(tmp_path.iterdir()) == []
    for path, message in [("", "error: --save needs a file path"),
                          (str(tmp_path / "m.pt"), f"error: --save {tmp_path / 'm.pt'}: {tmp_path / 'm.pt'}.part, where")]:
        (tmp_path / "m.pt.part").mkdir(exist_ok=True)
        with pytest.raises(SystemExit) as stop:
            train_segmentation.main(["--train", str(small_split), "--test", str(small_split), "--save", path, "--quiet"])
        assert str(stop.value).startswith(message)


def test_load_names_a_missing_folder_or_foreign_file(small_split, tmp_path):
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a model")
    for path, message in [(tmp_path / "gone.pt", "no such file"), (tmp_path, "a folder, not a saved model"),
                          (junk, "not a model saved by --save")]:
        with pytest.raises(SystemExit) as stop:
            train_segmentation.main(["--load", str(path), "--test", str(small_split), "--quiet"])
        assert str(stop.value).startswith(f"error: --load {path}: {message}")
    with pytest.raises(SystemExit):   # training flags with --load are refused, not ignored
        train_segmentation.main(["--load", str(junk), "--seeds", "1,2", "--test", str(small_split), "--quiet"])


def test_a_damaged_image_is_named(small_split, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(small_split, copy)
    name = split_names(copy, "val")[0]
    image = copy / "images" / name
    image.write_bytes(image.read_bytes()[:40])
    with pytest.raises(SystemExit) as stop:
        train_segmentation.load_dataset(copy, "val")
    assert str(stop.value).startswith(f"error: {image}: unreadable image")


def test_a_saved_model_scores_the_same_when_loaded(small_split, tmp_path):
    saved = tmp_path / "model.pt"
    trained = train_segmentation.main(["--train", str(small_split), "--test", str(small_split), "--steps", "2",
                                       "--batch", "2", "--save", str(saved), "--quiet"])
    loaded = train_segmentation.main(["--load", str(saved), "--test", str(small_split), "--quiet"])
    assert loaded["scores"] == trained["scores"] and loaded["steps"] == 2


def test_grey_alpha_pictures_are_read_and_odd_datasets_named(small_split, tmp_path):
    from PIL import Image
    copy = tmp_path / "copy"
    shutil.copytree(small_split, copy)
    name = split_names(copy, "val")[0]
    picture = copy / "images" / name
    Image.open(picture).convert("LA").save(picture)   # grey + alpha: its grey is used
    assert len(train_segmentation.load_dataset(copy, "val")) == len(split_names(copy, "val"))
    mask = copy / "masks" / "instance_ids" / pathlib.Path(name).with_suffix(".png")
    Image.open(mask).convert("RGB").save(mask)
    with pytest.raises(SystemExit) as stop:
        train_segmentation.load_dataset(copy, "val")
    assert str(stop.value) == f"error: {mask}: 3 channels; an instance mask has one"
    annotations = copy / "annotations" / "instances_val.json"
    doc = json.loads(annotations.read_text())
    for bad in ["/etc/passwd", "../x.png", 5]:
        doc["images"][0]["file_name"] = bad
        annotations.write_text(json.dumps(doc))
        with pytest.raises(SystemExit) as stop:
            train_segmentation.load_dataset(copy, "val")
        assert "is not a path inside images/" in str(stop.value)
    with pytest.raises(SystemExit) as stop:
        train_segmentation.load_dataset(annotations)
    assert str(stop.value) == f"error: {annotations}: a file, not a dataset folder"
