import Annotation
@testable import DatasetTools
import Foundation
import Testing

/// Panoptic quality and the semantic agreement on cases small enough to count by hand.
@Suite struct PanopticEvaluationTests {
    /// `{"size": [h, w], "counts": "…"}` of the pixels `isSet(x, y)`.
    private func rle(_ width: Int, _ height: Int, _ isSet: (Int, Int) -> Bool) -> String {
        var bits = [Bool](repeating: false, count: width * height)
        for y in 0..<height { for x in 0..<width { bits[y * width + x] = isSet(x, y) } }
        let encoded = RLE(mask: bits, width: width, height: height)
        return "{\"size\": [\(height), \(width)], \"counts\": \"\(encoded.compressedCounts.replacingOccurrences(of: "\\", with: "\\\\"))\"}"
    }

    private func box(_ x: ClosedRange<Int>, _ y: ClosedRange<Int>) -> String { rle(10, 10) { x.contains($0) && y.contains($1) } }

    private func write(_ json: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url.path
    }

    /// One 10 × 10 image. Ground truth: A (class 1, x 0…3, y 0…3, 16 px), B (class 1, x 6…9,
    /// y 0…1, 8 px), C (class 2, x 0…4, y 6…9, 20 px), a crowd D (class 2, x 6…9, y 6…9).
    /// Predictions: a (class 1, x 0…3, y 0…2: IoU 12/16 with A, a TP), b (class 1, x 6…9,
    /// y 3…4: touches nothing, a FP; B is a FN), c (class 1 over C: a FP; C a FN), d (class
    /// 2, x 6…9, y 6…8: wholly on the crowd, ignored).
    /// Class 1: TP 1, FP 2, FN 1: PQ = 0.75 / 2.5 = 0.3, SQ 0.75, RQ 0.4. Class 2: FN 1: 0, 0, 0.
    /// Semantic, D ignored (16 px), 84 compared: agreeing 12 (A under a) + 32 (both 0);
    /// ground truth 0: 40, 1: 24, 2: 20; predictions 0: 44, 1: 40;
    /// p_e = (40·44 + 24·40) / 84², κ = (44·84 − 2720) / (84² − 2720) = 976 / 4336.
    @Test func handComputedPanopticQualityAndKappa() throws {
        let folder = try temporaryFolder()
        let gt = try write("""
            {"images": [{"id": 1, "file_name": "a.png", "width": 10, "height": 10}],
             "annotations": [
              {"id": 1, "image_id": 1, "category_id": 1, "segmentation": \(box(0...3, 0...3)), "area": 16, "bbox": [0, 0, 4, 4], "iscrowd": 0},
              {"id": 2, "image_id": 1, "category_id": 1, "segmentation": \(box(6...9, 0...1)), "area": 8, "bbox": [6, 0, 4, 2], "iscrowd": 0},
              {"id": 3, "image_id": 1, "category_id": 2, "segmentation": \(box(0...4, 6...9)), "area": 20, "bbox": [0, 6, 5, 4], "iscrowd": 0},
              {"id": 4, "image_id": 1, "category_id": 2, "segmentation": \(box(6...9, 6...9)), "area": 16, "bbox": [6, 6, 4, 4], "iscrowd": 1}],
             "categories": [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}]}
            """, "gt.json", in: folder)
        let results = try write("""
            [{"image_id": 1, "category_id": 1, "segmentation": \(box(0...3, 0...2)), "score": 0.9},
             {"image_id": 1, "category_id": 1, "segmentation": \(box(6...9, 3...4)), "score": 0.8},
             {"image_id": 1, "category_id": 1, "segmentation": \(box(0...4, 6...9)), "score": 0.7},
             {"image_id": 1, "category_id": 2, "segmentation": \(box(6...9, 6...8)), "score": 0.6}]
            """, "results.json", in: folder)
        let comparison = try LabelComparison(groundTruth: try LabelSet(contentsOf: gt), predictions: try LabelSet(contentsOf: results))
        let panoptic = try #require(comparison.panoptic)
        #expect(!panoptic.includesStuff)
        #expect(panoptic.perClass == [
            .init(categoryID: 1, name: "one", isThing: true, truePositives: 1, falsePositives: 2, falseNegatives: 1, iouSum: 0.75),
            .init(categoryID: 2, name: "two", isThing: true, truePositives: 0, falsePositives: 0, falseNegatives: 1, iouSum: 0),
        ])
        let one = panoptic.perClass[0]
        #expect(one.pq == 0.3 && one.sq == 0.75 && one.rq == 0.4)
        let all = panoptic.summary()
        #expect(all.pq == 0.15 && all.sq == 0.375 && all.rq == 0.2 && all.classes == 2)
        let semantic = try #require(comparison.semantic)
        #expect(!semantic.isFromSemanticMasks)
        #expect(semantic.pixels == 84 && semantic.ignoredPixels == 16)
        #expect(semantic.accuracy == 44.0 / 84.0)
        #expect(abs(semantic.kappa! - 976.0 / 4336.0) < 1e-15)
        // Boundary F of the one segm match (a with A) at 10 × 10: tolerance ⌈0.008 · √200⌉ = 1.
        let boundary = try #require(comparison.boundary)
        #expect(boundary.tolerances == [1] && boundary.pairs == 1)
        // Both touch the frame's top and left, which is no boundary: A's boundary is its column
        // x = 3 and row y = 3 (7 px), a's its column x = 3 and row y = 2 (6 px); each pixel of
        // one is at most 1 px from one of the other: F = 1.
        #expect(boundary.meanF == 1)
        let score = BoundaryScore(
            predicted: try #require(LabelSet(contentsOf: results).objects[0].mask),
            groundTruth: try #require(LabelSet(contentsOf: gt).objects[0].mask), tolerance: 0)
        #expect(score == .init(predictedBoundary: 6, groundTruthBoundary: 7, predictedMatched: 3, groundTruthMatched: 3))
    }

    /// Void and stuff, on rasters built by hand (one column of 20 pixels):
    /// ground truth: thing 1 (class 1) pixels 0…3, void 4…7, stuff (class 3) 10…19;
    /// predictions: thing (class 1) 0…5 (2 px on void: union 6 + 4 − 4 − 2 = 4, IoU 1, a TP),
    /// thing (class 1) 6…7 wholly on void (ignored), stuff 3 on 8…16 (7 px shared of 10 + 9 − 7
    /// = 12: IoU 7/12 > 0.5, a TP).
    @Test func voidAndStuff() {
        let gt = SegmentRaster(
            labels: [1, 1, 1, 1, -1, -1, -1, -1, 0, 0] + [Int32](repeating: 2, count: 10),
            segments: [.init(categoryID: 1, isCrowd: false), .init(categoryID: 3, isCrowd: false)])
        let pred = SegmentRaster(
            labels: [1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0],
            segments: [.init(categoryID: 1, isCrowd: false), .init(categoryID: 1, isCrowd: false), .init(categoryID: 3, isCrowd: false)])
        var quality = PanopticAccumulator()
        quality.add(gt, pred, SegmentOverlap(gt, pred))
        #expect(quality.counts[1] == .init(truePositives: 1, falsePositives: 0, falseNegatives: 0, iouSum: 1))
        #expect(quality.counts[3] == .init(truePositives: 1, falsePositives: 0, falseNegatives: 0, iouSum: 7.0 / 12.0))
        var semantic = SemanticAccumulator()
        semantic.add(gt, pred, SegmentOverlap(gt, pred))
        // Void pixels 4…7 ignored; of 16 compared, 0…3 agree (1), 8…9 differ (0 vs 3),
        // 10…16 agree (3), 17…19 differ (3 vs 0).
        #expect(semantic.pixels == 16 && semantic.ignored == 4 && semantic.agreeing == 11)
    }
}
