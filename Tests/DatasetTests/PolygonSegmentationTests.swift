import Annotation
import Dataset
import Foundation
import Testing

/// `--segmentation polygon`: the exact outlines of the visible masks, from real scripts.
@Suite struct PolygonSegmentationTests {
    @Test func pixelAlignedSquareIsOnePixelEdgeSquare() throws {
        let (_, anns) = try annotate("canvas 32 x 32\nclasses a\nobject a at (12.5, 12.5) { rectangle(5, 5) }",
                                     segmentation: .polygon)
        #expect(anns[0]["segmentation"] as? [[Int]] == [[10, 10, 15, 10, 15, 15, 10, 15]])
        #expect(anns[0]["bbox"] as! [Int] == [10, 10, 5, 5] && anns[0]["area"] as! Int == 25)
        // The amodal mask stays RLE.
        #expect((anns[0]["amodal_segmentation"] as! [String: Any])["size"] as! [Int] == [32, 32])
    }

    @Test func barCutByAnOccluderHasTwoPolygons() throws {
        let script = """
        canvas 64 x 32
        classes bar, post
        object bar at (30, 12) { rectangle(30, 4) }
        object post at (30, 12) { rectangle(2, 20) }
        """
        let (_, anns) = try annotate(script, segmentation: .polygon)
        #expect(anns.map { $0["segmentation"] as? [[Int]] } == [
            [[15, 10, 29, 10, 29, 14, 15, 14], [31, 10, 45, 10, 45, 14, 31, 14]],
            [[29, 2, 31, 2, 31, 22, 29, 22]],
        ])
        #expect(anns[0]["area"] as! Int == 112)
    }

    @Test func ringWithAHoleStaysRLE() throws {
        let script = """
        canvas 32 x 32
        classes ring
        object ring at (16, 16) { polygon([(-8, -8), (8, -8), (8, 8), (-8, 8), (-8, -8), (-4, -4), (4, -4), (4, 4), (-4, 4), (-4, -4)], fill_rule: "evenodd") }
        """
        let (_, anns) = try annotate(script, segmentation: .polygon)
        let rle = try #require(anns[0]["segmentation"] as? [String: Any])
        let mask = try RLE(height: 32, width: 32, compressedCounts: rle["counts"] as! String).decodeMask()
        #expect(mask.count { $0 } == anns[0]["area"] as! Int && !mask[16 * 32 + 16])
    }

    @Test func squareCutByTheCanvasEdgeEndsAtTheEdge() throws {
        let (_, anns) = try annotate("canvas 32 x 32\nclasses a\nobject a at (0, 16) { rectangle(10, 10) }",
                                     segmentation: .polygon)
        #expect(anns[0]["segmentation"] as? [[Int]] == [[0, 11, 5, 11, 5, 21, 0, 21]])
    }

    @Test func theOptionIsRecordedAndValidatedByTheCLI() throws {
        let out = try temporaryFolder()
        let result = try runTessera(["render", "--count", "1", "--segmentation", "polygon", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as! [String: Any]
        #expect((manifest["options"] as! [String: Any])["segmentation"] as? String == "polygon")
        let coco = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        #expect((coco["annotations"] as! [[String: Any]]).contains { $0["segmentation"] is [[Int]] })

        let bad = try runTessera(["render", "--segmentation", "polygons"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--segmentation"))
    }
}
