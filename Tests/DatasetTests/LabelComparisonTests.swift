import Annotation
@testable import DatasetTools
import Foundation
import Testing

/// `tessera compare`: perfect agreement of two renders, a hand-computed AP, mask overlap on
/// run lengths against the decoded masks, and bad input (the Python interop test checks
/// every stat against pycocotools).
@Suite struct LabelComparisonTests {
    private func render(_ out: URL) throws {
        let result = try runTessera(["render", "scenes/occlusion_pairs.scene", "--count", "8", "--seed", "4", "--out", out.path, "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
    }

    @Test func twoRendersOfTheSameDatasetAgreePerfectly() throws {
        let folder = try temporaryFolder()
        let a = folder.appendingPathComponent("a"), b = folder.appendingPathComponent("b")
        try render(a)
        try render(b)
        let comparison = try LabelComparison(
            groundTruth: try LabelSet(contentsOf: a.path), predictions: try LabelSet(contentsOf: b.path))
        #expect(comparison.evaluations.map(\.type) == [.bbox, .segm])
        for (_, result) in comparison.evaluations {
            let stats = Dictionary(uniqueKeysWithValues: zip(COCOEvaluation.statNames, result.stats))
            #expect(stats["AP"] == 1 && stats["AP50"] == 1 && stats["AP75"] == 1 && stats["AR100"] == 1)
            for c in result.perClass {
                #expect(c.averagePrecision == 1 && c.meanMatchedIoU == 1 && c.matches > 0)
            }
        }
        let boundary = try #require(comparison.boundary)
        #expect(boundary.meanF == 1 && boundary.pairs == comparison.evaluations[1].result.matchCount)
    }

    /// Two renders of street (things and stuff): PQ = SQ = RQ = 1 over things and stuff, the
    /// semantic masks agree everywhere (κ = 1), every boundary F is 1, and a breakdown by
    /// visible fraction has AP 1 in every bin that holds ground truths.
    @Test func twoRendersOfStreetAgreeOnEveryMetric() throws {
        let folder = try temporaryFolder()
        let a = folder.appendingPathComponent("a"), b = folder.appendingPathComponent("b")
        for out in [a, b] {
            let result = try runTessera(["render", "scenes/street.scene", "--count", "2", "--seed", "9", "--out", out.path, "--quiet"])
            try #require(result.status == 0, "\(result.stderr)")
        }
        let comparison = try LabelComparison(
            groundTruth: try LabelSet(contentsOf: a.path), predictions: try LabelSet(contentsOf: b.path),
            options: .init(by: "visible_fraction", bins: .edges([0, 0.5, 1])))
        let panoptic = try #require(comparison.panoptic)
        #expect(panoptic.includesStuff)
        #expect(panoptic.perClass.contains { !$0.isThing && $0.truePositives > 0 })
        for summary in [panoptic.summary(), panoptic.summary { $0.isThing }, panoptic.summary { !$0.isThing }] {
            #expect(summary.pq == 1 && summary.sq == 1 && summary.rq == 1 && summary.classes > 0)
        }
        let semantic = try #require(comparison.semantic)
        #expect(semantic.isFromSemanticMasks && semantic.kappa == 1 && semantic.accuracy == 1 && semantic.pixels > 0)
        #expect(comparison.boundary?.meanF == 1)
        let breakdown = try #require(comparison.breakdown)
        #expect(breakdown.kind == .instance && breakdown.bins.count == 2 && breakdown.unbinned == 0)
        for bin in breakdown.bins where bin.groundTruths > 0 {
            for (_, result) in bin.evaluations { #expect(result.stats[0] == 1 && result.meanMatchedIoU == 1) }
        }
        #expect(breakdown.bins.reduce(0) { $0 + $1.groundTruths } == comparison.groundTruths)
    }

    @Test func anUnknownBreakdownNameListsTheNames() throws {
        let folder = try temporaryFolder()
        let gt = try write(groundTruth, "gt.json", in: folder)
        let result = try runTessera(["compare", gt, gt, "--by", "hour"])
        #expect(result.status == 64)
        #expect(result.stderr == """
            error: unknown --by 'hour'; the names available are:
              instance facts: area, bbox_width, bbox_height
              recorded values (records.jsonl of the ground truth): none

            """, "\(result.stderr)")
        let bins = try runTessera(["compare", gt, gt, "--by", "area", "--bins", "3,1"])
        #expect(bins.status == 64 && bins.stderr.contains("the edges must increase"), "\(bins.stderr)")
    }

    private func write(_ json: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url.path
    }

    private let groundTruth = """
        {"images": [{"id": 1, "file_name": "a.png", "width": 20, "height": 20}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}],
         "categories": [{"id": 1, "name": "box"}]}
        """

    /// One ground truth, one detection of IoU 0.72 (matched at 0.50 … 0.70, five of ten
    /// thresholds) scored above a false positive. The expected stats are pycocotools' to the
    /// bit: precision is tp / (tp + fp + ε), so a perfect point is just under 1.
    @Test func handComputedAveragePrecision() throws {
        let folder = try temporaryFolder()
        let gt = try write(groundTruth, "gt.json", in: folder)
        let results = try write("""
            [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 7.2], "score": 0.9},
             {"image_id": 1, "category_id": 1, "bbox": [12, 12, 5, 5], "score": 0.8}]
            """, "results.json", in: folder)
        let comparison = try LabelComparison(groundTruth: try LabelSet(contentsOf: gt), predictions: try LabelSet(contentsOf: results))
        let bbox = try #require(comparison.evaluations.first { $0.type == .bbox }?.result)
        #expect(comparison.evaluations.count == 1, "no masks, no segm")
        #expect(bbox.stats == [0.49999999999999994, 0.9999999999999999, 0, 0.49999999999999994, -1, -1, 0.5, 0.5, 0.5, 0.5, -1, -1])
        #expect(bbox.perClass.first?.meanMatchedIoU == 72.0 / 100.0)
        #expect(bbox.perImage == [.init(imageID: 1, groundTruths: 1, detections: 2, matches: 1, meanMatchedIoU: 0.72)])
        #expect(bbox.perImage.first?.f1 == 2.0 / 3.0)
    }

    @Test func maskOverlapOnRunLengthsEqualsTheDecodedMasks() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let (w, h) = (Int.random(in: 1...12, using: &generator), Int.random(in: 1...12, using: &generator))
            let a = (0..<(w * h)).map { _ in Bool.random(using: &generator) }
            let b = (0..<(w * h)).map { _ in Int.random(in: 0..<3, using: &generator) == 0 }
            let ma = RunLengthMask(RLE(mask: a, width: w, height: h)), mb = RunLengthMask(RLE(mask: b, width: w, height: h))
            let shared = zip(a, b).count(where: { $0 && $1 }), union = zip(a, b).count(where: { $0 || $1 })
            #expect(ma.intersection(with: mb) == shared)
            #expect(ma.area == a.count(where: { $0 }))
            #expect(ma.iou(withGroundTruth: mb, isCrowd: false) == (shared == 0 ? 0 : Double(shared) / Double(union)))
            #expect(ma.iou(withGroundTruth: mb, isCrowd: true) == (shared == 0 ? 0 : Double(shared) / Double(ma.area)))
        }
    }

    @Test func mismatchedLabelSetsAreListed() throws {
        let folder = try temporaryFolder()
        let gt = try write(groundTruth, "gt.json", in: folder)
        let unknown = try write("""
            [{"image_id": 7, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1},
             {"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": 1}]
            """, "unknown.json", in: folder)
        let result = try runTessera(["compare", gt, unknown])
        #expect(result.status == 65)
        #expect(result.stderr == """
            error: the label sets do not match:
              predictions name unknown image ids: 7
              predictions name unknown category ids: 3

            """)
        let otherImages = try write(groundTruth.replacingOccurrences(of: "\"id\": 1, \"file_name\"", with: "\"id\": 2, \"file_name\""), "other.json", in: folder)
        let images = try runTessera(["compare", gt, otherImages])
        #expect(images.status == 65)
        #expect(images.stderr.contains("images only in the ground truth: 1\n  images only in the predictions: 2\n"), "\(images.stderr)")

        #expect(try runTessera(["compare", gt, folder.appendingPathComponent("none.json").path]).status == 66)
        let broken = try write("{\"images\": [", "broken.json", in: folder)
        let malformed = try runTessera(["compare", gt, broken])
        #expect(malformed.status == 65 && malformed.stderr.contains("broken.json: not a COCO instances or results file"), "\(malformed.stderr)")
    }
}
