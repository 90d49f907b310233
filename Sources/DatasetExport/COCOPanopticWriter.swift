import Annotation
import Dataset
import DatasetReading
import Foundation
import Rendering

/// COCO panoptic segmentation, as the COCO format page describes it (cocodataset.org/#format-data,
/// "Panoptic Segmentation") and cocodataset/panopticapi reads it (docs/FORMATS.md, "COCO panoptic"):
///
/// ```
/// images/NNNNNN.png                   the dataset's images, hard-linked (copied across file systems)
/// panoptic_<split>/NNNNNN.png         8-bit RGB; segment id = R + 256·G + 256²·B, 0 = void
/// annotations/panoptic_<split>.json   info, licenses, images, annotations, categories
/// ```
///
/// Every pixel belongs to at most one segment, and a segment's `area` and `bbox` are counted
/// from its pixels in the PNG. Segment ids are unique within an image and depend only on the
/// dataset:
/// - a thing instance with an annotation: its `mask_id` (1…65535), its value in `masks/instance_ids`;
/// - a stuff class present in the image: ``stuffIDOffset`` + its category id (65537…131070),
///   above every `mask_id`, so the two ranges never meet (ids stay below 2²⁴).
///
/// Void (0): the background and unlabeled objects (0 in both masks) and the instances the
/// visibility filters left without an annotation (the semantic mask's ignore value).
struct COCOPanopticWriter: ExportWriter {
    /// Added to a stuff class's category id to make its segment id.
    static let stuffIDOffset = 65536

    private let classMap: ClassMapFile
    private let manifest: DatasetManifest
    /// Per mask value (0…65535): what a semantic-mask value is.
    private var kinds: [ValueKind]
    /// The largest category id.
    private let largestID: Int
    private var folder: ExportFolder!
    private var splits: [String: SplitFiles] = [:]

    private enum ValueKind: UInt8 { case notACategory, thing, stuff, void }

    /// The two files of a split: the JSON file itself, streamed up to its `images` array, and
    /// its `annotations` array, streamed beside it and appended at the end.
    private struct SplitFiles {
        var json: ExportStream
        var annotations: ExportStream
        var imageCount = 0
    }

    /// - Throws: `DatasetError.invalidDataset` when the dataset has no `classes.json` or a
    ///   category id in it is not below the ignore value.
    init(_ source: ExportSource) throws {
        classMap = try source.requiredClassMap(for: .cocoPanoptic)
        manifest = source.manifest
        kinds = [ValueKind](repeating: .notACategory, count: 65536)
        var largestID = 0
        for category in classMap.categories {
            guard category.id > 0, category.id < classMap.ignoreValue, category.id < kinds.count else {
                throw DatasetError.invalidDataset("\(source.classMapURL.path): category id \(category.id) is outside 1…\(classMap.ignoreValue - 1)")
            }
            kinds[category.id] = category.isthing == 1 ? .thing : .stuff
            largestID = max(largestID, category.id)
        }
        kinds[classMap.backgroundValue] = .void
        kinds[classMap.ignoreValue] = .void
        self.largestID = largestID
    }

    static func jsonFile(_ split: String) -> String { "annotations/panoptic_\(split).json" }
    static func pngFolder(_ split: String) -> String { "panoptic_\(split)" }
    static func annotationsPart(_ split: String) -> String { "annotations/.panoptic_\(split).annotations.partial" }

    mutating func begin(categories: [COCOFile.Category], splits: [String], folder: ExportFolder) throws {
        self.folder = folder
        try folder.createFolder(folder.url("images"))
        let info = JSONValue.object([
            JSONMember("description", .string("COCO panoptic segmentation export of a Tessera dataset")),
            JSONMember("version", .string(manifest.version)),
            JSONMember("tool", .string(manifest.tool)),
            JSONMember("scene", .string(manifest.scene.name)),
            JSONMember("seed", .uint(manifest.seed)),
        ])
        for split in splits {
            try folder.createFolder(folder.url(Self.pngFolder(split)))
            let json = try ExportStream(Self.jsonFile(split), in: folder)
            try json.append(Array("{\"info\":".utf8) + info.jsonBytes + Array(",\n\"licenses\":[],\n\"images\":[".utf8))
            self.splits[split] = SplitFiles(json: json, annotations: try ExportStream(Self.annotationsPart(split), in: folder))
        }
    }

    /// An image's panoptic PNG, encoded, its segments, and its 8-bit image when the dataset's
    /// is 16-bit (``ExportItem/eightBitImage(_:)``).
    struct Prepared: Sendable {
        var png: Data
        var segments: [Segment]
        var image: Data?
    }

    func preparation() -> @Sendable (ExportItem) throws -> Prepared {
        { [kinds, classMap, largestID, manifest] item in
            let (rgb, segments) = try Self.panopticSegments(item, kinds: kinds, classMap: classMap, largestID: largestID)
            return Prepared(png: try PNG.encodeRGB8(rgb, width: item.image.width, height: item.image.height), segments: segments,
                            image: try item.eightBitImage(manifest))
        }
    }

    mutating func write(_ item: ExportItem, _ prepared: Prepared) throws {
        guard var files = splits[item.split] else {
            throw DatasetError.invalidDataset("image \(item.image.id) is in split '\(item.split)', which the dataset does not list")
        }
        try folder.placeImage(item, converted: prepared.image, at: "images/" + item.imageFileName)
        let pngName = item.stem + ".png"
        let segments = prepared.segments
        try folder.write([UInt8](prepared.png), to: Self.pngFolder(item.split) + "/" + pngName)

        let separator = Array((files.imageCount == 0 ? "\n" : ",\n").utf8)
        let image = JSONValue.object([
            JSONMember("id", .int(item.image.id)),
            JSONMember("file_name", .string(item.imageFileName)),
            JSONMember("width", .int(item.image.width)),
            JSONMember("height", .int(item.image.height)),
        ])
        try files.json.append(separator + image.jsonBytes)
        let annotation = JSONValue.object([
            JSONMember("image_id", .int(item.image.id)),
            JSONMember("file_name", .string(pngName)),
            JSONMember("segments_info", .array(segments.map { segment in
                .object([
                    JSONMember("id", .int(segment.id)),
                    JSONMember("category_id", .int(segment.categoryID)),
                    JSONMember("area", .int(segment.extent.area)),
                    JSONMember("bbox", .array(segment.extent.cocoBBox.map { .int($0) })),
                    JSONMember("iscrowd", .int(0)),
                ])
            })),
        ])
        try files.annotations.append(separator + annotation.jsonBytes)
        files.imageCount += 1
        splits[item.split] = files
    }

    mutating func finish() throws {
        var categories: [UInt8] = []
        for (index, category) in classMap.categories.enumerated() {
            categories += Array((index == 0 ? "\n" : ",\n").utf8)
            categories += JSONValue.object([
                JSONMember("id", .int(category.id)),
                JSONMember("name", .string(category.name)),
                JSONMember("supercategory", .string(category.supercategory)),
                JSONMember("isthing", .int(category.isthing)),
                JSONMember("color", .array(category.color.map { .int($0) })),
            ]).jsonBytes
        }
        for split in splits.keys.sorted() {
            guard let files = splits[split] else { continue }
            try files.annotations.close()
            try files.json.append(Array("\n],\n\"annotations\":[".utf8))
            try files.json.append(contentsOf: files.annotations.url)
            try files.json.append(Array("\n],\n\"categories\":[".utf8) + categories + Array("\n]}\n".utf8))
            try files.json.close()
            do { try FileManager.default.removeItem(at: files.annotations.url) } catch {
                throw DatasetError.io(path: files.annotations.url.path, reason: AtomicFile.reason(error))
            }
        }
        splits = [:]
    }

    /// One segment of an image's `segments_info`.
    struct Segment {
        var id: Int
        var categoryID: Int
        var extent: SegmentExtent
    }

    /// The panoptic PNG's pixels (row-major R, G, B) and the segments in it: the annotated
    /// instances in annotation order, then the stuff classes present, in id order.
    /// - Throws: `DatasetError.invalidDataset` naming the mask files when an annotation is
    ///   not a thing of the class map, two annotations share a `mask_id`, or the instance and
    ///   semantic masks disagree at a pixel (the first such pixel, in row order).
    private static func panopticSegments(_ item: ExportItem, kinds: [ValueKind], classMap: ClassMapFile,
                                         largestID: Int) throws -> ([UInt8], [Segment]) {
        let instances = try item.instanceMask().raster
        let semantic = try item.semanticMask()
        let annotations = item.annotations
        var things: [Segment] = []
        things.reserveCapacity(annotations.count)
        // Per `mask_id`: the index of its annotation, -1 for none.
        var annotationIndex = [Int32](repeating: -1, count: 65536)
        // Per category id: the extent of its stuff segment.
        var stuffExtents = [SegmentExtent](repeating: SegmentExtent(), count: largestID + 1)
        for annotation in annotations {
            // instanceMask() has checked that every annotation has a mask_id with pixels.
            let id = annotation.instanceID ?? 0
            guard annotation.categoryID >= 0, annotation.categoryID < kinds.count, kinds[annotation.categoryID] == .thing else {
                throw DatasetError.invalidDataset("annotation \(annotation.id) of image \(item.image.id) has category_id \(annotation.categoryID), which is no thing class of classes.json")
            }
            guard annotationIndex[id] < 0 else {
                throw DatasetError.invalidDataset("annotations \(things[Int(annotationIndex[id])].id) and \(annotation.id) of image \(item.image.id) both have mask_id \(id)")
            }
            annotationIndex[id] = Int32(things.count)
            things.append(Segment(id: id, categoryID: annotation.categoryID, extent: SegmentExtent()))
        }

        let width = instances.width, height = instances.height
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var conflict: (x: Int, y: Int)?
        instances.pixels.withUnsafeBufferPointer { instance in
            semantic.pixels.withUnsafeBufferPointer { semantic in
                rows: for y in 0..<height {
                    for x in 0..<width {
                        let p = y * width + x
                        let maskValue = Int(instance[p]), classValue = Int(semantic[p])
                        let segmentID: Int
                        if maskValue != 0 {
                            let index = Int(annotationIndex[maskValue])
                            if index >= 0 {
                                // An annotated thing: the semantic mask holds its category.
                                guard classValue == things[index].categoryID else { conflict = (x, y); break rows }
                                things[index].extent.add(x: x, y: y)
                                segmentID = maskValue
                            } else {
                                // An instance without annotation: the semantic mask ignores it.
                                guard classValue == classMap.ignoreValue else { conflict = (x, y); break rows }
                                continue
                            }
                        } else {
                            switch kinds[classValue] {
                            case .stuff:
                                stuffExtents[classValue].add(x: x, y: y)
                                segmentID = Self.stuffIDOffset + classValue
                            case .void where classValue == classMap.backgroundValue:
                                continue
                            case .void, .thing, .notACategory:
                                // Ignore and thing values belong to instance pixels; others are no class.
                                conflict = (x, y)
                                break rows
                            }
                        }
                        rgb[3 * p] = UInt8(truncatingIfNeeded: segmentID)
                        rgb[3 * p + 1] = UInt8(truncatingIfNeeded: segmentID >> 8)
                        rgb[3 * p + 2] = UInt8(truncatingIfNeeded: segmentID >> 16)
                    }
                }
            }
        }
        var segments = things
        for category in classMap.categories where category.isthing == 0 && stuffExtents[category.id].area > 0 {
            segments.append(Segment(id: Self.stuffIDOffset + category.id, categoryID: category.id, extent: stuffExtents[category.id]))
        }
        if let conflict {
            let p = conflict.y * width + conflict.x
            let maskValue = Int(instances.pixels[p])
            let index = Int(annotationIndex[maskValue])
            let meaning = maskValue == 0 ? "no instance"
                : index >= 0 ? "annotated instance \(maskValue) of category \(things[index].categoryID)"
                : "instance \(maskValue) without annotation"
            throw DatasetError.invalidDataset("\(item.semanticMaskURL.path): value \(semantic.pixels[p]) at pixel (\(conflict.x), \(conflict.y)) disagrees with \(item.instanceMaskURL.path), which has \(meaning) there (expected \(maskValue == 0 ? "0 or a stuff class" : index >= 0 ? String(things[index].categoryID) : String(classMap.ignoreValue)))")
        }
        return (rgb, segments)
    }
}
