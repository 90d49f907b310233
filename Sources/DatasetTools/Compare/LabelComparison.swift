public import Annotation
import Dataset
import Foundation
import DatasetReading

/// Agreement between a ground truth and predictions of the same images: COCO AP as
/// pycocotools computes it, for boxes and (when both sides have RLE masks) masks, overall
/// and per class, with the mean IoU of the matches at IoU ≥ 0.5.
public struct LabelComparison: Sendable {
    public let images: Int
    public let groundTruths: Int
    public let predictions: Int
    public let categories: [COCOFile.Category]
    /// `bbox` always; `segm` when both sides have an RLE segmentation on every object.
    public let evaluations: [(type: COCOEvaluation.IoUType, result: COCOEvaluation)]

    /// - Throws: `DatasetError.invalidDataset` (65) listing every mismatch when the two
    ///   sides are not labels of the same images and categories; the errors of `LabelSet`.
    public init(groundTruth: LabelSet, predictions: LabelSet) throws {
        guard groundTruth.source != .results, let sizes = groundTruth.imageSizes else {
            throw DatasetError.usage("the ground truth must be a dataset or a COCO instances file, not a results list")
        }
        let mismatches = Self.mismatches(groundTruth, predictions, sizes: sizes)
        if !mismatches.isEmpty {
            throw DatasetError.invalidDataset("the label sets do not match:\n" + mismatches.map { "  " + $0 }.joined(separator: "\n"))
        }
        images = sizes.count
        groundTruths = groundTruth.objects.count
        self.predictions = predictions.objects.count
        categories = groundTruth.categories.sorted { $0.id < $1.id }
        var types: [COCOEvaluation.IoUType] = [.bbox]
        if groundTruth.hasMasks || groundTruth.objects.isEmpty, predictions.hasMasks { types.append(.segm) }
        evaluations = types.map { type in
            (type, COCOEvaluation(
                iouType: type, imageIDs: Array(sizes.keys), categoryIDs: groundTruth.categories.map(\.id),
                groundTruths: groundTruth.objects, detections: predictions.objects))
        }
    }

    /// What does not match, one line each: images on one side only, images of different
    /// sizes, objects naming an unknown image or category, categories named differently.
    static func mismatches(_ gt: LabelSet, _ pred: LabelSet, sizes: [Int: [Int]]) -> [String] {
        func list(_ ids: some Collection<Int>) -> String {
            let sorted = ids.sorted()
            let shown = sorted.prefix(10).map(String.init).joined(separator: ", ")
            return sorted.count > 10 ? "\(shown), … (\(sorted.count) in all)" : shown
        }
        var lines: [String] = []
        if let predSizes = pred.imageSizes {
            let onlyGT = Set(sizes.keys).subtracting(predSizes.keys), onlyPred = Set(predSizes.keys).subtracting(sizes.keys)
            if !onlyGT.isEmpty { lines.append("images only in the ground truth: \(list(onlyGT))") }
            if !onlyPred.isEmpty { lines.append("images only in the predictions: \(list(onlyPred))") }
            let resized = sizes.keys.filter { id in predSizes[id].map { $0 != sizes[id] } ?? false }
            if !resized.isEmpty { lines.append("images of different sizes: \(list(resized))") }
        }
        let unknownImages = Set(pred.objects.lazy.map(\.imageID).filter { sizes[$0] == nil })
        if !unknownImages.isEmpty { lines.append("predictions name unknown image ids: \(list(unknownImages))") }
        let known = Set(gt.categories.map(\.id))
        let unknownCategories = Set(pred.objects.lazy.map(\.categoryID).filter { !known.contains($0) })
        if !unknownCategories.isEmpty { lines.append("predictions name unknown category ids: \(list(unknownCategories))") }
        let gtUnknownImages = Set(gt.objects.lazy.map(\.imageID).filter { sizes[$0] == nil })
        if !gtUnknownImages.isEmpty { lines.append("ground-truth annotations name unknown image ids: \(list(gtUnknownImages))") }
        let gtUnknownCategories = Set(gt.objects.lazy.map(\.categoryID).filter { !known.contains($0) })
        if !gtUnknownCategories.isEmpty { lines.append("ground-truth annotations name unknown category ids: \(list(gtUnknownCategories))") }
        let names = Dictionary(gt.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        for c in pred.categories.sorted(by: { $0.id < $1.id }) {
            if let name = names[c.id], name != c.name {
                lines.append("category \(c.id) is '\(name)' in the ground truth and '\(c.name)' in the predictions")
            }
        }
        return lines
    }

    /// The 10 images of lowest F1, then lowest mean matched IoU, then lowest id.
    static func worst(_ images: [COCOEvaluation.ImageAgreement]) -> [COCOEvaluation.ImageAgreement] {
        Array(images.sorted { a, b in
            (a.f1, a.meanMatchedIoU ?? 0, a.imageID) < (b.f1, b.meanMatchedIoU ?? 0, b.imageID)
        }.prefix(10))
    }

    /// pycocotools `COCOeval.summarize()` lines per IoU type, then per-class AP and matched IoU.
    public var text: String {
        let names = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var lines = ["\(images) images, \(groundTruths) ground-truth instances, \(predictions) predictions"]
        let rows: [(ap: Bool, iou: String, area: String, maxDets: Int)] = [
            (true, "0.50:0.95", "all", 100), (true, "0.50", "all", 100), (true, "0.75", "all", 100),
            (true, "0.50:0.95", "small", 100), (true, "0.50:0.95", "medium", 100), (true, "0.50:0.95", "large", 100),
            (false, "0.50:0.95", "all", 1), (false, "0.50:0.95", "all", 10), (false, "0.50:0.95", "all", 100),
            (false, "0.50:0.95", "small", 100), (false, "0.50:0.95", "medium", 100), (false, "0.50:0.95", "large", 100),
        ]
        for (type, result) in evaluations {
            lines.append("")
            lines.append("iouType \(type.rawValue):")
            for (row, value) in zip(rows, result.stats) {
                let title = (row.ap ? "Average Precision" : "Average Recall").padding(toLength: 18, withPad: " ", startingAt: 0)
                let iou = row.iou.padding(toLength: 9, withPad: " ", startingAt: 0)
                let area = String(repeating: " ", count: max(0, 6 - row.area.count)) + row.area
                let dets = String(repeating: " ", count: max(0, 3 - String(row.maxDets).count)) + String(row.maxDets)
                lines.append(" \(title) \(row.ap ? "(AP)" : "(AR)") @[ IoU=\(iou) | area=\(area) | maxDets=\(dets) ] = \(fixed(value, 3))")
            }
            lines.append("  per class: AP  matches@0.5  mean matched IoU")
            for c in result.perClass {
                lines.append("  \(names[c.categoryID] ?? "?") (\(c.categoryID)): \(fixed(c.averagePrecision, 3))  \(c.matches)  \(c.meanMatchedIoU.map { fixed($0, 3) } ?? "-")")
            }
        }
        if let (type, result) = evaluations.last {
            lines.append("")
            lines.append("worst images (\(type.rawValue), F1 of matches at IoU ≥ 0.5): image  ground truths  predictions  matches  mean matched IoU")
            for image in Self.worst(result.perImage) {
                lines.append("  \(image.imageID): F1 \(fixed(image.f1, 3))  \(image.groundTruths)  \(image.detections)  \(image.matches)  \(image.meanMatchedIoU.map { fixed($0, 3) } ?? "-")")
            }
        }
        if !evaluations.contains(where: { $0.type == .segm }) {
            lines.append("")
            lines.append("iouType segm: not compared (an object on one side has no RLE segmentation)")
        }
        return lines.joined(separator: "\n")
    }

    /// The comparison as JSON, keys in the order docs/FORMATS.md lists them.
    public var json: JSONValue {
        let names = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var members = [
            JSONMember("images", .int(images)), JSONMember("ground_truth_instances", .int(groundTruths)),
            JSONMember("predictions", .int(predictions)),
        ]
        for (type, result) in evaluations {
            members.append(JSONMember(type.rawValue, .object([
                JSONMember("stats", .object(zip(COCOEvaluation.statNames, result.stats).map { JSONMember($0, .double($1)) })),
                JSONMember("per_class", .array(result.perClass.map { c in
                    .object([
                        JSONMember("id", .int(c.categoryID)), JSONMember("name", .string(names[c.categoryID] ?? "")),
                        JSONMember("AP", .double(c.averagePrecision)), JSONMember("matches", .int(c.matches)),
                        JSONMember("mean_matched_iou", c.meanMatchedIoU.map(JSONValue.double) ?? .null),
                    ])
                })),
                JSONMember("worst_images", .array(Self.worst(result.perImage).map { image in
                    .object([
                        JSONMember("image_id", .int(image.imageID)), JSONMember("f1", .double(image.f1)),
                        JSONMember("ground_truths", .int(image.groundTruths)), JSONMember("predictions", .int(image.detections)),
                        JSONMember("matches", .int(image.matches)),
                        JSONMember("mean_matched_iou", image.meanMatchedIoU.map(JSONValue.double) ?? .null),
                    ])
                })),
            ])))
        }
        return .object(members)
    }
}

/// `value` with `digits` decimals, as Python's `'{:0.3f}'`.
private func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
