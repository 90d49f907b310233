import Dataset
import DatasetExport
import Foundation
import Rendering
import Testing

/// `tessera export --format coco-panoptic` (COCOPanopticWriter) on rendered datasets: a scene
/// labeled by hand, 3000 segments in one image, and the errors.
@Suite struct COCOPanopticWriterTests {
    /// The segment ids of a panoptic PNG, row-major: R + 256 G + 256² B.
    private func segmentIDs(_ url: URL) throws -> [Int] {
        let png = try decodePNG(url)
        #expect(png.channels == 3 && png.bitDepth == 8)
        return stride(from: 0, to: png.samples.count, by: 3).map {
            Int(png.samples[$0]) + 256 * Int(png.samples[$0 + 1]) + 65536 * Int(png.samples[$0 + 2])
        }
    }

    private func export(_ dataset: URL) throws -> URL {
        let out = dataset.deletingLastPathComponent().appendingPathComponent("panoptic")
        try DatasetExporter.export(dataset, format: .cocoPanoptic, to: out, overwrite: false)
        return out
    }

    @Test func handLabeledSceneGivesTheKnownSegments() throws {
        let out = try export(try renderDataset(handLabeledScene, minimumPixels: 5))
        let document = try jsonObject(out.appendingPathComponent("annotations/panoptic_default.json"))
        let annotations = document["annotations"] as! [[String: Any]]
        try #require(annotations.count == 1)
        #expect(annotations[0]["file_name"] as? String == "000000.png" && annotations[0]["image_id"] as? Int == 1)
        let segments = (annotations[0]["segments_info"] as! [[String: Any]]).map {
            [$0["id"], $0["category_id"], $0["area"], $0["iscrowd"]].map { $0 as! Int } + ($0["bbox"] as! [Int])
        }
        #expect(segments == [
            [2, 1, 60, 0, 5, 7, 10, 6],          // disc
            [3, 2, 60, 0, 26, 18, 8, 8],         // "big box", 4 pixels hidden by the unlabeled object
            [6, 1, 12, 0, 37, 3, 3, 4],          // disc, a quarter off the canvas
            [65536 + 3, 3, 352, 0, 0, 20, 40, 10], // floor (stuff): 400 − the box's 48
        ])
        let categories = (document["categories"] as! [[String: Any]]).map { "\($0["id"]!) \($0["name"]!) \($0["isthing"]!)" }
        #expect(categories == ["1 disc 1", "2 big box 1", "3 floor 0"])

        let ids = try segmentIDs(out.appendingPathComponent("panoptic_default/000000.png"))
        func id(_ x: Int, _ y: Int) -> Int { ids[y * 40 + x] }
        #expect(id(5, 7) == 2 && id(14, 12) == 2 && id(4, 7) == 0)
        #expect(id(26, 18) == 3 && id(28, 18) == 0 && id(28, 17) == 0)   // the unlabeled object is void
        #expect(id(2, 2) == 0 && id(3, 3) == 0)                            // the filtered disc is void
        #expect(id(0, 29) == 65539 && id(27, 22) == 3)
        #expect(ids.filter { $0 == 0 }.count == 1200 - 60 - 60 - 12 - 352)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("images/000000.png").path))
    }

    @Test func threeThousandSegmentsInOneImageAreExact() throws {
        let dataset = try renderDataset(tiledScene)
        let out = try export(dataset)
        let document = try jsonObject(out.appendingPathComponent("annotations/panoptic_default.json"))
        let segments = (document["annotations"] as! [[String: Any]])[0]["segments_info"] as! [[String: Any]]
        try #require(segments.count == 3001)
        let ids = try segmentIDs(out.appendingPathComponent("panoptic_default/000000.png"))
        let instance = try decodePNG(dataset.appendingPathComponent("masks/instance_ids/000000.png")).samples
        var counts: [Int: Int] = [:]
        for value in ids { counts[value, default: 0] += 1 }
        // Drawing ranks 2…3001 (the floor is rank 1) at column c, row r of the tiling.
        let wrong = segments.prefix(3000).enumerated().filter { index, segment in
            let (c, r, id) = (index % 100, index / 100, index + 2)
            return segment["id"] as? Int != id || segment["area"] as? Int != 4 || segment["bbox"] as? [Int] != [2 * c, 2 * r, 2, 2]
                || ids[2 * r * 200 + 2 * c] != id || Int(instance[2 * r * 200 + 2 * c]) != id || counts[id] != 4
        }
        #expect(wrong.isEmpty, "\(wrong.count) segments differ, the first: \(wrong.first.map { "\($0.element)" } ?? "")")
        #expect(segments[3000]["id"] as? Int == 65537 + 1 && segments[3000]["area"] as? Int == 800)
        #expect(segments[3000]["bbox"] as? [Int] == [0, 60, 200, 4])
        #expect(counts[0] == nil)
    }

    @Test func aDatasetWithoutClassMapIsNamedAndNothingIsWritten() throws {
        let dataset = try renderDataset(handLabeledScene)
        try FileManager.default.removeItem(at: dataset.appendingPathComponent("classes.json"))
        let out = dataset.deletingLastPathComponent().appendingPathComponent("panoptic")
        #expect {
            try DatasetExporter.export(dataset, format: .cocoPanoptic, to: out, overwrite: false)
        } throws: { error in
            guard case let DatasetError.invalidDataset(message) = error else { return false }
            return message.contains("classes.json: missing") && message.contains("coco-panoptic")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func masksThatDisagreeAreNamedWithThePixel() throws {
        let dataset = try renderDataset(handLabeledScene)
        let url = dataset.appendingPathComponent("masks/semantic/000000.png")
        var semantic = try decodePNG(url)
        semantic.samples[7 * 40 + 5] = 3   // the disc's first pixel, painted as floor
        try PNG.encodeGray8(semantic.samples.map { UInt8($0) }, width: 40, height: 30).write(to: url)
        let out = dataset.deletingLastPathComponent().appendingPathComponent("panoptic")
        #expect {
            try DatasetExporter.export(dataset, format: .cocoPanoptic, to: out, overwrite: false)
        } throws: { error in
            guard case let DatasetError.invalidDataset(message) = error else { return false }
            return message.contains("masks/semantic/000000.png: value 3 at pixel (5, 7)")
                && message.contains("annotated instance 2 of category 1")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(left.filter { !$0.hasPrefix(".") }.isEmpty && !left.contains(".tessera-export.partial"))
    }
}
