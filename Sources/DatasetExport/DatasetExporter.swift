import Annotation
import Dataset
import DatasetReading
public import Foundation

/// `tessera export`: reads a finished dataset image by image through `DatasetReader` and
/// hands each image to a format's ``ExportWriter``, writing into an ``ExportFolder``.
public enum DatasetExporter {
    /// What an export wrote.
    public struct Summary: Sendable, Equatable {
        public var images = 0
        public var annotations = 0
        /// Whether the images were hard-linked (else copied: another file system).
        public var isLinked = true
    }

    /// Exports the dataset at `dataset` as `format` into `output`.
    ///
    /// The dataset must be finished (it has `manifest.json`), and every image must have its
    /// image and mask files; masks are decoded and checked when the format reads them (the
    /// annotations' instances must be in the instance mask). Nothing is written under a
    /// final name unless the whole export succeeds.
    /// - Parameter options: Choices beyond the format (``ExportOptions``).
    /// - Throws: `DatasetError.usage` when `output` is the dataset or inside it, or the
    ///   dataset does not fit the format (VOC: more than 254 categories, or more than 254
    ///   instances in an image without `.gray16` overflow);
    ///   `.missingInput` for a missing dataset folder; `.invalidDataset` naming the file for
    ///   an unfinished or damaged dataset; `.outputNotEmpty` without `overwrite`; `.io`.
    /// - Complexity: one pass over the annotations, the images prepared on
    ///   `options.jobs` threads; memory holds the annotations and masks of at most
    ///   `4 × jobs` images, whatever the number of images. The output is the same bytes
    ///   whatever `jobs`.
    @discardableResult
    public static func export(_ dataset: URL, format: ExportFormat, to output: URL, overwrite: Bool,
                              options: ExportOptions = .init()) throws -> Summary {
        let reader = try DatasetError.reading { try DatasetReader(dataset) }
        let datasetPath = dataset.standardizedFileURL.resolvingSymlinksInPath().path
        let outputPath = output.standardizedFileURL.resolvingSymlinksInPath().path
        if outputPath == datasetPath || outputPath.hasPrefix(datasetPath + "/") {
            throw DatasetError.usage("--out '\(output.path)' is the dataset folder or inside it; export into a folder of its own")
        }
        // The export's entries (images/, labels/, annotations/ …) replace those of the same name
        // under --overwrite: never where they could be the dataset or another one.
        if datasetPath.hasPrefix(outputPath + "/") {
            throw DatasetError.usage("--out '\(output.path)' holds the dataset '\(dataset.path)'; an export's folders could replace it: export into a folder of its own")
        }
        if ExportFolder.holdsDataset(output) {
            throw DatasetError.usage("--out '\(output.path)' holds a Tessera dataset (\(DatasetFiles.manifest) or an unfinished run); an export would mix with or replace it: export into a folder of its own")
        }
        // A run that has not finished has no manifest.
        let manifest = try DatasetError.reading { try reader.manifest() }
        // The still-image formats take a clip's frames as images named CCCCCC_FFFFFF
        // (ExportItem.imageFileName), so frames of different clips never share a name.
        if [.youtubeVIS, .mot].contains(format), manifest.clip == nil {
            throw DatasetError.usage("\(dataset.path) holds still images, not clips: --format \(format.rawValue) exports datasets of clips (a scene with 'clip frames: N, fps: F', or render --frames N --fps F)")
        }
        if let shard = manifest.shard {
            throw DatasetError.usage("\(dataset.path) is shard \(shard.index) of \(shard.count), part of a dataset: export the merged dataset (tessera merge, then tessera export)")
        }
        let categories = try DatasetError.reading { try reader.categories() }
        if [.yolo, .yoloSegmentation].contains(format), categories.isEmpty {
            throw DatasetError.usage("\(dataset.path) has no thing classes: --format \(format.rawValue) needs at least one (ultralytics refuses a 0-class data.yaml)")
        }
        let classMap = try DatasetError.reading { try reader.classMap() }
        let writer = try format.makeWriter(for: ExportSource(
            classMap: classMap, classMapURL: reader.url(DatasetFiles.classes), manifest: manifest, options: options))
        let folder = try ExportFolder(output, overwrite: overwrite)
        do {
            let summary = try write(writer, of: reader, categories: categories, into: folder, jobs: max(1, options.jobs))
            try folder.commit()
            return summary
        } catch {
            folder.rollback()
            throw error
        }
    }

    /// Runs `writer` over every image of `reader`: each image's preparation on `jobs`
    /// worker threads, at most `4 × jobs` images in flight, and its writing on this thread
    /// in the dataset's order (``ParallelMap/forEachInOrder(jobs:window:produce:work:consume:)``).
    private static func write<Writer: ExportWriter>(_ writer: Writer, of reader: DatasetReader, categories: [COCOFile.Category],
                                                    into folder: ExportFolder, jobs: Int) throws -> Summary {
        var writer = writer
        var summary = Summary()
        try writer.begin(categories: categories, splits: splits(of: reader), folder: folder)
        let prepare = writer.preparation()
        try DatasetError.reading {
            try ParallelMap.forEachInOrder(jobs: jobs, window: 4 * jobs, produce: { submit in
                try forEachImage(of: reader, carryingRecords: writer.carriesRecords, submit)
            }, work: { item in
                try item.checkFilesExist()
                let prepared = try prepare(item)
                // The writing needs only what the preparation made: the images waiting to be
                // written do not hold their masks.
                item.forgetDecodedMasks()
                return prepared
            }, consume: { item, prepared in
                try writer.write(item, prepared)
                summary.images += 1
                summary.annotations += item.annotations.count
            })
        }
        try writer.finish()
        summary.isLinked = folder.isLinkingImages
        return summary
    }

    // MARK: - The dataset layout, in one place

    /// The RGB image of `image`, relative to the dataset folder (`file_name` is relative to
    /// `images/`).
    static func imagePath(_ image: COCOFile.Image) -> String { DatasetFiles.image(image.fileName) }

    /// The dataset's splits, in name order (`default` for a run without `--split`).
    static func splits(of reader: DatasetReader) throws -> [String] { try reader.splits() }

    /// Calls `body` with every image, split after split, in file order within a split.
    ///
    /// With `carryingRecords`, each item also has its records' JSON text and its
    /// `records.jsonl` line: the lines are read split by split in one pass each, skipping the
    /// other splits' lines (both files are in index order).
    /// - Throws: `DatasetReadError` from the reader; `DatasetError.invalidDataset` when
    ///   `records.jsonl` is missing or lacks an image's line.
    static func forEachImage(of reader: DatasetReader, carryingRecords: Bool, _ body: (ExportItem) throws -> Void) throws {
        guard carryingRecords else {
            try reader.forEachImageWithSplit { split, image, annotations in
                try body(ExportItem(split: split, image: image, annotations: annotations, reader: reader))
                return true
            }
            return
        }
        var records: JSONLinesCursor<ImageRecord>?
        var recordsSplit: String?
        let recordsPath = reader.url(DatasetFiles.records).path
        try reader.forEachImageWithText { split, image, annotations, text in
            if recordsSplit != split {
                guard let cursor = try reader.records() else {
                    throw DatasetError.invalidDataset("\(recordsPath): missing; it holds each image's records.jsonl line, which this format carries")
                }
                (records, recordsSplit) = (cursor, split)
            }
            var line: [UInt8]?
            while let (record, text) = try records?.nextWithText() {
                if record.imageID == image.id { line = text; break }
                if record.imageID > image.id, (record.split ?? split) == split { break }
            }
            guard let line else {
                throw DatasetError.invalidDataset("\(recordsPath): has no line for image \(image.id) (\(image.fileName)) of split '\(split)'")
            }
            try body(ExportItem(split: split, image: image, annotations: annotations, reader: reader, text: text, recordText: line))
            return true
        }
    }
}
