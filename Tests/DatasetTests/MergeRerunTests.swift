@testable import Dataset
import Foundation
import Testing

/// Issue 18, finding 5, at the library's level (tests/interop/test_merge_rerun.py kills the
/// real binary): a merge cut short leaves its mark (`.tessera-merge`) beside partial files;
/// the same merge run again, without `overwrite`, finishes with the bytes of a merge that was
/// never interrupted. A partial folder without this merge's mark is still refused.
@Suite struct MergeRerunTests {
    private static let scene = """
    canvas 48 x 40
    classes disc, plate
    repeat randint(1, 4) {
      object disc at (uniform(0, width), uniform(0, height)) { circle(uniform(3, 12)) }
      object plate at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(uniform(4, 16), uniform(4, 16)) }
    }
    """

    /// Two finished shards of a 12-image run, and their merge made in one go.
    private func shardsAndCleanMerge() throws -> (shards: [URL], clean: URL) {
        var shards: [URL] = []
        for k in 0..<2 {
            let folder = try temporaryFolder("shard\(k)")
            let options = RenderOptions(count: 12, seed: 4, output: folder, jobs: 1, shard: Shard(index: k, count: 2))
            _ = try DatasetRenderer(program: try compile(Self.scene), options: options).run()
            shards.append(folder)
        }
        let clean = try temporaryFolder("clean")
        _ = try DatasetMerger.merge(shards: shards, into: clean, overwrite: false)
        return (shards, clean)
    }

    /// What a merge killed after copying `copied` images leaves in `out`: those images (the
    /// last one's bytes still in its `.partial` file), the folders, and the mark; no
    /// annotations, records or manifest yet.
    private func killedMerge(of clean: URL, copied: Int, into out: URL, marker: MergeMarker?) throws {
        let fm = FileManager.default
        try marker?.write()
        for folder in ["images", "masks/instance_ids", "masks/semantic"] {
            try fm.createDirectory(at: out.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let images = try fm.contentsOfDirectory(atPath: clean.appendingPathComponent("images").path).sorted()
        for (k, name) in images.prefix(copied).enumerated() {
            let data = try Data(contentsOf: clean.appendingPathComponent("images/" + name))
            let target = k == copied - 1 ? "images/.\(name).partial" : "images/" + name
            try data.prefix(k == copied - 1 ? data.count / 2 : data.count).write(to: out.appendingPathComponent(target))
        }
        #expect(!fm.fileExists(atPath: out.appendingPathComponent("manifest.json").path))
    }

    @Test func aKilledMergeRunAgainGivesTheBytesOfAnUninterruptedOne() throws {
        let (shards, clean) = try shardsAndCleanMerge()
        let out = try temporaryFolder("out")
        let marker = try DatasetMerger.marker(for: shards, into: out)
        try killedMerge(of: clean, copied: 5, into: out, marker: marker)
        #expect(FileManager.default.fileExists(atPath: marker.url.path))
        let summary = try DatasetMerger.merge(shards: shards, into: out, overwrite: false)
        #expect(summary.images == 12)
        #expect(!FileManager.default.fileExists(atPath: marker.url.path))
        try expectIdentical(clean, out)
        // And once more: a finished merge is not redone over itself without --overwrite.
        #expect(throws: DatasetError.self) { try DatasetMerger.merge(shards: shards, into: out, overwrite: false) }
        try expectIdentical(clean, out)
    }

    @Test func partialFilesWithoutThisMergesMarkAreRefused() throws {
        let (shards, clean) = try shardsAndCleanMerge()
        // No mark at all: the files could be anyone's.
        let unmarked = try temporaryFolder("unmarked")
        try killedMerge(of: clean, copied: 5, into: unmarked, marker: nil)
        let before = try filesBelow(unmarked)
        #expect { try DatasetMerger.merge(shards: shards, into: unmarked, overwrite: false) } throws: { error in
            if case .outputNotEmpty = error as? DatasetError { true } else { false }
        }
        #expect(try filesBelow(unmarked) == before)
        // The mark of a merge of other shards (a shard list in another order is the same merge).
        let other = try temporaryFolder("other")
        let foreign = MergeMarker(url: other.appendingPathComponent(OutputLayout.mergeMarkerFile),
                                  identity: try DatasetMerger.marker(for: Array(shards.reversed()), into: other).identity + "0..<1 00\n")
        try killedMerge(of: clean, copied: 3, into: other, marker: foreign)
        #expect(throws: DatasetError.self) { try DatasetMerger.merge(shards: shards, into: other, overwrite: false) }
        #expect(FileManager.default.fileExists(atPath: foreign.url.path))
    }
}
