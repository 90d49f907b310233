import Annotation
import Dataset
import Foundation
import SceneScript

/// A value a breakdown bins by: a number, or a label (a string, or a Boolean as `true` /
/// `false`).
public enum BinValue: Hashable, Sendable {
    case number(Double)
    case label(String)

    /// A number, string or Boolean; `nil` for anything else (lists, points, objects, null).
    init?(_ json: JSONValue) {
        switch json {
        case let .string(s): self = .label(s)
        case let .bool(b): self = .label(b ? "true" : "false")
        default:
            guard let n = json.number, n.isFinite else { return nil }
            self = .number(n)
        }
    }
}

/// How `--by` cuts numbers into bins.
public enum BinSpecification: Sendable, Equatable {
    /// `n` bins of equal width from the smallest value to the largest.
    case count(Int)
    /// Bins `[e0, e1)`, `[e1, e2)`, …, the last closed `[e(n-1), en]`; increasing edges.
    case edges([Double])
}

/// COCO AP and mean matched IoU per bin of a recorded value (`tessera compare --by NAME`).
///
/// - A per-image value (a `record` of the ground truth's `records.jsonl`) bins images: a
///   bin's figures are those of COCOeval run on the bin's images alone (`params.imgIds`).
/// - A per-instance fact bins ground-truth instances, the way COCO's area ranges do: in a
///   bin's evaluation a ground truth outside the bin is ignored (it may be matched, but is
///   neither a hit nor a miss), a prediction matched to an ignored ground truth is ignored,
///   and an unmatched prediction is ignored when its own value of the fact lies outside the
///   bin. A prediction whose value is unknown (`visible_fraction` of a results file, say)
///   counts in every bin. `area` is the ground truth's `area` and the prediction's as COCO
///   takes it, `bbox_width` and `bbox_height` the boxes' w and h.
public struct Breakdown: Sendable {
    public enum Kind: String, Sendable {
        /// Bins images by a recorded value.
        case image
        /// Bins ground-truth instances by one of their facts.
        case instance
    }

    public struct Bin: Sendable, Equatable {
        /// `[from, to)` (the last bin closed) for numbers; `nil` for a label.
        public let from: Double?
        public let to: Double?
        public let isLast: Bool
        /// The label of a bin of labels.
        public let label: String?

        func contains(_ value: BinValue) -> Bool {
            switch value {
            case let .number(v):
                guard let from, let to else { return false }
                return v >= from && (v < to || (isLast && v == to))
            case let .label(l): return l == label
            }
        }

        var text: String {
            if let label { return label }
            return "[\(String(format: "%g", from ?? 0)), \(String(format: "%g", to ?? 0))\(isLast ? "]" : ")")"
        }
    }

    public struct BinResult: Sendable {
        public let bin: Bin
        /// Images in the bin (image kind), or holding a ground truth in it (instance kind).
        public let images: Int
        /// Non-crowd ground truths in the bin (for the image kind, in the bin's images).
        public let groundTruths: Int
        public let evaluations: [(type: COCOEvaluation.IoUType, result: COCOEvaluation)]
    }

    public let name: String
    public let kind: Kind
    /// `--class`: the classes the breakdown counts (others ignored in every bin); `nil`: all.
    public let classes: [String]?
    public let bins: [BinResult]
    /// Images (image kind) or non-crowd ground truths (instance kind) without a value that
    /// can be binned, or with one outside every bin; they are in no bin.
    public let unbinned: Int

    /// The names `--by` accepts for this pair of label sets: instance facts, then the
    /// ground truth's recorded values.
    static func availableNames(groundTruth: LabelSet) -> (instance: [String], image: [String]) {
        let instance = ["area", "bbox_width", "bbox_height"] + LabelSet.annotationFactNames.filter { groundTruth.facts[$0] != nil }
            + groundTruth.facts.keys.filter { $0.hasPrefix("attributes.") }.sorted()
        var image = Set<String>()
        for values in groundTruth.dataset?.records.values ?? [:].values { image.formUnion(values.keys) }
        return (instance, image.sorted())
    }

    /// - Parameters:
    ///   - name: an instance fact, or a recorded value (also as `records.NAME`, which a fact
    ///     of the same name would otherwise hide).
    ///   - imageIDs, categoryIDs: the comparison's.
    /// - Throws: `DatasetError.usage` (64) for an unknown name (listing those available), a
    ///   name whose values mix numbers and labels, bins given for labels, no value to bin.
    ///   - classes: `--class`: count only ground truths and predictions of these classes
    ///     (the others are ignored in every bin, as a ground truth outside a bin is).
    init(name: String, bins specification: BinSpecification?, classes: [String]? = nil, groundTruth: LabelSet, predictions: LabelSet,
         types: [COCOEvaluation.IoUType], imageIDs: [Int], categoryIDs: [Int]) throws {
        let (instanceNames, imageNames) = Self.availableNames(groundTruth: groundTruth)
        let recordName = name.hasPrefix("records.") ? String(name.dropFirst("records.".count)) : nil
        self.name = name
        self.classes = classes
        var groundTruth = groundTruth, predictions = predictions
        if let classes {
            var kept = Set<Int>()
            for name in classes {
                guard let category = groundTruth.categories.first(where: { $0.name == name }) else {
                    let names = groundTruth.categories.map(\.name)
                    throw DatasetError.usage("--class '\(name)': not a class of the ground truth"
                        + (closestName(to: name, among: names).map { "; did you mean '\($0)'?" } ?? "") + " (classes: \(names.joined(separator: ", ")))")
                }
                kept.insert(category.id)
            }
            // Out of every bin: ignored exactly as a ground truth outside a bin is.
            for i in groundTruth.objects.indices where !kept.contains(groundTruth.objects[i].categoryID) { groundTruth.objects[i].isOutOfBin = true }
            for i in predictions.objects.indices where !kept.contains(predictions.objects[i].categoryID) { predictions.objects[i].isOutOfBin = true }
        }
        if recordName == nil && instanceNames.contains(name) {
            kind = .instance
            let gtValues = groundTruth.objects.indices.map { Self.fact(name, of: groundTruth, $0) }
            let counted = groundTruth.objects.indices.filter { !groundTruth.objects[$0].isCrowd && !groundTruth.objects[$0].isOutOfBin }
            let binList = try Self.bins(name, counted.compactMap { gtValues[$0] }, specification)
            let dtValues = predictions.objects.indices.map { Self.fact(name, of: predictions, $0) }
            bins = binList.map { bin in
                var gt = groundTruth.objects, dt = predictions.objects
                var images = Set<Int>(), inBin = 0
                for i in gt.indices {
                    let isIn = !groundTruth.objects[i].isOutOfBin && (gtValues[i].map(bin.contains) ?? false)
                    gt[i].isOutOfBin = !isIn
                    if isIn && !gt[i].isCrowd { inBin += 1; images.insert(gt[i].imageID) }
                }
                for i in dt.indices { dt[i].isOutOfBin = predictions.objects[i].isOutOfBin || (dtValues[i].map { !bin.contains($0) } ?? false) }
                return BinResult(bin: bin, images: images.count, groundTruths: inBin, evaluations: types.map { type in
                    (type, COCOEvaluation(iouType: type, imageIDs: imageIDs, categoryIDs: categoryIDs, groundTruths: gt, detections: dt))
                })
            }
            unbinned = counted.count(where: { i in !binList.contains { bin in gtValues[i].map(bin.contains) ?? false } })
        } else if imageNames.contains(recordName ?? name) {
            kind = .image
            let key = recordName ?? name
            let records = groundTruth.dataset?.records ?? [:]
            let values = Dictionary(uniqueKeysWithValues: imageIDs.map { id in (id, records[id]?[key].flatMap(BinValue.init)) })
            let binList = try Self.bins(name, imageIDs.sorted().compactMap { values[$0] ?? nil }, specification)
            bins = binList.map { bin in
                let images = imageIDs.filter { values[$0].flatMap { $0.map(bin.contains) } ?? false }
                let inBin = Set(images)
                let gtCount = groundTruth.objects.count(where: { !$0.isCrowd && !$0.isOutOfBin && inBin.contains($0.imageID) })
                return BinResult(bin: bin, images: images.count, groundTruths: gtCount, evaluations: types.map { type in
                    (type, COCOEvaluation(
                        iouType: type, imageIDs: images, categoryIDs: categoryIDs,
                        groundTruths: groundTruth.objects, detections: predictions.objects))
                })
            }
            unbinned = imageIDs.count(where: { id in !binList.contains { bin in values[id].flatMap { $0.map(bin.contains) } ?? false } })
        } else {
            var lines = ["unknown --by '\(name)'; the names available are:",
                         "  instance facts: \(instanceNames.joined(separator: ", "))"]
            lines.append("  recorded values (records.jsonl of the ground truth): "
                + (imageNames.isEmpty ? "none" : imageNames.joined(separator: ", ")))
            throw DatasetError.usage(lines.joined(separator: "\n"))
        }
    }

    /// The fact `name` of object `index` of `side`; `nil` when the side does not give it.
    static func fact(_ name: String, of side: LabelSet, _ index: Int) -> BinValue? {
        let o = side.objects[index]
        switch name {
        case "area": return .number(o.area)
        case "bbox_width": return .number(o.bbox[2])
        case "bbox_height": return .number(o.bbox[3])
        default: return side.facts[name]?[index] ?? nil
        }
    }

    /// The bins of `values`: one per distinct label (sorted) for labels; for numbers those
    /// of `specification` (`count`: edges min + k · (max − min) / n, k = 0 … n, the last
    /// edge the largest value itself).
    /// - Parameter specification: `nil` for the default (4 bins); given bins on labels are a usage error.
    static func bins(_ name: String, _ values: [BinValue], _ given: BinSpecification?) throws -> [Bin] {
        let specification = given ?? .count(4)
        var numbers: [Double] = [], labels = Set<String>()
        for v in values {
            switch v {
            case let .number(n): numbers.append(n)
            case let .label(l): labels.insert(l)
            }
        }
        if !numbers.isEmpty && !labels.isEmpty {
            throw DatasetError.usage("--by '\(name)': its values mix numbers and labels, which cannot be binned together")
        }
        if !labels.isEmpty {
            if given != nil {
                throw DatasetError.usage("--by '\(name)': its values are labels (one bin each); --bins applies to numbers")
            }
            return labels.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
                .map { Bin(from: nil, to: nil, isLast: false, label: $0) }
        }
        let edges: [Double]
        switch specification {
        case let .edges(given): edges = given
        case let .count(n):
            guard let low = numbers.min(), let high = numbers.max() else {
                throw DatasetError.usage("--by '\(name)': no value to bin")
            }
            if low == high { edges = [low, high] } else {
                edges = (0...n).map { $0 == n ? high : low + Double($0) * (high - low) / Double(n) }
            }
        }
        return (0..<(edges.count - 1)).map { Bin(from: edges[$0], to: edges[$0 + 1], isLast: $0 == edges.count - 2, label: nil) }
    }
}
