import DatasetReading
import Foundation
import Rendering

/// The report's sample gallery: a few images spread evenly through the dataset, each drawn
/// with its labels exactly as `tessera preview` draws a tile (visible masks tinted, boxes,
/// class names, amodal outlines dashed, a caption) and encoded as a PNG.
struct ReportGallery {
    struct Sample: Equatable {
        var imageID: Int
        var fileName: String
        var annotationCount: Int
        /// The tile as an 8-bit RGB PNG, `size` pixels a side plus the caption strip.
        var png: Data
    }

    var samples: [Sample] = []
    /// The tile's size in pixels (PNG width and height).
    var tileWidth: Int, tileHeight: Int

    /// The positions in file order of `count` images spread evenly over `imageCount`:
    /// ⌊k · n / m⌋ for k = 0 … m − 1, m = min(count, n). The first image is always one.
    static func positions(count: Int, of imageCount: Int) -> [Int] {
        let m = min(count, imageCount)
        return (0..<m).map { $0 * imageCount / m }
    }

    /// Draws the samples of the dataset `reader` reads.
    /// - Parameters:
    ///   - imageCount: the dataset's number of images (from the statistics).
    ///   - sampleCount: how many to draw; fewer when the dataset has fewer.
    ///   - tileSize: side of a tile in pixels.
    /// - Throws: `DatasetReadError` for an unreadable instances file;
    ///   `DatasetError.invalidDataset` for a missing or malformed image or mask;
    ///   `RenderError` if Cairo or libpng fails.
    /// - Complexity: one pass over the annotations, up to the last sample; memory holds the
    ///   samples' annotations, their PNGs and one image.
    init(reader: DatasetReader, imageCount: Int, sampleCount: Int, tileSize: Int) throws {
        let layout = ContactSheet.Layout(columns: 1, tileSize: tileSize)
        (tileWidth, tileHeight) = layout.sheetSize(tileCount: 1)
        let selection = try DatasetPreview.Selection(reader, positions: Self.positions(count: sampleCount, of: imageCount))
        for image in selection.images {
            samples.append(Sample(imageID: image.id, fileName: image.fileName,
                                  annotationCount: selection.annotations[image.id]?.count ?? 0,
                                  png: try DatasetPreview.sheetPNG(CollectionOfOne(image), selection, root: reader.root, layout: layout)))
        }
    }
}
