import Dataset
import Foundation
import Testing

/// An export never writes where it could replace a dataset: not around its own dataset, not
/// into another one, not from a shard; and `--format` is one format (a new user's findings).
@Suite struct ExportSafetyTests {
    static let scene = "canvas 32 x 24\nclasses a\nobject a at (12, 12) { circle(5) }\n"

    private func dataset(_ folder: URL, shard: Shard? = nil) throws {
        _ = try DatasetRenderer(program: try compile(Self.scene), options: RenderOptions(count: 2, seed: 1, output: folder, jobs: 1, shard: shard)).run()
    }

    @Test func anExportAroundItsOwnDatasetIsRefusedAndTheDatasetKept() throws {
        let outer = try temporaryFolder()
        let labels = outer.appendingPathComponent("labels")
        try dataset(labels)
        let before = try filesBelow(labels)
        let run = try runTessera(["export", labels.path, "--format", "yolo", "--out", outer.path, "--overwrite"])
        #expect(run.status == 64 && run.stderr.contains("holds the dataset"), "\(run.stderr)")
        #expect(try filesBelow(labels) == before)
    }

    @Test func anExportIntoAnotherDatasetIsRefused() throws {
        let a = try temporaryFolder("a"), b = try temporaryFolder("b")
        try dataset(a)
        try dataset(b)
        let before = try filesBelow(b)
        let run = try runTessera(["export", a.path, "--format", "coco-panoptic", "--out", b.path, "--overwrite"])
        #expect(run.status == 64 && run.stderr.contains("holds a Tessera dataset"), "\(run.stderr)")
        #expect(try filesBelow(b) == before)
    }

    @Test func aShardAndTwoFormatsAreRefused() throws {
        let shard = try temporaryFolder("shard")
        try dataset(shard, shard: Shard(index: 0, count: 2))
        let out = try temporaryFolder("out").appendingPathComponent("yolo")
        let fromShard = try runTessera(["export", shard.path, "--format", "yolo", "--out", out.path])
        #expect(fromShard.status == 64 && fromShard.stderr.contains("export the merged dataset"), "\(fromShard.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("data.yaml").path))
        let twice = try runTessera(["export", shard.path, "--format", "yolo", "--format", "voc", "--out", out.path])
        #expect(twice.status == 64 && twice.stderr.contains("--format is given 2 times"), "\(twice.stderr)")
    }
}
