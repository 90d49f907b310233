public import Annotation
import Dataset
import Foundation
public import DatasetReading

/// Agreement between a ground truth and predictions of the same images: COCO AP as
/// pycocotools computes it, for boxes and (when both sides have RLE masks) masks, overall
/// and per class, with the mean IoU of the matches at IoU ≥ 0.5; for masks also the boundary
/// F-measure of those matches, panoptic quality and the semantic agreement (pixel accuracy,
/// Cohen's kappa); optionally AP per bin of a recorded value. Definitions: docs/QC.md.
public struct LabelComparison: Sendable {
    public let images: Int
    public let groundTruths: Int
    public let predictions: Int
    public let categories: [COCOFile.Category]
    /// `bbox` always; `segm` when both sides have an RLE segmentation on every object.
    public let evaluations: [(type: COCOEvaluation.IoUType, result: COCOEvaluation)]
    /// The boundary F-measure of each `segm` match; `nil` without `segm`.
    public let boundary: BoundaryAgreement?
    /// PQ, SQ, RQ; `nil` without `segm`.
    public let panoptic: PanopticQuality?
    /// Pixel accuracy and kappa; `nil` without `segm`.
    public let semantic: SemanticAgreement?
    /// `--by`: AP and mean matched IoU per bin.
    public let breakdown: Breakdown?

    public struct Options: Sendable {
        /// A recorded value or an instance fact to break the metrics down by (`--by`).
        public var by: String?
        /// `nil`: the default, 4 equal-width bins for numbers (and no error for labels).
        public var bins: BinSpecification?
        /// COCO AP alone (`--ap-only`): the work pycocotools' and faster-coco-eval's `COCOeval`
        /// do, without boundary F, panoptic quality and the semantic agreement (then `nil`).
        public var apOnly: Bool
        /// With `by`: count only these classes in the breakdown (`--class`); `nil`: all.
        public var classes: [String]?

        public init(by: String? = nil, bins: BinSpecification? = nil, apOnly: Bool = false, classes: [String]? = nil) {
            self.by = by
            self.bins = bins
            self.apOnly = apOnly
            self.classes = classes
        }
    }

    /// The boundary F-measure (``BoundaryScore``) of every match of the `segm` evaluation
    /// (IoU ≥ 0.5, area all, the matches `per_class` counts).
    public struct BoundaryAgreement: Sendable {
        /// The tolerances used, in pixels: one per distinct image size, increasing.
        public let tolerances: [Int]
        public let pairs: Int
        /// Mean F over all matches; `nil` without one.
        public let meanF: Double?
        /// Category id → (matches, mean F).
        public let perClass: [Int: (pairs: Int, meanF: Double)]
        /// Image id → (matches, mean F).
        public let perImage: [Int: (pairs: Int, meanF: Double)]
    }

    /// Panoptic quality per category and overall (``PanopticAccumulator`` for the rules).
    public struct PanopticQuality: Sendable {
        /// Stuff from the semantic masks (both sides Tessera datasets); else things only.
        public let includesStuff: Bool
        public let perClass: [ClassQuality]

        public struct ClassQuality: Sendable, Equatable {
            public let categoryID: Int
            public let name: String
            public let isThing: Bool
            public let truePositives: Int, falsePositives: Int, falseNegatives: Int
            public let iouSum: Double
            /// `nil` when TP + FP + FN = 0 (the class is in neither side's segments).
            public var pq: Double? { denominator == 0 ? nil : iouSum / denominator }
            public var sq: Double? { denominator == 0 ? nil : truePositives == 0 ? 0 : iouSum / Double(truePositives) }
            public var rq: Double? { denominator == 0 ? nil : Double(truePositives) / denominator }
            var denominator: Double { Double(truePositives) + 0.5 * Double(falsePositives) + 0.5 * Double(falseNegatives) }
        }

        /// Means over the classes (all, things, stuff) whose PQ is defined: (PQ, SQ, RQ, classes).
        public func summary(_ filter: (ClassQuality) -> Bool = { _ in true }) -> (pq: Double?, sq: Double?, rq: Double?, classes: Int) {
            let defined = perClass.filter { filter($0) && $0.pq != nil }
            guard !defined.isEmpty else { return (nil, nil, nil, 0) }
            let n = Double(defined.count)
            return (defined.reduce(0) { $0 + $1.pq! } / n, defined.reduce(0) { $0 + $1.sq! } / n,
                    defined.reduce(0) { $0 + $1.rq! } / n, defined.count)
        }
    }

    /// Pixel accuracy and Cohen's kappa (``SemanticAccumulator``).
    public struct SemanticAgreement: Sendable {
        /// Both sides' semantic masks (two Tessera datasets), or rasters derived from the
        /// instance annotations (things only).
        public let isFromSemanticMasks: Bool
        public let pixels: Int
        public let ignoredPixels: Int
        public let accuracy: Double?
        public let kappa: Double?
    }

    /// - Throws: `DatasetError.invalidDataset` (65) listing every mismatch when the two
    ///   sides are not labels of the same images and categories, or naming a dataset's
    ///   missing or malformed semantic mask; `DatasetError.usage` (64) for a bad `--by`;
    ///   the errors of `LabelSet`.
    public init(groundTruth: LabelSet, predictions: LabelSet, options: Options = .init()) throws {
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
        let imageIDs = Array(sizes.keys).sorted(), categoryIDs = groundTruth.categories.map(\.id)
        // The evaluations, the boundary F of the segm matches and the panoptic pass read the
        // two sides and nothing else: they run at the same time, each into its own result.
        enum Part: Sendable {
            case evaluation(COCOEvaluation, BoundaryAgreement?)
            case panoptic(PanopticQuality, SemanticAgreement)
        }
        var tasks: [@Sendable () throws -> Part] = types.map { type in
            {
                let result = COCOEvaluation(
                    iouType: type, imageIDs: imageIDs, categoryIDs: categoryIDs,
                    groundTruths: groundTruth.objects, detections: predictions.objects)
                return .evaluation(result, type == .segm && !options.apOnly
                                   ? Self.boundaryAgreement(result, groundTruth, predictions, sizes: sizes) : nil)
            }
        }
        if types.contains(.segm), !options.apOnly {
            tasks.append { () throws -> Part in
                let (p, s) = try Self.panopticAndSemantic(groundTruth, predictions, sizes: sizes)
                return Part.panoptic(p, s)
            }
        }
        var evaluations: [(type: COCOEvaluation.IoUType, result: COCOEvaluation)] = []
        var boundary: BoundaryAgreement?, panoptic: PanopticQuality?, semantic: SemanticAgreement?
        for part in try concurrently(tasks) {
            switch part {
            case let .evaluation(result, f):
                evaluations.append((result.iouType, result))
                if let f { boundary = f }
            case let .panoptic(p, s): (panoptic, semantic) = (p, s)
            }
        }
        (self.evaluations, self.boundary, self.panoptic, self.semantic) = (evaluations, boundary, panoptic, semantic)
        breakdown = try options.by.map { name in
            try Breakdown(
                name: name, bins: options.bins, classes: options.classes, groundTruth: groundTruth, predictions: predictions, types: types,
                imageIDs: imageIDs, categoryIDs: categoryIDs)
        }
    }

    static func boundaryAgreement(_ segm: COCOEvaluation, _ gt: LabelSet, _ pred: LabelSet, sizes: [Int: [Int]]) -> BoundaryAgreement {
        var classSums: [Int: (Int, Double)] = [:], imageSums: [Int: (Int, Double)] = [:]
        var total = 0.0
        var tolerances = Set<Int>()
        for match in segm.matches {
            guard let g = gt.objects[match.groundTruth].mask, let d = pred.objects[match.detection].mask,
                  let size = sizes[match.imageID] else { continue }
            let tolerance = BoundaryScore.tolerance(height: size[0], width: size[1])
            tolerances.insert(tolerance)
            let f = BoundaryScore(predicted: d, groundTruth: g, tolerance: tolerance).f
            total += f
            classSums[match.categoryID, default: (0, 0)].0 += 1
            classSums[match.categoryID, default: (0, 0)].1 += f
            imageSums[match.imageID, default: (0, 0)].0 += 1
            imageSums[match.imageID, default: (0, 0)].1 += f
        }
        let pairs = classSums.values.reduce(0) { $0 + $1.0 }
        return BoundaryAgreement(
            tolerances: tolerances.sorted(), pairs: pairs, meanF: pairs == 0 ? nil : total / Double(pairs),
            perClass: classSums.mapValues { ($0.0, $0.1 / Double($0.0)) },
            perImage: imageSums.mapValues { ($0.0, $0.1 / Double($0.0)) })
    }

    /// Both sides image by image as segment rasters: stuff from the semantic masks when both
    /// are Tessera datasets, things only otherwise.
    static func panopticAndSemantic(_ gt: LabelSet, _ pred: LabelSet, sizes: [Int: [Int]]) throws -> (PanopticQuality, SemanticAgreement) {
        let includesStuff = gt.dataset != nil && pred.dataset != nil
        func byImage(_ side: LabelSet) -> [Int: [Int]] {
            var groups: [Int: [Int]] = [:]
            for (n, o) in side.objects.enumerated() { groups[o.imageID, default: []].append(n) }
            return groups
        }
        let gtObjects = byImage(gt), predObjects = byImage(pred)
        var quality = PanopticAccumulator(), agreement = SemanticAccumulator()
        for id in sizes.keys.sorted() {
            let size = sizes[id]!
            let g = try SegmentRaster(gt, objects: gtObjects[id] ?? [], imageID: id, height: size[0], width: size[1], includesStuff: includesStuff)
            let p = try SegmentRaster(pred, objects: predObjects[id] ?? [], imageID: id, height: size[0], width: size[1], includesStuff: includesStuff)
            let overlap = SegmentOverlap(g, p)
            quality.add(g, p, overlap)
            agreement.add(g, p, overlap)
        }
        var classes = gt.categories.sorted { $0.id < $1.id }.map { ($0.id, $0.name, true) }
        if includesStuff { classes += (gt.dataset?.stuff ?? []).map { ($0.id, $0.name, false) } }
        classes.sort { $0.0 < $1.0 }
        let perClass = classes.map { id, name, isThing in
            let c = quality.counts[id] ?? .init()
            return PanopticQuality.ClassQuality(
                categoryID: id, name: name, isThing: isThing, truePositives: c.truePositives,
                falsePositives: c.falsePositives, falseNegatives: c.falseNegatives, iouSum: c.iouSum)
        }
        return (PanopticQuality(includesStuff: includesStuff, perClass: perClass),
                SemanticAgreement(isFromSemanticMasks: includesStuff, pixels: agreement.pixels, ignoredPixels: agreement.ignored,
                                  accuracy: agreement.accuracy, kappa: agreement.kappa))
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
        // Two datasets: the same stuff classes, as the semantic masks are compared value by value.
        if let a = gt.dataset, let b = pred.dataset {
            let stuffA = Dictionary(a.stuff.map { ($0.id, $0.name) }, uniquingKeysWith: { x, _ in x })
            let stuffB = Dictionary(b.stuff.map { ($0.id, $0.name) }, uniquingKeysWith: { x, _ in x })
            for id in Set(stuffA.keys).union(stuffB.keys).sorted() where stuffA[id] != stuffB[id] {
                func named(_ name: String?) -> String { name.map { "stuff '\($0)'" } ?? "not a stuff class" }
                lines.append("class \(id) is \(named(stuffA[id])) in the ground truth's classes.json and \(named(stuffB[id])) in the predictions'")
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

    /// pycocotools `COCOeval.summarize()` lines per IoU type, then per-class AP, matched IoU
    /// and boundary F, the worst images, panoptic quality, the semantic agreement and the
    /// breakdown.
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
            let withF = type == .segm && boundary != nil
            lines.append("  matches at IoU ≥ 0.5: \(result.matchCount), mean matched IoU \(optional(result.meanMatchedIoU))"
                + (withF ? ", mean boundary F \(optional(boundary?.meanF))" : ""))
            lines.append("  per class: AP  matches@0.5  mean matched IoU" + (withF ? "  mean boundary F" : ""))
            for c in result.perClass {
                lines.append("  \(names[c.categoryID] ?? "?") (\(c.categoryID)): \(fixed(c.averagePrecision, 3))  \(c.matches)  \(optional(c.meanMatchedIoU))"
                    + (withF ? "  \(optional(boundary?.perClass[c.categoryID]?.meanF))" : ""))
            }
        }
        if let (type, result) = evaluations.last {
            let withF = type == .segm && boundary != nil
            lines.append("")
            lines.append("worst images (\(type.rawValue), F1 of matches at IoU ≥ 0.5): image  ground truths  predictions  matches  mean matched IoU"
                + (withF ? "  mean boundary F" : ""))
            for image in Self.worst(result.perImage) {
                lines.append("  \(image.imageID): F1 \(fixed(image.f1, 3))  \(image.groundTruths)  \(image.detections)  \(image.matches)  \(optional(image.meanMatchedIoU))"
                    + (withF ? "  \(optional(boundary?.perImage[image.imageID]?.meanF))" : ""))
            }
        }
        if !evaluations.contains(where: { $0.type == .segm }) {
            lines.append("")
            lines.append("iouType segm: not compared (an object on one side has no RLE segmentation); so neither boundary F, panoptic quality nor the semantic agreement")
        }
        if let boundary {
            lines.append("")
            lines.append("boundary F (DAVIS F-measure of each segm match at IoU ≥ 0.5; tolerance ⌈0.008 · image diagonal⌉ = "
                + boundary.tolerances.map { "\($0)" }.joined(separator: ", ") + " px): mean \(optional(boundary.meanF)) over \(boundary.pairs) matches")
        }
        if let panoptic {
            lines.append("")
            lines.append(panoptic.includesStuff
                ? "panoptic quality (things from the instance masks, stuff from the semantic masks):"
                : "panoptic quality (things only: one side is not a Tessera dataset, so no stuff):")
            func summary(_ label: String, _ s: (pq: Double?, sq: Double?, rq: Double?, classes: Int)) -> String {
                "  \(label): PQ \(optional(s.pq))  SQ \(optional(s.sq))  RQ \(optional(s.rq))  (\(s.classes) classes)"
            }
            lines.append(summary("all", panoptic.summary()))
            lines.append(summary("things", panoptic.summary { $0.isThing }))
            if panoptic.includesStuff { lines.append(summary("stuff", panoptic.summary { !$0.isThing })) }
            lines.append("  per class: PQ  SQ  RQ  TP  FP  FN")
            for c in panoptic.perClass {
                lines.append("  \(c.name) (\(c.categoryID), \(c.isThing ? "thing" : "stuff")): \(optional(c.pq))  \(optional(c.sq))  \(optional(c.rq))  \(c.truePositives)  \(c.falsePositives)  \(c.falseNegatives)")
            }
        }
        if let semantic {
            lines.append("")
            lines.append("semantic agreement (\(semantic.isFromSemanticMasks ? "the semantic masks" : "rasters derived from the instance annotations, things only")): "
                + "pixel accuracy \(optional(semantic.accuracy, 4)), Cohen's kappa \(optional(semantic.kappa, 4)) over \(semantic.pixels) pixels (\(semantic.ignoredPixels) ignored)")
        }
        if let breakdown {
            lines.append("")
            let what = breakdown.kind == .image ? "a recorded value; images binned" : "an instance fact; ground truths binned"
            lines.append("by \(breakdown.name) (\(what)\(breakdown.classes.map { "; classes \($0.joined(separator: ", "))" } ?? ""); \(breakdown.unbinned) \(breakdown.kind == .image ? "images" : "ground truths") in no bin):")
            lines.append("  bin  images  ground truths" + evaluations.map { "  \($0.type.rawValue): AP  AP50  AP75  matches@0.5  mean matched IoU" }.joined())
            for bin in breakdown.bins {
                lines.append("  \(bin.bin.text)  \(bin.images)  \(bin.groundTruths)" + bin.evaluations.map { type, r in
                    "  \(type.rawValue): \(fixed(r.stats[0], 3))  \(fixed(r.stats[1], 3))  \(fixed(r.stats[2], 3))  \(r.matchCount)  \(optional(r.meanMatchedIoU))"
                }.joined())
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The comparison as JSON, keys in the order docs/FORMATS.md lists them.
    public var json: JSONValue {
        let names = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        func number(_ v: Double?) -> JSONValue { v.map(JSONValue.double) ?? .null }
        var members = [
            JSONMember("images", .int(images)), JSONMember("ground_truth_instances", .int(groundTruths)),
            JSONMember("predictions", .int(predictions)),
        ]
        for (type, result) in evaluations {
            let withF = type == .segm ? boundary : nil
            var fields = [
                JSONMember("stats", .object(zip(COCOEvaluation.statNames, result.stats).map { JSONMember($0, .double($1)) })),
                JSONMember("matches", .int(result.matchCount)), JSONMember("mean_matched_iou", number(result.meanMatchedIoU)),
            ]
            if let withF {
                fields.append(JSONMember("boundary_f", .object([
                    JSONMember("tolerance_px", .array(withF.tolerances.map(JSONValue.int))),
                    JSONMember("mean", number(withF.meanF)),
                ])))
            }
            fields.append(JSONMember("per_class", .array(result.perClass.map { c in
                var members = [
                    JSONMember("id", .int(c.categoryID)), JSONMember("name", .string(names[c.categoryID] ?? "")),
                    JSONMember("AP", .double(c.averagePrecision)), JSONMember("matches", .int(c.matches)),
                    JSONMember("mean_matched_iou", number(c.meanMatchedIoU)),
                ]
                if let withF { members.append(JSONMember("mean_boundary_f", number(withF.perClass[c.categoryID]?.meanF))) }
                return .object(members)
            })))
            fields.append(JSONMember("worst_images", .array(Self.worst(result.perImage).map { image in
                var members = [
                    JSONMember("image_id", .int(image.imageID)), JSONMember("f1", .double(image.f1)),
                    JSONMember("ground_truths", .int(image.groundTruths)), JSONMember("predictions", .int(image.detections)),
                    JSONMember("matches", .int(image.matches)),
                    JSONMember("mean_matched_iou", number(image.meanMatchedIoU)),
                ]
                if let withF { members.append(JSONMember("mean_boundary_f", number(withF.perImage[image.imageID]?.meanF))) }
                return .object(members)
            })))
            members.append(JSONMember(type.rawValue, .object(fields)))
        }
        if let panoptic {
            func summary(_ s: (pq: Double?, sq: Double?, rq: Double?, classes: Int)) -> JSONValue {
                .object([JSONMember("PQ", number(s.pq)), JSONMember("SQ", number(s.sq)), JSONMember("RQ", number(s.rq)),
                         JSONMember("classes", .int(s.classes))])
            }
            members.append(JSONMember("panoptic", .object([
                JSONMember("things_only", .bool(!panoptic.includesStuff)),
                JSONMember("all", summary(panoptic.summary())),
                JSONMember("things", summary(panoptic.summary { $0.isThing })),
                JSONMember("stuff", panoptic.includesStuff ? summary(panoptic.summary { !$0.isThing }) : .null),
                JSONMember("per_class", .array(panoptic.perClass.map { c in
                    .object([
                        JSONMember("id", .int(c.categoryID)), JSONMember("name", .string(c.name)), JSONMember("isthing", .int(c.isThing ? 1 : 0)),
                        JSONMember("PQ", number(c.pq)), JSONMember("SQ", number(c.sq)), JSONMember("RQ", number(c.rq)),
                        JSONMember("TP", .int(c.truePositives)), JSONMember("FP", .int(c.falsePositives)), JSONMember("FN", .int(c.falseNegatives)),
                    ])
                })),
            ])))
        }
        if let semantic {
            members.append(JSONMember("semantic", .object([
                JSONMember("source", .string(semantic.isFromSemanticMasks ? "semantic_masks" : "instances")),
                JSONMember("pixels", .int(semantic.pixels)), JSONMember("ignored_pixels", .int(semantic.ignoredPixels)),
                JSONMember("pixel_accuracy", number(semantic.accuracy)), JSONMember("kappa", number(semantic.kappa)),
            ])))
        }
        if let breakdown {
            members.append(JSONMember("by", .object([
                JSONMember("name", .string(breakdown.name)), JSONMember("kind", .string(breakdown.kind.rawValue)),
                JSONMember("classes", breakdown.classes.map { .array($0.map { .string($0) }) } ?? .null),
                JSONMember("unbinned", .int(breakdown.unbinned)),
                JSONMember("bins", .array(breakdown.bins.map { bin in
                    var fields: [JSONMember] = bin.bin.label.map { [JSONMember("value", .string($0))] }
                        ?? [JSONMember("from", number(bin.bin.from)), JSONMember("to", number(bin.bin.to)),
                            JSONMember("closed", .bool(bin.bin.isLast))]
                    fields += [JSONMember("images", .int(bin.images)), JSONMember("ground_truths", .int(bin.groundTruths))]
                    for (type, r) in bin.evaluations {
                        fields.append(JSONMember(type.rawValue, .object([
                            JSONMember("AP", .double(r.stats[0])), JSONMember("AP50", .double(r.stats[1])), JSONMember("AP75", .double(r.stats[2])),
                            JSONMember("matches", .int(r.matchCount)), JSONMember("mean_matched_iou", number(r.meanMatchedIoU)),
                        ])))
                    }
                    return .object(fields)
                })),
            ])))
        }
        return .object(members)
    }
}

/// `value` with `digits` decimals, as Python's `'{:0.3f}'`.
private func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

/// `fixed`, or `-` for `nil`.
private func optional(_ value: Double?, _ digits: Int = 3) -> String { value.map { fixed($0, digits) } ?? "-" }
