public import Annotation
public import Dataset
import Foundation

extension FocusFile {
    /// The least weight `compare --focus-out` gives a bin, relative to the bin with the most
    /// misses, when `--focus-floor` is not given.
    public static let defaultFloor = 0.05

    /// The focus that follows from `comparison`'s breakdown (`compare --focus-out`), `nil`
    /// without one. Numeric bins are opened first — the first from −∞, the last to +∞ — and
    /// the breakdown evaluated again on them, so that every value the validation set holds (and
    /// every value a render draws) is in a bin and counted in its miss rate and shares, even
    /// when the `--bins` edges left some out.
    /// - Throws: `DatasetError.usage` for `combine` other than `max` on a recorded value.
    public static func derived(from comparison: LabelComparison, groundTruth: LabelSet, predictions: LabelSet, floor: Double,
                               combine: Combine?, groundTruthPath: String, predictionsPath: String) throws -> FocusFile? {
        guard var breakdown = comparison.breakdown else { return nil }
        if breakdown.kind == .image, let combine {
            throw DatasetError.usage("--focus-combine \(combine.rawValue): '\(breakdown.name)' is a recorded value, one per image; --focus-combine applies to instance facts")
        }
        if let first = breakdown.bins.first, first.bin.label == nil {
            let edges = [-Double.infinity] + breakdown.bins.dropFirst().map { $0.bin.from! } + [Double.infinity]
            breakdown = try Breakdown(
                name: breakdown.name, bins: .edges(edges), classes: breakdown.classes, groundTruth: groundTruth, predictions: predictions,
                types: comparison.evaluations.map(\.type), imageIDs: (groundTruth.imageSizes?.keys).map { Array($0).sorted() } ?? [],
                categoryIDs: groundTruth.categories.map(\.id))
        }
        return FocusFile(breakdown: breakdown, groundTruth: groundTruth, floor: floor, combine: combine ?? .max,
                         groundTruthPath: groundTruthPath, predictionsPath: predictionsPath)
    }

    /// The focus that follows from a breakdown (`tessera compare GT PRED --by NAME
    /// --focus-out FILE`): one factor, the breakdown's bins, each weighted by how often the
    /// model missed there.
    ///
    /// - `miss_rate` of a bin: 1 − matched / ground truths, the non-crowd ground truths of the
    ///   bin (an instance bin) or of the bin's images (an image bin), matched at IoU ≥ 0.5 as
    ///   COCOeval matches them (area all, 100 detections per image), on masks when both sides
    ///   have them, else boxes. A bin without ground truths has none (`null`).
    /// - `weight` = max(miss_rate, floor) / the largest such value over the bins, so the
    ///   worst bin has 1 and no bin less than floor / largest; `other_weight` (values outside
    ///   every bin, images without an instance) is floor / largest.
    /// - The outermost numeric bins are opened (`min`/`max` null), so a render's values beyond
    ///   the validation set's range fall in the nearest bin.
    /// - Notes for the reader: per bin `ground_truths`, `missed`, `images`, `share` (of the
    ///   validation set's images or instances) and `expected_share`: the share a focused render
    ///   of the same scene should reach, computed by weighting each validation image as the
    ///   render will (``FocusSampler``).
    /// - With `--class`, the miss rates count those classes only, and an instance factor keeps
    ///   them as its `classes`.
    /// - Parameter floor: 0 < floor ≤ 1.
    /// - Parameter combine: how an instance factor makes an image's weight (``Combine``).
    public init(breakdown: Breakdown, groundTruth: LabelSet, floor: Double, combine: Combine = .max,
                groundTruthPath: String, predictionsPath: String) {
        let imageIDs = (groundTruth.imageSizes?.keys).map { Array($0).sorted() } ?? []
        let iouType = breakdown.bins.first?.evaluations.last?.type ?? .bbox
        let misses: [(gt: Int, missed: Int, rate: Double?)] = breakdown.bins.map { result in
            let matched = result.evaluations.last?.result.matchCount ?? 0
            let gt = result.groundTruths
            return (gt, gt - matched, gt > 0 ? Double(gt - matched) / Double(gt) : nil)
        }
        let levels = misses.map { max($0.rate ?? 0, floor) }
        let largest = levels.max() ?? 1
        let weights = levels.map { $0 / largest }
        let other = floor / largest
        let isLabel = breakdown.bins.first?.bin.label != nil

        // Each validation image's bins: one for an image breakdown, one per ground truth for
        // an instance breakdown (nil: in no bin).
        var perImage: [Int: [Int?]] = [:]
        for id in imageIDs { perImage[id] = [] }
        switch breakdown.kind {
        case .image:
            let key = breakdown.name.hasPrefix("records.") ? String(breakdown.name.dropFirst("records.".count)) : breakdown.name
            let records = groundTruth.dataset?.records ?? [:]
            for id in imageIDs {
                let value = records[id]?[key].flatMap(BinValue.init)
                perImage[id] = [value.flatMap { v in breakdown.bins.firstIndex { $0.bin.contains(v) } }]
            }
        case .instance:
            let kept = breakdown.classes.map { names in Set(groundTruth.categories.filter { names.contains($0.name) }.map(\.id)) }
            for index in groundTruth.objects.indices where !groundTruth.objects[index].isCrowd
                && kept?.contains(groundTruth.objects[index].categoryID) ?? true {
                let value = Breakdown.fact(breakdown.name, of: groundTruth, index)
                perImage[groundTruth.objects[index].imageID, default: []]
                    .append(value.flatMap { v in breakdown.bins.firstIndex { $0.bin.contains(v) } })
            }
        }
        // The factor as the render will read it, to weight each validation image its way.
        let probe = Factor(name: breakdown.name, kind: breakdown.kind == .image ? .image : .instance, combine: combine,
                           bins: weights.map { Bin(min: nil, max: nil, weight: $0) }, otherWeight: other)
        var counted = [Double](repeating: 0, count: breakdown.bins.count + 1)
        var weighted = [Double](repeating: 0, count: breakdown.bins.count + 1)
        for id in imageIDs {
            let bins = perImage[id] ?? []
            let w = breakdown.kind == .image ? probe.weight(of: bins.first ?? nil) : probe.relativeWeight(ofInstancesIn: bins)
            for bin in bins {
                counted[bin ?? breakdown.bins.count] += 1
                weighted[bin ?? breakdown.bins.count] += w
            }
        }
        let total = counted.reduce(0, +), weightedTotal = weighted.reduce(0, +)

        let bins: [Bin] = breakdown.bins.enumerated().map { b, result in
            let notes = [
                JSONMember("miss_rate", misses[b].rate.map(JSONValue.double) ?? .null),
                JSONMember("ground_truths", .int(misses[b].gt)),
                JSONMember("missed", .int(misses[b].missed)),
                JSONMember("images", .int(result.images)),
                JSONMember("share", total > 0 ? .double(counted[b] / total) : .null),
                JSONMember("expected_share", weightedTotal > 0 ? .double(weighted[b] / weightedTotal) : .null),
            ]
            if isLabel { return Bin(label: result.bin.label, weight: weights[b], notes: notes) }
            return Bin(min: b == 0 ? nil : result.bin.from, max: b == breakdown.bins.count - 1 ? nil : result.bin.to,
                       weight: weights[b], notes: notes)
        }
        let factor = Factor(name: breakdown.name, kind: breakdown.kind == .image ? .image : .instance,
                            classes: breakdown.kind == .instance ? breakdown.classes : nil, combine: combine, bins: bins,
                            otherWeight: other, notes: [JSONMember("unbinned", .int(breakdown.unbinned))])
        self.init(factors: [factor], notes: [
            JSONMember("source", .object([
                JSONMember("ground_truth", .string(groundTruthPath)), JSONMember("predictions", .string(predictionsPath)),
                JSONMember("iou_type", .string(iouType.rawValue)),
            ] + (breakdown.classes.map { [JSONMember("classes", .array($0.map { .string($0) }))] } ?? []))),
            JSONMember("rule", .string("weight = max(miss_rate, \(floor)) / largest; miss_rate = 1 - matched/ground truths at IoU 0.5 (\(iouType.rawValue)); other_weight = \(floor) / largest")),
        ])
    }
}
