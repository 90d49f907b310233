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
    /// - Throws: `DatasetError.usage` when `output` is the dataset or inside it;
    ///   `.missingInput` for a missing dataset folder; `.invalidDataset` naming the file for
    ///   an unfinished or damaged dataset; `.outputNotEmpty` without `overwrite`; `.io`.
    /// - Complexity: one pass over the annotations; memory holds one image's annotations and
    ///   masks, whatever the number of images.
    @discardableResult
    public static func export(_ dataset: URL, format: ExportFormat, to output: URL, overwrite: Bool) throws -> Summary {
        let reader = try DatasetError.reading { try DatasetReader(dataset) }
        let datasetPath = dataset.standardizedFileURL.resolvingSymlinksInPath().path
        let outputPath = output.standardizedFileURL.resolvingSymlinksInPath().path
        if outputPath == datasetPath || outputPath.hasPrefix(datasetPath + "/") {
            throw DatasetError.usage("--out '\(output.path)' is the dataset folder or inside it; export into a folder of its own")
        }
        // A run that has not finished has no manifest.
        let manifest = try DatasetError.reading { try reader.manifest() }
        if [.youtubeVIS, .mot].contains(format), manifest.clip == nil {
            throw DatasetError.invalidDataset("\(dataset.path) holds still images, not clips: --format \(format.rawValue) exports datasets of clips (a scene with 'clip frames: N, fps: F', or render --frames N --fps F)")
        }
        let categories = try DatasetError.reading { try reader.categories() }
        let folder = try ExportFolder(output, overwrite: overwrite)
        var summary = Summary()
        do {
            var writer = format.makeWriter(clip: manifest.clip)
            try writer.begin(categories: categories, splits: splits(of: reader), folder: folder)
            try DatasetError.reading {
                try forEachImage(of: reader) { split, image, annotations in
                    let item = ExportItem(split: split, image: image, annotations: annotations, reader: reader)
                    try item.checkFilesExist()
                    try writer.write(item)
                    summary.images += 1
                    summary.annotations += annotations.count
                }
            }
            try writer.finish()
            summary.isLinked = folder.isLinkingImages
            try folder.commit()
        } catch {
            folder.rollback()
            throw error
        }
        return summary
    }

    // MARK: - The dataset layout, in one place

    /// The RGB image of `image`, relative to the dataset folder (`file_name` is relative to
    /// `images/`).
    static func imagePath(_ image: COCOFile.Image) -> String { DatasetFiles.image(image.fileName) }

    /// The dataset's splits, in name order (`default` for a run without `--split`).
    static func splits(of reader: DatasetReader) throws -> [String] { try reader.splits() }

    /// Calls `body` with every image, its split and its annotations, split after split.
    static func forEachImage(of reader: DatasetReader,
                             _ body: (_ split: String, COCOFile.Image, [COCOFile.Annotation]) throws -> Void) throws {
        try reader.forEachImageWithSplit { split, image, annotations in
            try body(split, image, annotations)
            return true
        }
    }
}
