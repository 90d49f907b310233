import Dataset
import DatasetReading
import Foundation
import Rendering

/// One image of one label set as non-overlapping segments, the form panoptic quality and
/// the semantic comparison need.
///
/// - Things: the image's objects with masks, pasted in decreasing score, equal scores in file
///   order; a pixel goes to the first object covering it, so overlapping masks (a results
///   file, a COCO file drawn by hand) become disjoint segments. A Tessera dataset's visible
///   masks never overlap, so for it this changes nothing.
/// - For a Tessera dataset side, its semantic mask (`masks/semantic`): pixels holding the
///   ignore value are void; with `includesStuff`, each stuff class present is one segment
///   (COCO panoptic's convention: one segment per stuff class and image), else stuff pixels
///   are left unlabeled (0).
/// - Crowd objects (`iscrowd` 1, in a COCO instances file) are segments marked as crowds.
struct SegmentRaster {
    /// Column-major (`x * height + y`, as RLE): 0 unlabeled, -1 void, k ≥ 1 segment k − 1.
    var labels: [Int32]
    var segments: [Segment]

    struct Segment: Equatable {
        var categoryID: Int
        var isCrowd: Bool
    }

    /// The semantic label of a pixel holding `label`: the segment's category, 0 where
    /// unlabeled, `nil` (ignored) where void or a crowd.
    func semantic(_ label: Int32) -> Int? {
        if label == 0 { return 0 }
        if label < 0 { return nil }
        let segment = segments[Int(label) - 1]
        return segment.isCrowd ? nil : segment.categoryID
    }

    init(labels: [Int32], segments: [Segment]) {
        self.labels = labels
        self.segments = segments
    }

    /// - Parameters:
    ///   - objects: indices into `side.objects`, the image's, in file order.
    /// - Throws: `DatasetError.invalidDataset` when a dataset's semantic mask is missing, not a
    ///   PNG, or not `width × height` grey.
    init(_ side: LabelSet, objects: [Int], imageID: Int, height: Int, width: Int, includesStuff: Bool) throws {
        labels = [Int32](repeating: 0, count: height * width)
        segments = []
        let order = objects.sorted { a, b in
            side.objects[a].score > side.objects[b].score || (side.objects[a].score == side.objects[b].score && a < b)
        }
        for n in order {
            let object = side.objects[n]
            guard let mask = object.mask, mask.height == height, mask.width == width else { continue }
            segments.append(Segment(categoryID: object.categoryID, isCrowd: object.isCrowd))
            let label = Int32(segments.count)
            labels.withUnsafeMutableBufferPointer { labels in
                var r = 0
                while r < mask.runs.count {
                    for p in Int(mask.runs[r])..<Int(mask.runs[r + 1]) where labels[p] == 0 { labels[p] = label }
                    r += 2
                }
            }
        }
        guard let folder = side.dataset, let fileName = folder.fileNames[imageID] else { return }
        let path = DatasetFiles.semanticMask(forImage: fileName)
        let url = folder.root.appendingPathComponent(path)
        let semantic: PNG.Image
        do { semantic = try PNG.read(url) } catch { throw DatasetError.invalidDataset("\(error)") }
        guard semantic.width == width, semantic.height == height, semantic.channels == 1 else {
            throw DatasetError.invalidDataset("\(url.path): \(semantic.width)×\(semantic.height)×\(semantic.channels), expected \(width)×\(height) grey")
        }
        // Per semantic value, the label its free pixels take: 0 (left unlabeled), -1 (void),
        // or a stuff class's segment, numbered in order of first appearance.
        let ignore = folder.ignoreValue(bitDepth: semantic.bitDepth)
        let isStuff = Set(folder.stuff.map(\.id))
        var labelOfValue = [Int32](repeating: 0, count: 1 << max(8, semantic.bitDepth))
        var isPending = [Bool](repeating: false, count: labelOfValue.count)
        if ignore < labelOfValue.count { labelOfValue[ignore] = -1 }
        if includesStuff { for id in isStuff where id < isPending.count && id != ignore { isPending[id] = true } }
        semantic.samples.withUnsafeBufferPointer { samples in
            labels.withUnsafeMutableBufferPointer { labels in
                for x in 0..<width {
                    for y in 0..<height where labels[x * height + y] == 0 {
                        let value = Int(samples[y * width + x])
                        if isPending[value] {
                            isPending[value] = false
                            segments.append(Segment(categoryID: value, isCrowd: false))
                            labelOfValue[value] = Int32(segments.count)
                        }
                        labels[x * height + y] = labelOfValue[value]
                    }
                }
            }
        }
    }
}

/// Overlap counts of two segment rasters of one image: per pair of labels (both sides'
/// 0 and -1 included), the pixels holding that pair.
struct SegmentOverlap {
    /// `(ground-truth label, predicted label) → pixels`.
    var pairs: [Int64: Int] = [:]

    static func key(_ g: Int32, _ p: Int32) -> Int64 { Int64(g) << 32 | Int64(UInt32(bitPattern: p)) }
    static func split(_ key: Int64) -> (Int32, Int32) { (Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key)) }

    /// - Complexity: one pass over the pixels; one dictionary update per run of equal pairs.
    init(_ gt: SegmentRaster, _ pred: SegmentRaster) {
        let n = gt.labels.count
        gt.labels.withUnsafeBufferPointer { g in
            pred.labels.withUnsafeBufferPointer { p in
                var start = 0
                while start < n {
                    let a = g[start], b = p[start]
                    var end = start + 1
                    while end < n && g[end] == a && p[end] == b { end += 1 }
                    pairs[Self.key(a, b), default: 0] += end - start
                    start = end
                }
            }
        }
    }
}

/// Panoptic quality (Kirillov et al., "Panoptic Segmentation", CVPR 2019), computed as the
/// COCO panoptic API's `pq_compute` does, per image and category:
///
/// - a predicted and a ground-truth segment of the same category match when their IoU > 0.5
///   (unique, as segments do not overlap), IoU = intersection / (union − the prediction's
///   pixels on void), void being the ground truth's void pixels;
/// - crowd ground truths are never matched nor missed; an unmatched ground truth is a false
///   negative (FN);
/// - an unmatched prediction is a false positive (FP) unless more than half of its pixels lie
///   on void or on crowds of its category.
///
/// Per category with TP + FP + FN > 0: PQ = Σ IoU(TP) / (TP + ½FP + ½FN), SQ = Σ IoU / TP (0
/// without TP), RQ = TP / (TP + ½FP + ½FN); overall, things and stuff: their means over those
/// categories.
struct PanopticAccumulator {
    struct Counts: Equatable {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var iouSum = 0.0
    }
    /// By category id.
    var counts: [Int: Counts] = [:]

    mutating func add(_ gt: SegmentRaster, _ pred: SegmentRaster, _ overlap: SegmentOverlap) {
        var gtArea = [Int](repeating: 0, count: gt.segments.count + 1)
        var predArea = [Int](repeating: 0, count: pred.segments.count + 1)
        var predOnVoid = [Int](repeating: 0, count: pred.segments.count + 1)
        // Per predicted segment, its pixels on crowds of its own category.
        var predOnCrowd = [Int](repeating: 0, count: pred.segments.count + 1)
        for (key, pixels) in overlap.pairs {
            let (g, p) = SegmentOverlap.split(key)
            if g > 0 { gtArea[Int(g)] += pixels }
            if p > 0 {
                predArea[Int(p)] += pixels
                if g < 0 { predOnVoid[Int(p)] += pixels }
                if g > 0, gt.segments[Int(g) - 1].isCrowd, gt.segments[Int(g) - 1].categoryID == pred.segments[Int(p) - 1].categoryID {
                    predOnCrowd[Int(p)] += pixels
                }
            }
        }
        var gtMatched = [Bool](repeating: false, count: gt.segments.count + 1)
        var predMatched = [Bool](repeating: false, count: pred.segments.count + 1)
        for (key, intersection) in overlap.pairs.sorted(by: { $0.key < $1.key }) {
            let (g, p) = SegmentOverlap.split(key)
            guard g > 0, p > 0 else { continue }
            let gs = gt.segments[Int(g) - 1], ps = pred.segments[Int(p) - 1]
            guard !gs.isCrowd, gs.categoryID == ps.categoryID else { continue }
            let union = predArea[Int(p)] + gtArea[Int(g)] - intersection - predOnVoid[Int(p)]
            let iou = Double(intersection) / Double(union)
            if iou > 0.5 {
                counts[gs.categoryID, default: Counts()].truePositives += 1
                counts[gs.categoryID, default: Counts()].iouSum += iou
                gtMatched[Int(g)] = true
                predMatched[Int(p)] = true
            }
        }
        for (n, segment) in gt.segments.enumerated() where !segment.isCrowd && gtArea[n + 1] > 0 && !gtMatched[n + 1] {
            counts[segment.categoryID, default: Counts()].falseNegatives += 1
        }
        for (n, segment) in pred.segments.enumerated() where predArea[n + 1] > 0 && !predMatched[n + 1] {
            if Double(predOnVoid[n + 1] + predOnCrowd[n + 1]) / Double(predArea[n + 1]) > 0.5 { continue }
            counts[segment.categoryID, default: Counts()].falsePositives += 1
        }
    }
}

/// Pixel agreement of two semantic rasters: pixel accuracy and Cohen's kappa, over the pixels
/// that neither side ignores.
struct SemanticAccumulator {
    var pixels = 0, agreeing = 0, ignored = 0
    var groundTruthCounts: [Int: Int] = [:], predictedCounts: [Int: Int] = [:]

    mutating func add(_ gt: SegmentRaster, _ pred: SegmentRaster, _ overlap: SegmentOverlap) {
        for (key, count) in overlap.pairs {
            let (g, p) = SegmentOverlap.split(key)
            guard let a = gt.semantic(g), let b = pred.semantic(p) else { ignored += count; continue }
            pixels += count
            if a == b { agreeing += count }
            groundTruthCounts[a, default: 0] += count
            predictedCounts[b, default: 0] += count
        }
    }

    /// Agreeing pixels over compared pixels; `nil` when none is compared.
    var accuracy: Double? { pixels == 0 ? nil : Double(agreeing) / Double(pixels) }

    /// κ = (p_o − p_e) / (1 − p_e), p_o the accuracy, p_e = Σ_k (n_k^gt / N)(n_k^pred / N) the
    /// agreement expected by chance from each side's label frequencies (Cohen 1960). When
    /// p_e = 1 (both sides one and the same label everywhere) κ is 1; `nil` without pixels.
    var kappa: Double? {
        guard pixels > 0 else { return nil }
        let n = Double(pixels)
        var expected = 0.0
        for (label, count) in groundTruthCounts.sorted(by: { $0.key < $1.key }) {
            expected += (Double(count) / n) * (Double(predictedCounts[label] ?? 0) / n)
        }
        let observed = Double(agreeing) / n
        if expected >= 1 { return observed == 1 ? 1 : 0 }
        return (observed - expected) / (1 - expected)
    }
}
