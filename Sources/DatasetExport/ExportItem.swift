public import Annotation
public import DatasetReading
public import Foundation
import Dataset
import Rendering

/// One image of the dataset being exported, as a writer sees it: its split, COCO record and
/// annotations, and its files, the masks decoded only when asked for (once each).
///
/// Sendable because an export hands each item from the reading thread to one worker and
/// then to the writing thread, each hand-over under a lock
/// (``ParallelMap/forEachInOrder(jobs:window:produce:work:consume:)``): no two threads use
/// one item at once, so the decoded masks it caches need no lock of their own.
public final class ExportItem: @unchecked Sendable {
    /// The split the image belongs to (`default` for a run without splits).
    public let split: String
    public let image: COCOFile.Image
    /// In file order (drawing order within the image).
    public let annotations: [COCOFile.Annotation]
    /// The RGB image file (PNG or JPEG).
    public let imageURL: URL
    /// The 16-bit instance mask file.
    public let instanceMaskURL: URL
    /// The semantic mask file.
    public let semanticMaskURL: URL
    /// The records' JSON text as the instances file holds it, for writers that carry
    /// records (``ExportWriter/carriesRecords``); `nil` otherwise.
    public let text: DatasetReader.ImageText?
    /// The image's `records.jsonl` line (no newline), for writers that carry records.
    public let recordText: [UInt8]?

    private var decodedInstanceMask: InstanceMask?
    private var decodedSemanticMask: LabelRaster?

    init(split: String, image: COCOFile.Image, annotations: [COCOFile.Annotation], reader: DatasetReader,
         text: DatasetReader.ImageText? = nil, recordText: [UInt8]? = nil) {
        self.split = split
        self.image = image
        self.annotations = annotations
        self.text = text
        self.recordText = recordText
        imageURL = reader.url(DatasetExporter.imagePath(image))
        instanceMaskURL = reader.url(DatasetFiles.instanceMask(forImage: image.fileName))
        semanticMaskURL = reader.url(DatasetFiles.semanticMask(forImage: image.fileName))
    }

    /// The file name in one folder: `000017.png`, and for frame 17 of clip 3 (`000003/000017.png`)
    /// `000003_000017.png` (``DatasetFiles/flatFileName(forImage:)``), so frames of different
    /// clips never share a name.
    public var imageFileName: String { DatasetFiles.flatFileName(forImage: image.fileName) }
    /// ``imageFileName`` without its extension: `000017`, `000003_000017`.
    public var stem: String { URL(fileURLWithPath: imageFileName).deletingPathExtension().lastPathComponent }

    /// The instance mask, decoded, with every annotation's instance found in it.
    /// - Throws: `DatasetError.invalidDataset` naming the mask file when it is missing, not
    ///   a one-channel PNG of the image's size, or lacks an annotation's `mask_id`.
    public func instanceMask() throws -> InstanceMask {
        if let decodedInstanceMask { return decodedInstanceMask }
        let raster = try LabelRaster(instanceMaskURL, image: image)
        let mask = InstanceMask(raster)
        for annotation in annotations {
            guard let id = annotation.instanceID else {
                throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(image.id) has no mask_id, so its pixels in \(instanceMaskURL.path) are unknown")
            }
            guard mask.box(of: id) != nil else {
                throw DatasetError.invalidDataset("\(instanceMaskURL.path): has no pixel of instance \(id), which annotation \(annotation.id) names")
            }
        }
        decodedInstanceMask = mask
        return mask
    }

    /// The semantic mask (category ids, 0 = background), decoded.
    /// - Throws: `DatasetError.invalidDataset` naming the file.
    public func semanticMask() throws -> LabelRaster {
        if let decodedSemanticMask { return decodedSemanticMask }
        let raster = try LabelRaster(semanticMaskURL, image: image)
        decodedSemanticMask = raster
        return raster
    }

    /// Drops the decoded masks; asking for them again decodes them again.
    func forgetDecodedMasks() {
        decodedInstanceMask = nil
        decodedSemanticMask = nil
    }

    /// The bytes of one of the image's files, as they are.
    /// - Throws: `DatasetError.invalidDataset` naming a missing file; `.io` for a failed read.
    public func bytes(of url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DatasetError.invalidDataset("\(url.path): missing (image \(image.id), \(image.fileName))")
        }
        do { return try Data(contentsOf: url) } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// The image as the 8-bit file that a format whose readers decode 8 bits per sample
    /// needs (VOC, COCO panoptic, YouTube-VIS, MOT: their readers go through PIL's or
    /// OpenCV's 8-bit conversions, and PIL's `convert("RGB")` clips a 16-bit grey image to
    /// white): `nil` when the dataset's file already is one (RGB, 8-bit grey, JPEG) and is
    /// placed as it is; for a 16-bit grey sensor (`image_bit_depth` 16 in `manifest`), an
    /// 8-bit grey PNG of round(v / 257) per sample — what an 8-bit grey sensor records of the
    /// same picture, to within one level (docs/FORMATS.md, "Grey images").
    /// - Throws: `DatasetError.invalidDataset` naming the image when it is not the 16-bit
    ///   grey PNG the manifest says; `.io` for a failed read.
    public func eightBitImage(_ manifest: DatasetManifest) throws -> Data? {
        guard manifest.options.imageBitDepth == 16 else { return nil }
        let png: PNG.Image
        do { png = try PNG.decode(try bytes(of: imageURL), of: imageURL) } catch let error as PNG.FileError {
            throw DatasetError.invalidDataset("\(error)")
        }
        guard png.bitDepth == 16, png.channels == 1, png.width == image.width, png.height == image.height else {
            throw DatasetError.invalidDataset("\(imageURL.path): \(png.width)×\(png.height)×\(png.channels) at \(png.bitDepth) bits, expected \(image.width)×\(image.height)×1 at 16 bits (manifest.json's image_bit_depth)")
        }
        let samples = png.samples.map { UInt8((UInt32($0) + 128) / 257) }
        return try PNG.encodeGray8(samples, width: png.width, height: png.height)
    }

    /// Checks that the image and both masks exist, without reading them.
    func checkFilesExist() throws {
        for url in [imageURL, instanceMaskURL, semanticMaskURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw DatasetError.invalidDataset("\(url.path): missing (image \(image.id), \(image.fileName))")
        }
    }
}

/// A one-channel label raster: row-major, pixel (x, y) at `y * width + x`, origin top-left.
public struct LabelRaster: Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt16]

    /// Decodes the PNG at `url` and checks it is one channel of the image's size.
    /// - Throws: `DatasetError.invalidDataset` naming the file.
    init(_ url: URL, image: COCOFile.Image) throws {
        guard let data = try? Data(contentsOf: url) else {
            throw DatasetError.invalidDataset("\(url.path): missing or unreadable (image \(image.id))")
        }
        let png: PNG.Image
        do { png = try PNG.decode(data, of: url) } catch { throw DatasetError.invalidDataset("\(error) (image \(image.id))") }
        guard png.width == image.width, png.height == image.height, png.channels == 1 else {
            throw DatasetError.invalidDataset("\(url.path): \(png.width)×\(png.height)×\(png.channels), expected \(image.width)×\(image.height)×1 as image \(image.id) in the annotations")
        }
        (width, height, pixels) = (png.width, png.height, png.samples)
    }
}

/// An instance mask with the tight box of every instance in it.
public struct InstanceMask: Sendable {
    public let raster: LabelRaster
    /// The tight box of each id's pixels, indexed by id (`nil` for ids without pixels).
    private let boxes: [PixelBox?]

    init(_ raster: LabelRaster) {
        self.raster = raster
        // Sized by the largest id present, not by UInt16's range: an export measures every image.
        let maxID = raster.pixels.max() ?? 0
        var boxes = [PixelBox?](repeating: nil, count: Int(maxID) + 1)
        for measure in measureInstances(pixels: raster.pixels, width: raster.width, height: raster.height, maxID: maxID) {
            boxes[Int(measure.instanceID)] = measure.bbox
        }
        self.boxes = boxes
    }

    /// The tight box of instance `id`'s pixels, or `nil` when it has none.
    public func box(of id: Int) -> PixelBox? {
        guard id > 0, id < boxes.count else { return nil }
        return boxes[id]
    }

    /// The boundaries of instance `id`'s pixels (see `PixelPolygon.boundaries`); empty when
    /// it has none.
    public func boundaries(of id: Int) -> [PartBoundary] {
        guard let box = box(of: id) else { return [] }
        return raster.pixels.withUnsafeBufferPointer {
            PixelPolygon.boundaries(of: UInt16(id), in: $0, width: raster.width, height: raster.height, within: box)
        }
    }
}
