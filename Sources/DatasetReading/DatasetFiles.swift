/// The names of a dataset's files, relative to its folder: the one place both the writer
/// (`Dataset.OutputLayout`) and the reader take them from. See docs/FORMATS.md.
///
/// The layout follows the COCO convention that standard readers (torchvision's
/// `CocoDetection`, datumaro, FiftyOne, detectron2's `register_coco_instances`) expect: one
/// instances file per split in `annotations/`, and each image's `file_name` relative to
/// the image folder `images/`.
public enum DatasetFiles {
    /// The folder of the COCO instances files.
    public static let annotationsFolder = "annotations"
    /// The split of a run without `--split`: all its images.
    public static let defaultSplit = "default"
    /// The folder that `file_name` is relative to.
    public static let imagesFolder = "images"
    public static let manifest = "manifest.json"
    /// The class map of the semantic masks: every category, things and stuff, with its colour.
    public static let classes = "classes.json"
    /// One line per written image: split, attempts, recorded values, parameters.
    public static let records = "records.jsonl"
    /// A finished shard's record log, which `tessera merge` reads.
    public static let shardRecords = "shard.records"
    /// The folder of the 16-bit instance masks (pixel value = the annotation's `mask_id`).
    ///
    /// Not `instance` nor `instances`: datumaro's `Dataset.detect` takes any folder of PNGs
    /// named `instance` for KITTI segmentation (`**/instance/*.png`, a stronger guess than
    /// its COCO one) and a folder `instances` for MOTS, and then refuses to name a format.
    public static let instanceMasksFolder = "masks/instance_ids"
    /// The folder of the semantic masks (class ids, see `classes`).
    public static let semanticMasksFolder = "masks/semantic"
    /// The folders that hold per-image files.
    public static let imageFolders = [imagesFolder, instanceMasksFolder, semanticMasksFolder]

    /// The COCO instances file of `split`: `annotations/instances_<split>.json`.
    public static func annotations(split: String) -> String {
        "\(annotationsFolder)/\(annotationsPrefix)\(split)\(annotationsSuffix)"
    }

    /// The split whose instances file is named `name` (a name in `annotations/`), or `nil`.
    public static func split(ofAnnotationsFile name: String) -> String? {
        guard name.hasPrefix(annotationsPrefix), name.hasSuffix(annotationsSuffix),
              name.count > annotationsPrefix.count + annotationsSuffix.count else { return nil }
        return String(name.dropFirst(annotationsPrefix.count).dropLast(annotationsSuffix.count))
    }

    private static let annotationsPrefix = "instances_", annotationsSuffix = ".json"

    /// The RGB image named by `file_name` (`000017.png` → `images/000017.png`).
    public static func image(_ fileName: String) -> String { "\(imagesFolder)/\(fileName)" }

    /// The instance mask of the image whose `file_name` is `imageFileName`
    /// (`000017.png` → `masks/instance_ids/000017.png`; a clip's frame keeps its clip folder:
    /// `000003/000017.png` → `masks/instance_ids/000003/000017.png`).
    public static func instanceMask(forImage imageFileName: String) -> String {
        "\(instanceMasksFolder)/\(stem(imageFileName)).png"
    }

    /// The semantic mask of the image whose `file_name` is `imageFileName`.
    public static func semanticMask(forImage imageFileName: String) -> String {
        "\(semanticMasksFolder)/\(stem(imageFileName)).png"
    }

    /// The image's name in a flat folder (the still-image exports and WebDataset samples):
    /// its `file_name` with each `/` turned into `_`, so frame 17 of clip 3
    /// (`000003/000017.png`) is `000003_000017.png` and a still image keeps its name
    /// (`000017.png`). Digits and one separator, so names of one run stay distinct and sort
    /// by clip, then frame.
    public static func flatFileName(forImage imageFileName: String) -> String {
        imageFileName.replacingOccurrences(of: "/", with: "_")
    }

    /// The path without its extension (folders kept).
    static func stem(_ path: String) -> Substring {
        let name = Substring(path)
        guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return name }
        return name[..<dot]
    }
}
