import Dataset
import DatasetTools
@testable import DatasetTools
import Foundation
import Testing

/// What a new user's trial broke, kept broken-proof: outputs that would destroy something,
/// shards that lie, and two writers in one folder.
@Suite struct HostileUseTests {
    private let scene = """
    canvas 48 x 32
    classes a, b
    repeat 4 {
      object a at (uniform(0, width), uniform(0, height)) { circle(uniform(3, 9)) }
      object b at (uniform(0, width), uniform(0, height)) { rectangle(uniform(4, 12), uniform(4, 12)) }
    }
    """

    private func render(_ folder: URL, count: Int = 6, shard: Shard? = nil, overwrite: Bool = false) throws {
        _ = try DatasetRenderer(program: try compile(scene),
                                options: RenderOptions(count: count, seed: 1, output: folder, jobs: 2, overwrite: overwrite,
                                                       shard: shard)).run()
    }

    @Test func aMistypedSubcommandIsNamedNotTakenForAScene() throws {
        for (typed, meant) in [("valdiate", "validate"), ("rnder", "render"), ("preveiw", "preview")] {
            let result = try runTessera([typed, "somewhere"])
            #expect(result.status == 64, "\(typed)")
            #expect(result.stderr.contains("unknown subcommand '\(typed)'; did you mean '\(meant)'?"), "\(result.stderr)")
        }
        // A word far from every subcommand is still a scene path that does not exist.
        let missing = try runTessera(["nosuchscene"])
        #expect(missing.status == 66 && missing.stderr.contains("cannot read scene 'nosuchscene'"))
    }

    @Test func previewNeverWritesOverADeviceAFolderOrTheDatasetsOwnFiles() throws {
        let folder = try temporaryFolder()
        try render(folder)
        for target in ["/dev/null", folder.path, folder.appendingPathComponent("annotations/instances_default.json").path,
                       folder.appendingPathComponent("images/000000.png").path] {
            #expect(throws: DatasetError.self, "\(target)") {
                try DatasetPreview.write(folder, to: URL(fileURLWithPath: target))
            }
        }
        #expect(throws: DatasetError.self) {
            try DatasetPreview.write(folder, to: folder.appendingPathComponent("no/such/folder/sheet.png"))
        }
        #expect(try DatasetValidator.validate(folder).isValid)
        #expect(try DatasetPreview.write(folder, to: folder.appendingPathComponent("sheet.png")) == 6)
    }

    @Test func mergeRefusesToWriteIntoAShardOrToTrustAnEditedRecordLog() throws {
        let shards = try (0..<2).map { k -> URL in
            let folder = try temporaryFolder("shard\(k)")
            try render(folder, shard: Shard(index: k, count: 2))
            return folder
        }
        #expect { try DatasetMerger.merge(shards: shards, into: shards[1], overwrite: true) } throws: {
            "\($0)".contains("is or contains the shard")
        }
        #expect(try DatasetValidator.validate(shards[1]).isValid)
        // A record log edited after the shard finished: a path that leaves the dataset.
        let records = shards[1].appendingPathComponent("shard.records")
        let text = try String(contentsOf: records, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\timages/000003.png", with: "\t../evil.png").utf8).write(to: records)
        let out = try temporaryFolder("merged")
        #expect { try DatasetMerger.merge(shards: shards, into: out, overwrite: false) } throws: {
            ($0 as? DatasetError)?.exitCode == 65 && "\($0)".contains("shard.records")
        }
        #expect(!FileManager.default.fileExists(atPath: out.deletingLastPathComponent().appendingPathComponent("evil.png").path))
    }

    @Test func twoRendersNeverShareAnOutputFolder() throws {
        let folder = try temporaryFolder()
        let sceneFile = folder.appendingPathComponent("s.scene")
        try Data(scene.utf8).write(to: sceneFile)
        let out = folder.appendingPathComponent("out")
        let binary = ProcessInfo.processInfo.environment["TESSERA_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/tessera").path
        let first = Process()
        first.executableURL = URL(fileURLWithPath: binary)
        first.arguments = ["render", sceneFile.path, "--count", "100000", "--out", out.path, "--quiet"]
        try first.run()
        defer {
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
        }
        // Wait until the first run holds the folder.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: out.appendingPathComponent(".tessera-records.partial").path), Date() < deadline {
            usleep(5_000)
        }
        let second = try runTessera(["render", sceneFile.path, "--count", "10", "--out", out.path, "--resume"])
        #expect(second.status == 64)
        #expect(second.stderr.contains("another tessera process is writing into"))
    }

    @Test func overwriteRemovesDatasetFilesButNeverAUsersFolder() throws {
        let folder = try temporaryFolder()
        try render(folder)
        let keep = folder.appendingPathComponent("images/000001.png")
        try FileManager.default.removeItem(at: keep)
        try FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: keep.appendingPathComponent("keep.txt"))
        _ = try DatasetRenderer(program: try compile(scene),
                                options: RenderOptions(count: 1, seed: 1, output: folder, jobs: 1, overwrite: true)).run()
        #expect(FileManager.default.fileExists(atPath: keep.appendingPathComponent("keep.txt").path))
    }

    /// Writes `files` (relative path → text) below `folder`.
    private func write(_ files: [String: String], in folder: URL) throws {
        for (path, text) in files {
            let file = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
    }

    @Test func overwriteRefusesAFolderOfTheUsersFilesAtTesserasPaths() throws {
        let folder = try temporaryFolder()
        let out = folder.appendingPathComponent("out")
        try write(["images/000005.png": "my picture", "annotations/instances_custom.json": "{}", "notes.txt": "mine"], in: out)
        let before = try filesBelow(out)
        let sceneFile = folder.appendingPathComponent("s.scene")
        try Data(scene.utf8).write(to: sceneFile)
        let result = try runTessera(["render", sceneFile.path, "--count", "2", "--out", out.path, "--overwrite", "--quiet"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("'\(out.path)/images/000005.png' is not a file of a Tessera run"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was removed"))
        #expect(try filesBelow(out) == before)
        // Merge into it is refused the same way.
        let shard = folder.appendingPathComponent("shard")
        try render(shard, count: 2, shard: Shard(index: 0, count: 1))
        #expect { try DatasetMerger.merge(shards: [shard], into: out, overwrite: true) } throws: {
            ($0 as? DatasetError)?.exitCode == 64 && "\($0)".contains("is not a file of a Tessera run")
        }
        #expect(try filesBelow(out) == before)
    }

    @Test func overwriteRefusesAUsersFileBesideADatasetAndReplacesTheDatasetAlone() throws {
        let folder = try temporaryFolder()
        try render(folder, count: 2)
        try write(["masks/semantic/000005.png": "mine"], in: folder)
        let before = try filesBelow(folder)
        #expect { try render(folder, count: 2, overwrite: true) } throws: {
            ($0 as? DatasetError)?.exitCode == 64 && "\($0)".contains("'\(folder.path)/masks/semantic/000005.png' is not a file of a Tessera run")
        }
        #expect(try filesBelow(folder) == before)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("masks/semantic/000005.png"))
        try render(folder, count: 3, overwrite: true)
        #expect(try DatasetValidator.validate(folder).isValid)
    }

    @Test func aRunWithoutAManifestOwnsTheImagesItsRecordLogNames() throws {
        // A shard keeps its record log: without the manifest, the log alone says which
        // images are the run's — the ones in its index range, written or not yet.
        let folder = try temporaryFolder()
        try render(folder, count: 6, shard: Shard(index: 0, count: 2))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("manifest.json"))
        try write(["images/000004.png": "not of images 0…2"], in: folder)
        #expect { try render(folder, count: 2, overwrite: true) } throws: {
            "\($0)".contains("/images/000004.png' is not a file of a Tessera run")
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("images/000004.png"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("images/000002.png"))
        try write(["images/000002.png": "in flight when the run was killed"], in: folder)
        try render(folder, count: 2, overwrite: true)
        #expect(try DatasetValidator.validate(folder).isValid)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("images/000002.png").path))
    }
}
