"""Interop test: datasets rendered by `tessera render` loaded by the readers trainers use.

Renders scenes/shapes.scene (8 images, --split train=0.5,val=0.5), scenes/street.scene
(4 images, one `default` split) and scenes/crowd.scene (4 images, --split train=0.5,val=0.5,
several hundred people per image), then reads every split with each reader, with its default
arguments, and compares what it decoded with the instance PNGs (masks/instance_ids/*.png, 16-bit,
pixel value = the annotation's `mask_id`) and with the COCO file:

  * torchvision: `CocoDetection(root=images, annFile=annotations/instances_<split>.json)`
    wrapped by `wrap_dataset_for_transforms_v2`: masks equal the PNG pixels exactly, boxes are
    COCO's [x, y, x+w, y+h], labels the category ids; then one training step of
    `maskrcnn_resnet50_fpn` (random weights, CPU, 128 px) on two of its samples;
  * supervision: `DetectionDataset.from_coco(..., force_masks=True)`: masks exact, class ids
    index the category names in id order;
  * faster-coco-eval: ground truth against itself as detections gives AP 1 (bbox and segm);
  * datumaro: `Dataset.detect` names COCO instances, and `Dataset.import_from` loads every
    image, one mask and one box per annotation, masks exact;
  * FiftyOne: `COCODetectionDatasetImporter` read directly (setup, iterate, close) — no
    FiftyOne dataset is made, so its database (mongod, which may not start offline or in CI)
    is never started: masks (cropped to the box, as FiftyOne stores them) exact once pasted
    back, boxes in relative coordinates, labels by name, Tessera's extra fields as attributes.

Versions tested: docs/READING.md, "Readers".
"""
import json
import os
import pathlib

import numpy as np
import pytest
from PIL import Image

SCENES = {
    "shapes": ("scenes/shapes.scene", 8, "--split", "train=0.5,val=0.5"),
    "street": ("scenes/street.scene", 4),
    "crowd": ("scenes/crowd.scene", 4, "--split", "train=0.5,val=0.5"),
}
SEED = 5


@pytest.fixture(scope="module", params=sorted(SCENES))
def dataset(request, render_dataset):
    scene, count, *flags = SCENES[request.param]
    return render_dataset(scene, count, SEED, *flags)


def by_image(doc):
    """{image id: its annotations in file order} for every listed image."""
    groups = {im["id"]: [] for im in doc["images"]}
    for ann in doc["annotations"]:
        groups[ann["image_id"]].append(ann)
    return groups


def assert_masks_equal(reader, raster, annotations, masks):
    """Each decoded mask equals the instance PNG's pixels of its annotation's mask_id."""
    masks = list(masks)
    assert len(masks) == len(annotations), reader
    for ann, mask in zip(annotations, masks):
        mask = np.asarray(mask)
        expected = raster == ann["mask_id"]
        assert mask.shape == expected.shape, (reader, ann["id"], mask.shape)
        differing = np.count_nonzero(mask.astype(bool) != expected)
        assert differing == 0, f"{reader}: annotation {ann['id']}: {differing} pixels differ from the instance PNG"


def test_every_scene_has_annotations_in_every_split(request, dataset):
    # The checks below compare masks split by split; make sure there are masks to compare.
    splits = dataset.splits()
    assert splits == (["train", "val"] if "--split" in SCENES[request.node.callspec.params["dataset"]] else ["default"])
    for split in splits:
        doc = dataset.coco(split)
        assert doc["images"] and doc["annotations"], split


# torchvision ------------------------------------------------------------------------------

def torchvision_dataset(dataset, split):
    from torchvision.datasets import CocoDetection, wrap_dataset_for_transforms_v2
    coco = CocoDetection(root=str(dataset.root / "images"), annFile=str(dataset.instances_file(split)))
    return wrap_dataset_for_transforms_v2(coco, target_keys=("image_id", "boxes", "labels", "masks"))


def test_torchvision_coco_detection_decodes_the_instance_masks(dataset):
    import torch
    from torchvision import tv_tensors
    for split in dataset.splits():
        doc = dataset.coco(split)
        images = {im["id"]: im for im in doc["images"]}
        groups = by_image(doc)
        samples = torchvision_dataset(dataset, split)
        assert len(samples) == len(doc["images"])
        for index in range(len(samples)):
            image, target = samples[index]
            im = images[target["image_id"]]
            anns = groups[im["id"]]
            assert image.size == (im["width"], im["height"])
            if not anns:  # the wrapper returns only the image id for an image without annotations
                assert set(target) == {"image_id"}
                continue
            assert isinstance(target["boxes"], tv_tensors.BoundingBoxes)
            assert target["boxes"].format == tv_tensors.BoundingBoxFormat.XYXY
            expected_boxes = torch.tensor([[x, y, x + w, y + h] for x, y, w, h in (a["bbox"] for a in anns)], dtype=torch.float32)
            assert torch.equal(target["boxes"].as_subclass(torch.Tensor), expected_boxes)
            assert target["labels"].tolist() == [a["category_id"] for a in anns]
            assert target["masks"].dtype == torch.uint8
            assert_masks_equal("torchvision", dataset.instance_png(im), anns, target["masks"].numpy())


def test_torchvision_mask_rcnn_takes_a_training_step_on_the_samples(render_dataset):
    import torch
    import torchvision
    from torchvision.transforms.v2 import functional as F
    shapes = render_dataset(*SCENES["shapes"][:2], SEED, *SCENES["shapes"][2:])
    samples = torchvision_dataset(shapes, "train")
    batch = [samples[i] for i in range(len(samples))]
    batch = [(image, target) for image, target in batch if "masks" in target][:2]
    assert len(batch) == 2
    images = [F.to_dtype(F.to_image(image), torch.float32, scale=True) for image, _ in batch]
    targets = [{key: target[key] for key in ("boxes", "labels", "masks")} for _, target in batch]

    torch.manual_seed(0)
    categories = len(shapes.coco("train")["categories"])
    model = torchvision.models.detection.maskrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, num_classes=categories + 1, min_size=128, max_size=128)
    model.train()
    losses = model(images, targets)
    assert {"loss_classifier", "loss_box_reg", "loss_mask", "loss_objectness", "loss_rpn_box_reg"} <= set(losses)
    loss = sum(losses.values())
    assert torch.isfinite(loss), losses
    loss.backward()
    for name in ("backbone.body.conv1.weight", "rpn.head.conv.0.0.weight", "roi_heads.box_predictor.cls_score.weight",
                 "roi_heads.mask_predictor.mask_fcn_logits.weight"):
        grad = dict(model.named_parameters())[name].grad
        assert grad is not None and torch.isfinite(grad).all(), name
        assert grad.abs().sum() > 0, name


# supervision ------------------------------------------------------------------------------

def test_supervision_from_coco_decodes_the_instance_masks(dataset):
    import supervision as sv
    for split in dataset.splits():
        doc = dataset.coco(split)
        loaded = sv.DetectionDataset.from_coco(
            images_directory_path=str(dataset.root / "images"),
            annotations_path=str(dataset.instances_file(split)),
            force_masks=True)
        names = [c["name"] for c in sorted(doc["categories"], key=lambda c: c["id"])]
        assert loaded.classes == names
        category_names = {c["id"]: c["name"] for c in doc["categories"]}
        groups = by_image(doc)
        assert len(loaded) == len(doc["images"])
        for im in doc["images"]:
            path = str((dataset.root / "images" / im["file_name"]).resolve())
            detections = loaded.annotations[path]
            anns = groups[im["id"]]
            assert len(detections) == len(anns)
            if not anns:
                continue
            assert [loaded.classes[k] for k in detections.class_id] == [category_names[a["category_id"]] for a in anns]
            expected = np.array([[x, y, x + w, y + h] for x, y, w, h in (a["bbox"] for a in anns)], dtype=np.float32)
            assert np.array_equal(detections.xyxy, expected)
            assert_masks_equal("supervision", dataset.instance_png(im), anns, detections.mask)


# faster-coco-eval -------------------------------------------------------------------------

@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
def test_faster_coco_eval_of_ground_truth_against_itself_is_perfect(dataset, iou_type):
    from faster_coco_eval import COCO, COCOeval_faster
    for split in dataset.splits():
        doc = dataset.coco(split)
        ground_truth = COCO(str(dataset.instances_file(split)))
        detections = [{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"],
                       "segmentation": a["segmentation"], "score": 1.0} for a in doc["annotations"]]
        evaluation = COCOeval_faster(ground_truth, ground_truth.loadRes(detections), iouType=iou_type)
        # COCO keeps the 100 best detections per image; crowd images hold several hundred
        # people, so the last limit is raised to the most instances in one image (as LVIS does).
        most = max(len(anns) for anns in by_image(doc).values())
        evaluation.params.maxDets = [1, 10, max(100, most)]
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
        # AP over IoU .50:.95, AP50, AP75, and AR at the last limit (all areas).
        assert list(evaluation.stats[:3]) == [1.0, 1.0, 1.0], (split, iou_type, evaluation.stats)
        assert evaluation.stats[8] == 1.0, (split, iou_type, evaluation.stats)


# datumaro ---------------------------------------------------------------------------------

def test_datumaro_detects_coco_and_imports_the_instance_masks(dataset):
    from datumaro import AnnotationType, Dataset
    detected = Dataset.detect(str(dataset.root))
    assert detected == "coco_instances"
    loaded = Dataset.import_from(str(dataset.root), detected)
    labels = loaded.categories()[AnnotationType.label]
    total = 0
    for split in dataset.splits():
        doc = dataset.coco(split)
        category_names = {c["id"]: c["name"] for c in doc["categories"]}
        groups = by_image(doc)
        total += len(doc["images"])
        for im in doc["images"]:
            item = loaded.get(pathlib.Path(im["file_name"]).stem, split)
            assert item is not None, (split, im["file_name"])
            assert item.attributes["id"] == im["id"]
            assert pathlib.Path(item.media.path).resolve() == (dataset.root / "images" / im["file_name"]).resolve()
            anns = groups[im["id"]]
            masks = {a.id: a for a in item.annotations if a.type == AnnotationType.mask}
            boxes = {a.id: a for a in item.annotations if a.type == AnnotationType.bbox}
            assert len(item.annotations) == 2 * len(anns)  # one mask and one box per annotation
            assert sorted(masks) == sorted(boxes) == sorted(a["id"] for a in anns)
            for ann in anns:
                assert labels.items[masks[ann["id"]].label].name == category_names[ann["category_id"]]
                assert boxes[ann["id"]].get_bbox() == [float(v) for v in ann["bbox"]]
            assert_masks_equal("datumaro", dataset.instance_png(im), anns, (masks[a["id"]].image for a in anns))
    assert len(loaded) == total


# FiftyOne ---------------------------------------------------------------------------------

def test_fiftyone_coco_importer_reads_the_instance_masks(dataset):
    os.environ.setdefault("FIFTYONE_DO_NOT_TRACK", "true")  # no usage report from an offline test
    import fiftyone.utils.coco as fouc
    for split in dataset.splits():
        doc = dataset.coco(split)
        groups = by_image(doc)
        category_names = {c["id"]: c["name"] for c in doc["categories"]}
        by_path = {str((dataset.root / "images" / im["file_name"]).resolve()): im for im in doc["images"]}
        importer = fouc.COCODetectionDatasetImporter(
            dataset_dir=str(dataset.root), data_path="images",
            labels_path=str(pathlib.Path("annotations") / f"instances_{split}.json"))
        seen = 0
        with importer:  # setup() … close(); no database involved
            for image_path, metadata, labels in importer:
                im = by_path[str(pathlib.Path(image_path).resolve())]
                seen += 1
                assert (metadata.width, metadata.height) == (im["width"], im["height"])
                anns = groups[im["id"]]
                if not anns:
                    assert labels is None or all(v is None for v in labels.values())
                    continue
                boxes, segmentations = labels["detections"].detections, labels["segmentations"].detections
                assert len(boxes) == len(segmentations) == len(anns)
                w, h = im["width"], im["height"]
                pasted = []
                for ann, box, segmentation in zip(anns, boxes, segmentations):
                    assert box.label == segmentation.label == category_names[ann["category_id"]]
                    x, y, bw, bh = ann["bbox"]
                    assert np.allclose(box.bounding_box, [x / w, y / h, bw / w, bh / h], rtol=0, atol=1e-12)
                    # Tessera's own fields come along as attributes, mask_id included.
                    assert box["mask_id"] == ann["mask_id"]
                    assert box["visible_fraction"] == ann["visible_fraction"]
                    # FiftyOne keeps the mask cropped to the box: paste it back to compare.
                    assert segmentation.mask.shape == (bh, bw), ann["id"]
                    full = np.zeros((h, w), dtype=bool)
                    full[y:y + bh, x:x + bw] = segmentation.mask
                    pasted.append(full)
                assert_masks_equal("fiftyone", dataset.instance_png(im), anns, pasted)
        assert seen == len(doc["images"])
