import Foundation
import Annotation
import Dataset
import DatasetReading

/// One side of a comparison: the images, categories and labeled objects of a Tessera
/// dataset folder, a COCO instances file, or (predictions only) a COCO results file.
public struct LabelSet: Sendable {
    public enum Source: String, Sendable {
        /// A Tessera dataset folder, read through `DatasetReader`.
        case dataset
        /// A COCO instances JSON: `{"images", "annotations", "categories"}`.
        case instances
        /// A COCO results JSON: `[{"image_id", "category_id", "bbox" | "segmentation", "score"}]`.
        case results
    }

    public let source: Source
    /// Image id → `[height, width]`; `nil` for results, which list no images.
    let imageSizes: [Int: [Int]]?
    let categories: [COCOFile.Category]
    var objects: [COCOEvaluation.Object]
    /// Every object has an RLE mask (segm can be evaluated).
    let hasMasks: Bool
    /// Per object (aligned with `objects`), the facts a breakdown can bin ground truths by
    /// beyond those of the object itself (`area`, `bbox_width`, `bbox_height`): the
    /// annotations' `visible_fraction`, `in_frame_fraction`, `amodal_area` and
    /// `attributes.NAME` (numbers, strings, Booleans), where they are given.
    var facts: [String: [BinValue?]] = [:]
    /// A dataset folder's files beyond the instances files; `nil` for a COCO file.
    let dataset: DatasetFolder?

    /// What a comparison reads of a dataset folder beyond its annotations.
    struct DatasetFolder: Sendable {
        let root: URL
        /// Image id → `file_name`, which names the image's masks.
        let fileNames: [Int: String]
        /// `classes.json`; `nil` for a dataset written before it (things only, ignore 255).
        let classMap: ClassMapFile?
        /// Image id → `records.jsonl`'s `values` of the image; empty without the file.
        let records: [Int: [String: JSONValue]]

        /// The value a semantic mask's ignored pixels hold.
        func ignoreValue(bitDepth: Int) -> Int { classMap?.ignoreValue ?? (bitDepth == 16 ? 65535 : 255) }
        /// The stuff classes of `classes.json`, in id order.
        var stuff: [ClassMapFile.Category] { classMap?.categories.filter { $0.isthing == 0 } ?? [] }
    }

    /// Reads `path`: a folder is a dataset; a file a COCO instances or results JSON.
    /// - Throws: `DatasetError` — missing folder or file 66, unreadable 74, malformed 65.
    public init(contentsOf path: String) throws {
        var isFolder: ObjCBool = false
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DatasetError.missingInput(path: path)
        }
        if isFolder.boolValue {
            try self.init(dataset: url)
            return
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DatasetError.io(path: path, reason: error.localizedDescription) }
        let first = data.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        do {
            if first == UInt8(ascii: "[") {
                let results = try JSONDecoder().decode([LooseObject].self, from: data)
                try self.init(results: results, path: path)
            } else {
                let file = try JSONDecoder().decode(InstancesFile.self, from: data)
                try self.init(instances: file, path: path)
            }
        } catch let error as DecodingError {
            throw DatasetError.invalidDataset("\(path): not a COCO instances or results file: \(describe(error))")
        }
    }

    /// Reads a ground truth and predictions at the same time (`init(contentsOf:)` each).
    /// - Throws: the ground truth's error when both fail.
    public static func read(groundTruth: String, predictions: String) throws -> (groundTruth: LabelSet, predictions: LabelSet) {
        let tasks: [@Sendable () throws -> LabelSet] = [{ try LabelSet(contentsOf: groundTruth) }, { try LabelSet(contentsOf: predictions) }]
        let sides = try concurrently(tasks)
        return (sides[0], sides[1])
    }

    private init(dataset url: URL) throws {
        var sizes: [Int: [Int]] = [:], fileNames: [Int: String] = [:]
        var objects: [COCOEvaluation.Object] = []
        var facts = FactColumns()
        var hasMasks = true
        var classMap: ClassMapFile?
        var records: [Int: [String: JSONValue]] = [:]
        let categories = try DatasetError.reading {
            let reader = try DatasetReader(url)
            classMap = try reader.classMap()
            if let lines = try reader.records() {
                while let record = try lines.next() {
                    if case let .object(members) = record.values {
                        records[record.imageID] = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                    }
                }
            }
            try reader.forEachImageWithSplit { split, image, annotations in
                sizes[image.id] = [image.height, image.width]
                fileNames[image.id] = image.fileName
                for a in annotations {
                    facts.append(
                        at: objects.count, visibleFraction: a.visibleFraction, inFrameFraction: a.inFrameFraction,
                        amodalArea: a.amodalArea, attributes: a.attributes)
                    var mask: RunLengthMask?
                    if case .rle = a.segmentation {
                        mask = try Self.mask(a.segmentation, path: reader.url(DatasetFiles.annotations(split: split)).path, annotation: a.id)
                    } else {
                        hasMasks = false
                    }
                    objects.append(.init(
                        id: a.id, imageID: a.imageID, categoryID: a.categoryID, bbox: a.bbox, area: Double(a.area),
                        isCrowd: a.iscrowd != 0, score: 1, mask: mask))
                }
                return true
            }
            return try reader.categories()
        }
        self.init(
            source: .dataset, imageSizes: sizes, categories: categories, objects: objects, hasMasks: hasMasks,
            facts: facts.columns(count: objects.count),
            dataset: DatasetFolder(root: url, fileNames: fileNames, classMap: classMap, records: records))
    }

    private init(instances file: InstancesFile, path: String) throws {
        var objects: [COCOEvaluation.Object] = []
        var facts = FactColumns()
        var hasMasks = true
        for a in file.annotations {
            facts.append(
                at: objects.count, visibleFraction: a.visibleFraction, inFrameFraction: a.inFrameFraction,
                amodalArea: a.amodalArea, attributes: a.attributes)
            let mask = try a.segmentation.flatMap { try Self.mask($0, path: path, annotation: a.id) }
            if mask == nil { hasMasks = false }
            guard let bbox = a.bbox ?? mask.map({ $0.box?.cocoBBox.map(Double.init) ?? [0, 0, 0, 0] }), bbox.count == 4 else {
                throw DatasetError.invalidDataset("\(path): annotation \(a.id ?? 0) has no bbox of 4 numbers")
            }
            objects.append(.init(
                id: a.id ?? objects.count + 1, imageID: a.imageID, categoryID: a.categoryID, bbox: bbox,
                area: a.area ?? Double(mask?.area ?? 0), isCrowd: (a.iscrowd ?? 0) != 0, score: a.score ?? 1, mask: mask))
        }
        self.init(
            source: .instances, imageSizes: Dictionary(file.images.map { ($0.id, [$0.height, $0.width]) }, uniquingKeysWith: { a, _ in a }),
            categories: file.categories, objects: objects, hasMasks: hasMasks, facts: facts.columns(count: objects.count))
    }

    /// As pycocotools `COCO.loadRes`: ids 1, 2, … in file order; when the first result
    /// has a box, every area is its box's `w * h`, else the mask's area and a missing box
    /// the mask's.
    private init(results: [LooseObject], path: String) throws {
        let boxesGiven = results.first?.bbox.map { !$0.isEmpty } ?? false
        var objects: [COCOEvaluation.Object] = []
        var facts = FactColumns()
        var hasMasks = !results.isEmpty
        for (n, r) in results.enumerated() {
            facts.append(
                at: objects.count, visibleFraction: r.visibleFraction, inFrameFraction: r.inFrameFraction,
                amodalArea: r.amodalArea, attributes: r.attributes)
            let mask = try r.segmentation.flatMap { try Self.mask($0, path: path, annotation: n + 1) }
            if mask == nil { hasMasks = false }
            let bbox = r.bbox ?? mask.map { $0.box?.cocoBBox.map(Double.init) ?? [0, 0, 0, 0] }
            guard let bbox, bbox.count == 4 else {
                throw DatasetError.invalidDataset("\(path): result \(n + 1) has neither a bbox of 4 numbers nor an RLE segmentation")
            }
            guard let score = r.score else { throw DatasetError.invalidDataset("\(path): result \(n + 1) has no score") }
            let area = boxesGiven ? bbox[2] * bbox[3] : Double(mask?.area ?? 0)
            objects.append(.init(
                id: n + 1, imageID: r.imageID, categoryID: r.categoryID, bbox: bbox, area: area, isCrowd: false,
                score: score, mask: mask))
        }
        self.init(source: .results, imageSizes: nil, categories: [], objects: objects, hasMasks: hasMasks, facts: facts.columns(count: objects.count))
    }

    private init(source: Source, imageSizes: [Int: [Int]]?, categories: [COCOFile.Category], objects: [COCOEvaluation.Object],
                 hasMasks: Bool, facts: [String: [BinValue?]] = [:], dataset: DatasetFolder? = nil) {
        self.source = source
        self.imageSizes = imageSizes
        self.categories = categories
        self.objects = objects
        self.hasMasks = hasMasks
        self.facts = facts
        self.dataset = dataset
    }

    /// The names `facts` takes from an annotation's fields.
    static let annotationFactNames = ["visible_fraction", "in_frame_fraction", "amodal_area"]

    /// `facts` while objects are read: the values by name and object index.
    private struct FactColumns {
        var values: [String: [(Int, BinValue)]] = [:]

        mutating func append(at index: Int, visibleFraction: Double?, inFrameFraction: Double?, amodalArea: Int?, attributes: JSONValue?) {
            if let v = visibleFraction { values["visible_fraction", default: []].append((index, .number(v))) }
            if let v = inFrameFraction { values["in_frame_fraction", default: []].append((index, .number(v))) }
            if let v = amodalArea { values["amodal_area", default: []].append((index, .number(Double(v)))) }
            if case let .object(members)? = attributes {
                for m in members {
                    if let value = BinValue(m.value) { values["attributes." + m.key, default: []].append((index, value)) }
                }
            }
        }

        func columns(count: Int) -> [String: [BinValue?]] {
            values.mapValues { entries in
                var column = [BinValue?](repeating: nil, count: count)
                for (i, v) in entries { column[i] = v }
                return column
            }
        }
    }

    private static func mask(_ segmentation: COCOFile.Segmentation, path: String, annotation: Int?) throws -> RunLengthMask? {
        guard case let .rle(rle) = segmentation else { return nil }
        guard rle.size.count == 2 else {
            throw DatasetError.invalidDataset("\(path): annotation \(annotation ?? 0): RLE size is not [height, width]")
        }
        do {
            return RunLengthMask(try RLE(height: rle.size[0], width: rle.size[1], compressedCounts: rle.counts))
        } catch {
            throw DatasetError.invalidDataset("\(path): annotation \(annotation ?? 0): bad RLE counts: \(error)")
        }
    }
}

/// The fields of an annotation or a result the evaluation reads; any other is ignored.
private struct LooseObject: Decodable {
    var id: Int?
    var imageID: Int
    var categoryID: Int
    var bbox: [Double]?
    var segmentation: COCOFile.Segmentation?
    var area: Double?
    var iscrowd: Int?
    var score: Double?
    var visibleFraction: Double?
    var inFrameFraction: Double?
    var amodalArea: Int?
    var attributes: JSONValue?

    enum CodingKeys: String, CodingKey {
        case id, imageID = "image_id", categoryID = "category_id", bbox, segmentation, area, iscrowd, score
        case visibleFraction = "visible_fraction", inFrameFraction = "in_frame_fraction", amodalArea = "amodal_area", attributes
    }
}

private struct InstancesFile: Decodable {
    var images: [COCOFile.Image]
    var annotations: [LooseObject]
    var categories: [COCOFile.Category]
}

private func describe(_ error: DecodingError) -> String {
    func at(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }
    switch error {
    case let .keyNotFound(key, context): return "\(at(context)) missing '\(key.stringValue)'"
    case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context): return at(context)
    @unknown default: return "\(error)"
    }
}
