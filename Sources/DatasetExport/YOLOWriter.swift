import Annotation
import Dataset
import DatasetReading
import Foundation

/// YOLO detection or segmentation, as ultralytics reads it (docs/FORMATS.md, "Exports"):
///
/// ```
/// data.yaml                 train/val/test lists, class names by 0-based index
/// default.txt               one line per image of split `default`: ./images/NNNNNN.png
/// images/NNNNNN.png         the dataset's images, hard-linked (copied across file systems)
/// labels/NNNNNN.txt         one line per annotation (YOLOLabel), empty for an image without
/// ```
///
/// Class index: a category's position in the dataset's categories (declaration order), so
/// ids 1, 2, 3 become 0, 1, 2 and non-contiguous ids are mapped through the list, never by
/// subtracting 1.
struct YOLOWriter: ExportWriter {
    let isSegmentation: Bool
    private var folder: ExportFolder!
    private var categories: [COCOFile.Category] = []
    private var classIndex: [Int: Int] = [:]
    private var splits: [String] = []
    /// The open list file of each split (`<split>.txt`), streamed an image at a time.
    private var lists: [String: ExportStream] = [:]

    /// Samples per pixel of the images (1 grey, 3 RGB): `channels` in `data.yaml`.
    let channels: Int

    init(isSegmentation: Bool, channels: Int) {
        self.isSegmentation = isSegmentation
        self.channels = channels
    }

    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws {
        self.folder = folder
        self.categories = categories
        self.splits = splits
        for (index, category) in categories.enumerated() { classIndex[category.id] = index }
        try folder.createFolder(folder.url("images"))
        try folder.createFolder(folder.url("labels"))
        for split in splits {
            lists[split] = try ExportStream(Self.listFile(split), in: folder)
        }
    }

    /// The label file's text: tracing the polygons is most of an export's work.
    func preparation() -> @Sendable (ExportItem) throws -> [UInt8] {
        { [classIndex, isSegmentation] item in
            let image = item.image
            var text: [UInt8] = []
            let mask = isSegmentation ? try item.instanceMask() : nil
            for annotation in item.annotations {
                guard let index = classIndex[annotation.categoryID] else {
                    throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(image.id) has category_id \(annotation.categoryID), which is no category")
                }
                if let mask, let id = annotation.instanceID {
                    let segment = YOLOSegment(parts: mask.boundaries(of: id))
                    YOLOLabel.appendSegmentationLine(classIndex: index, segment: segment, width: image.width, height: image.height, to: &text)
                } else {
                    let box = annotation.bbox.compactMap { Int(exactly: $0) }
                    guard box.count == 4, annotation.bbox.count == 4, box[2] > 0, box[3] > 0 else {
                        throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(image.id): bbox \(annotation.bbox) is not [x, y, w, h] in whole pixels")
                    }
                    text += YOLOLabel.detectionLine(classIndex: index, bbox: box, width: image.width, height: image.height)
                }
            }
            return text
        }
    }

    mutating func write(_ item: ExportItem, _ labels: [UInt8]) throws {
        guard let list = lists[item.split] else {
            throw DatasetError.invalidDataset("image \(item.image.id) is in split '\(item.split)', which the dataset does not list")
        }
        let imagePath = "images/" + item.imageFileName
        try folder.place(item.imageURL, at: imagePath)
        try folder.write(labels, to: "labels/\(item.stem).txt")
        try list.append(Array("./\(imagePath)\n".utf8))
    }

    mutating func finish() throws {
        for split in splits { try lists[split]?.close() }
        lists = [:]
        try folder.write(Self.dataYAML(categories: categories, splits: splits, isSegmentation: isSegmentation, channels: channels), to: "data.yaml")
    }

    /// The image list of `split`: `<split>.txt`.
    static func listFile(_ split: String) -> String { "\(split).txt" }

    /// Which list files ultralytics' `train`, `val` and `test` name: the splits of those
    /// names; without a `train` split every split trains, and without `val` the training
    /// lists validate too (a run without `--split` has only `default`).
    static func splitKeys(_ splits: [String]) -> [(key: String, lists: [String])] {
        let train = splits.contains("train") ? ["train"] : splits
        let val = splits.contains("val") ? ["val"] : train
        var keys = [(key: "train", lists: train.map(listFile)), (key: "val", lists: val.map(listFile))]
        if splits.contains("test") { keys.append((key: "test", lists: [listFile("test")])) }
        return keys
    }

    /// `data.yaml`. No `path`: ultralytics then takes the folder of `data.yaml` as the
    /// dataset root, so the export can be moved. Names are YAML double-quoted strings.
    /// `channels: 1` for grey images, so that ultralytics reads them as one channel
    /// (`cv2.IMREAD_GRAYSCALE`) into a one-channel model; nothing for RGB (its default, 3).
    static func dataYAML(categories: [COCOFile.Category], splits: [String], isSegmentation: Bool, channels: Int) -> [UInt8] {
        var text = "# YOLO \(isSegmentation ? "segmentation" : "detection") dataset written by tessera export (docs/FORMATS.md, \"Exports\").\n"
        text += "# No 'path': ultralytics takes this file's folder as the dataset root.\n"
        for (key, lists) in splitKeys(splits) {
            text += lists.count == 1 ? "\(key): \(quoted(lists[0]))\n" : "\(key): [\(lists.map(quoted).joined(separator: ", "))]\n"
        }
        if channels != 3 { text += "channels: \(channels)\n" }
        text += "nc: \(categories.count)\nnames:\n"
        for (index, category) in categories.enumerated() {
            text += "  \(index): \(quoted(category.name))\n"
        }
        return Array(text.utf8)
    }

    /// A YAML double-quoted scalar: JSON's string syntax, which YAML reads the same way.
    static func quoted(_ string: String) -> String {
        JSONValue.string(string).jsonText
    }
}
