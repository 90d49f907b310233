import DatasetReading
@testable import DatasetTools
import Foundation
import Testing

/// `tessera stats` on real scenes: its figures against sums taken directly from the files
/// (the Python interop test recomputes every field independently).
@Suite struct DatasetStatisticsTests {
    private func render(_ scene: String, count: Int) throws -> URL {
        let out = try temporaryFolder().appendingPathComponent("dataset")
        let result = try runTessera(["render", scene, "--count", "\(count)", "--seed", "2", "--out", out.path, "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
        return out
    }

    private func annotations(_ folder: URL) throws -> [[String: Any]] {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        return document["annotations"] as! [[String: Any]]
    }

    @Test(arguments: [("scenes/occlusion_pairs.scene", 12), ("scenes/crowd.scene", 2)])
    func figuresAddUp(scene: String, count: Int) throws {
        let folder = try render(scene, count: count)
        let statistics = try DatasetStatistics(folder)
        let annotations = try annotations(folder)
        #expect(statistics.images == count && statistics.annotations == annotations.count)
        for category in statistics.categories {
            let mine = annotations.filter { $0["category_id"] as? Int == category.id }
            #expect(category.instances == mine.count)
            #expect(category.images == Set(mine.map { $0["image_id"] as! Int }).count)
            #expect(category.instancesPerImage.reduce(0, +) == count)
            #expect(category.instancesPerImage.enumerated().reduce(0) { $0 + $1.offset * $1.element } == mine.count)
            #expect(category.small + category.medium + category.large == mine.count)
            #expect(category.area.reduce(0, +) == mine.count && category.bboxSide.reduce(0, +) == mine.count)
            #expect(category.visibleFraction.reduce(0, +) == mine.count && category.inFrameFraction.reduce(0, +) == mine.count)
            #expect(category.heatmap.joined().reduce(0, +) == mine.count)
            // Every hidden pixel is attributed, to a class or to an unannotated occluder.
            let hidden = mine.reduce(0) { $0 + ($1["amodal_area"] as! Int) - ($1["area"] as! Int) }
            #expect(category.hiddenBy.values.reduce(0, +) + category.hiddenByUnannotated == hidden)
            #expect(category.moreThanHalfHidden == mine.filter { ($0["visible_fraction"] as! Double) < 0.5 }.count)
        }
        #expect(statistics.records?.images == count)
        #expect(statistics.acceptance?.images == count)
    }

    @Test func crowdPeopleHideEachOther() throws {
        let statistics = try DatasetStatistics(try render("scenes/crowd.scene", count: 2))
        #expect(statistics.categories.contains { $0.hiddenBy[$0.id, default: 0] > 0 }, "in a crowd, people hide people")
        #expect(statistics.moreThanHalfHidden > 0)
    }

    @Test func binsAtTheirEdges() {
        #expect([1, 2, 3, 4, 1023, 1024].map(DatasetStatistics.log2Bin) == [0, 1, 1, 2, 9, 10])
        #expect([0, 0.1, 0.49999, 0.5, 0.99, 1].map(DatasetStatistics.fractionBin) == [0, 1, 4, 5, 9, 9])
        #expect([0, 0.125, 0.999, 1].map(DatasetStatistics.cell) == [0, 1, 7, 7])
    }

    @Test func cliWritesJSONAndReportsBadInput() throws {
        let folder = try render("scenes/occlusion_pairs.scene", count: 3)
        let json = folder.deletingLastPathComponent().appendingPathComponent("stats.json")
        let ok = try runTessera(["stats", folder.path, "--json", json.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("3 images"))
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        #expect(written?["images"] as? Int == 3)

        #expect(try runTessera(["stats", folder.appendingPathComponent("none").path]).status == 66)
        try Data("{\"info\":{},\n\"licenses\":[],\n\"images\":[\n{\"id\":1}\n".utf8).write(to: folder.appendingPathComponent("annotations/instances_default.json"))
        let broken = try runTessera(["stats", folder.path])
        #expect(broken.status == 65)
        // The images array opens on line 3 and never closes.
        #expect(broken.stderr.contains("instances_default.json:3: the file is cut short"), "\(broken.stderr)")
    }
}
