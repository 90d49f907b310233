import Dataset
import DatasetTools
import Foundation
import Testing

/// A small, fast scene for runs of many images.
private let smallScene = """
canvas 96 x 64
classes disc, plate
background #203040
repeat randint(2, 7) {
  object disc at (uniform(0, width), uniform(0, height)) { circle(uniform(4, 20), fill: hsv(uniform(0, 360), 0.8, 0.9)) }
  object plate at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(uniform(6, 30), uniform(6, 30), fill: #c0c0c0) }
}
"""

private func options(_ folder: URL, count: Int = 12, seed: UInt64 = 9, jobs: Int = 2, shard: Shard? = nil,
                     resume: Bool = false, overwrite: Bool = false) -> RenderOptions {
    RenderOptions(count: count, seed: seed, output: folder, jobs: jobs, overwrite: overwrite, resume: resume, shard: shard)
}

@discardableResult
private func render(_ options: RenderOptions, scene: String = smallScene) throws -> RenderSummary {
    try DatasetRenderer(program: try compile(scene), options: options).run()
}

@Suite struct ShardTests {
    @Test(arguments: [(10, 3), (7, 7), (3, 5), (1000, 6)])
    func shardsTileTheImageRange(count: Int, shards: Int) {
        var next = 0
        for k in 0..<shards {
            let range = Shard(index: k, count: shards).range(of: count)
            #expect(range.lowerBound == next)
            next = range.upperBound
        }
        #expect(next == count)
    }

    @Test func parsesKOverN() throws {
        #expect(try Shard(parsing: "2/5") == Shard(index: 2, count: 5))
        for bad in ["5/5", "-1/3", "1/0", "1", "a/b", "1/2/3"] {
            #expect(throws: DatasetError.self) { try Shard(parsing: bad) }
        }
    }

    @Test func readsSlurmAndKubernetesEnvironments() throws {
        let slurm = try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"], shardCount: nil)
        #expect(slurm?.shard == Shard(index: 3, count: 4))
        // Arrays numbered from 1 (`--array=1-4`) are shifted by SLURM_ARRAY_TASK_MIN.
        let fromOne = try Shard.fromEnvironment(
            ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"], shardCount: nil)
        #expect(fromOne?.shard == Shard(index: 3, count: 4))
        let kubernetes = try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1", "TESSERA_SHARD_COUNT": "8"], shardCount: nil)
        #expect(kubernetes?.shard == Shard(index: 1, count: 8))
        let flag = try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1", "TESSERA_SHARD_COUNT": "8"], shardCount: 2)
        #expect(flag?.shard == Shard(index: 1, count: 2))
        #expect(try Shard.fromEnvironment(["HOME": "/root"], shardCount: nil) == nil)
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1"], shardCount: nil) }
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"], shardCount: nil) }
        #expect(throws: DatasetError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "4", "TESSERA_SHARD_COUNT": "4"], shardCount: nil) }
    }

    @Test func threeShardsMergeIntoExactlyTheSingleRun() throws {
        let whole = try temporaryFolder()
        try render(options(whole, count: 14))
        var shards: [URL] = []
        for k in [2, 0, 1] {
            let folder = try temporaryFolder("shard\(k)")
            let summary = try render(options(folder, count: 14, jobs: k + 1, shard: Shard(index: k, count: 3)))
            #expect(summary.images == Shard(index: k, count: 3).range(of: 14).count)
            shards.append(folder)
        }
        // A shard is a dataset of its own: its images carry their global numbers.
        let middle = try filesBelow(shards[2])
        #expect(middle["images/000004.png"] != nil && middle["images/000003.png"] == nil)
        #expect(middle["shard.records"] != nil && middle["annotations/instances_default.json"] != nil)
        let merged = try temporaryFolder("merged")
        let summary = try DatasetMerger.merge(shards: shards, into: merged, overwrite: false)
        #expect(summary.images == 14 && summary.shards == 3)
        try expectIdentical(whole, merged)
    }

    @Test func mergeRefusesMismatchedOrIncompleteShards() throws {
        func shard(_ k: Int, of n: Int, seed: UInt64 = 9, count: Int = 9) throws -> URL {
            let folder = try temporaryFolder("s\(k)of\(n)seed\(seed)count\(count)")
            try render(options(folder, count: count, seed: seed, shard: Shard(index: k, count: n)))
            return folder
        }
        let a = try shard(0, of: 2), b = try shard(1, of: 2)
        func refusal(_ shards: [URL]) throws -> String {
            do {
                _ = try DatasetMerger.merge(shards: shards, into: try temporaryFolder("out"), overwrite: false)
            } catch let error as DatasetError {
                #expect(error.exitCode == 65 || error.exitCode == 64)
                return error.description
            }
            Issue.record("merge of \(shards.map(\.lastPathComponent)) did not fail")
            return ""
        }
        #expect(try refusal([a]).contains("no shard holds images 4..<9"))
        #expect(try refusal([a, b, b]).contains("overlap"))
        #expect(try refusal([a, try shard(1, of: 2, seed: 10)]).contains("seed 10"))
        #expect(try refusal([a, try shard(1, of: 2, count: 10)]).contains("count 10"))
        #expect(try refusal([a, try shard(2, of: 3)]).contains("no shard holds images 4..<6"))
        // An unfinished shard, and a shard whose image was changed after rendering.
        let unfinished = try shard(1, of: 2)
        try FileManager.default.removeItem(at: unfinished.appendingPathComponent("manifest.json"))
        #expect(try refusal([a, unfinished]).contains("not a finished shard"))
        let tampered = try shard(1, of: 2)
        try Data([1, 2, 3]).write(to: tampered.appendingPathComponent("images/000005.png"))
        #expect(try refusal([a, tampered]).contains("000005.png"))
        // The refused merge left nothing behind: the same --out takes the next attempt.
        let out = try temporaryFolder("again")
        #expect(throws: DatasetError.self) { try DatasetMerger.merge(shards: [a, tampered], into: out, overwrite: false) }
        #expect(try filesBelow(out).isEmpty)
        _ = try DatasetMerger.merge(shards: [a, try shard(1, of: 2)], into: out, overwrite: false)
    }
}

@Suite struct ResumeTests {
    /// The record log of an interrupted run.
    private func log(_ folder: URL) -> URL { folder.appendingPathComponent(".tessera-records.partial") }

    @Test func resumingATornRunGivesTheUninterruptedBytes() throws {
        let whole = try temporaryFolder("whole")
        try render(options(whole, count: 10))
        // Make an interrupted run: a finished one, with its last files and the tail of its
        // log as a kill would leave them.
        let torn = try temporaryFolder("torn")
        try render(options(torn, count: 10, shard: Shard(index: 0, count: 1)))
        let fm = FileManager.default
        for name in ["annotations/instances_default.json", "manifest.json"] { try fm.removeItem(at: torn.appendingPathComponent(name)) }
        try fm.moveItem(at: torn.appendingPathComponent("shard.records"), to: log(torn))
        var text = try String(contentsOf: log(torn), encoding: .utf8)
        // Cut the log inside image 6's records and drop image 4's instance mask: resume must
        // re-render from image 4.
        text = String(text[..<text.range(of: "F\t", range: text.range(of: "I\t6\t")!.upperBound..<text.endIndex)!.lowerBound])
        try Data(text.utf8).write(to: log(torn))
        try fm.removeItem(at: torn.appendingPathComponent("masks/instance_ids/000004.png"))

        // Without --resume the folder is refused; with a different seed resume is refused.
        #expect(throws: DatasetError.outputNotEmpty(path: torn.path)) { try render(options(torn, count: 10)) }
        #expect { try render(options(torn, count: 10, seed: 8, resume: true)) } throws: {
            "\($0)".contains("seed 9 there, 8 here")
        }
        let summary = try render(options(torn, count: 10, resume: true))
        #expect(summary.rendered == 6 && summary.images == 10)
        try expectIdentical(whole, torn)
        // Resuming a finished run does nothing, unless a file of it is gone.
        #expect(try render(options(torn, count: 10, resume: true)).rendered == 0)
        try expectIdentical(whole, torn)
        try FileManager.default.removeItem(at: torn.appendingPathComponent("images/000003.png"))
        #expect { try render(options(torn, count: 10, resume: true)) } throws: {
            "\($0)".contains("is damaged: images/000003.png is missing")
        }
    }

    @Test func resumeStartsAFreshRunInAnEmptyFolderButRefusesForeignFiles() throws {
        let fresh = try temporaryFolder()
        #expect(try render(options(fresh, count: 3, resume: true)).rendered == 3)
        let foreign = try temporaryFolder()
        try Data("mine".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
        #expect { try render(options(foreign, count: 3, resume: true)) } throws: {
            "\($0)".contains("no interrupted Tessera run")
        }
        #expect { try render(options(foreign, count: 3, resume: true, overwrite: true)) } throws: {
            "\($0)".contains("--resume and --overwrite")
        }
    }

    /// The real thing: the binary killed with SIGKILL part-way, then resumed.
    @Test func aRunKilledPartWayThenResumedIsIdenticalToAnUninterruptedOne() throws {
        let folder = try temporaryFolder()
        let scene = folder.appendingPathComponent("small.scene")
        try Data(smallScene.utf8).write(to: scene)
        let count = "800"
        let whole = folder.appendingPathComponent("whole"), killed = folder.appendingPathComponent("killed")
        let reference = try runTessera(["render", scene.path, "--count", count, "--seed", "4", "--out", whole.path, "--quiet"])
        #expect(reference.status == 0, "\(reference.stderr)")

        let binary = ProcessInfo.processInfo.environment["TESSERA_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/tessera").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["render", scene.path, "--count", count, "--seed", "4", "--out", killed.path, "--quiet"]
        try process.run()
        // Kill it once some images are complete in the log.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let text = (try? String(contentsOf: log(killed), encoding: .utf8)) ?? ""
            if text.components(separatedBy: "\nE\t").count > 40 { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("annotations/instances_default.json").path))

        let resumed = try runTessera(["render", scene.path, "--count", count, "--seed", "4", "--out", killed.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resumed"))
        try expectIdentical(whole, killed)
    }
}

@Suite struct MemoryBudgetTests {
    @Test func jobsAreLoweredOnlyWhenImagesWouldNotFitInHalfTheMemory() {
        let gigabyte: UInt64 = 1 << 30
        // 512 × 512 at 24 bytes per pixel is 6 MB: any job count fits in 8 GB.
        #expect(MemoryBudget.jobs(requested: 64, pixels: 512 * 512, memory: 8 * gigabyte) == 64)
        // 16384 × 16384 is 6 GB per image: 4 GB (half of 8) holds none, so one at a time.
        #expect(MemoryBudget.jobs(requested: 2, pixels: 16384 * 16384, memory: 8 * gigabyte) == 1)
        // 8192 × 8192 is 1.5 GB per image: 12 GB of 24 holds 8.
        #expect(MemoryBudget.jobs(requested: 16, pixels: 8192 * 8192, memory: 24 * gigabyte) == 8)
        #expect(MemoryBudget.jobs(requested: 1, pixels: 0, memory: 0) == 1)
        #expect(MemoryBudget.available > 0)
    }
}

/// `--overwrite` sets the old dataset aside until the new one is finished: a run that fails
/// puts it back, one that finishes drops it, one that is killed can be resumed.
@Suite struct OverwriteTests {
    /// Fails at the first image whose radius comes out negative.
    private let failing = "canvas 96 x 64\nclasses disc\nlet r = uniform(-4, 9)\nobject disc at (48, 32) { circle(r) }\n"

    @Test func aFailedOverwriteLeavesTheOldDatasetAsItWas() throws {
        let folder = try temporaryFolder()
        try render(options(folder))
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let before = try filesBelow(folder)
        #expect {
            try render(options(folder, count: 40, overwrite: true), scene: failing)
        } throws: { error in
            guard case let .script(message) = error as? DatasetError else { return false }
            return message.contains("note: nothing was replaced: the dataset that was in '\(folder.path)' is back in place")
        }
        #expect(try filesBelow(folder) == before)
        #expect(try DatasetValidator.validate(folder).isValid)
        // A replacing run that finishes drops the old dataset and keeps the user's file.
        try render(options(folder, seed: 10, overwrite: true))
        let after = try filesBelow(folder)
        #expect(after["notes.txt"] == Data("mine".utf8))
        #expect(!after.keys.contains { $0.hasPrefix(OutputLayoutNames.previous) })
        #expect(after["manifest.json"] != before["manifest.json"])
        #expect(try DatasetValidator.validate(folder).isValid)
    }

    @Test func aKilledOverwriteKeepsTheOldDatasetAsideUntilItsResumedRunFinishes() throws {
        let folder = try temporaryFolder()
        let scene = folder.appendingPathComponent("small.scene")
        try Data(smallScene.utf8).write(to: scene)
        let out = folder.appendingPathComponent("out")
        let old = try runTessera(["render", scene.path, "--count", "30", "--seed", "3", "--out", out.path, "--quiet"])
        #expect(old.status == 0, "\(old.stderr)")
        let oldManifest = try Data(contentsOf: out.appendingPathComponent("manifest.json"))

        let binary = ProcessInfo.processInfo.environment["TESSERA_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/tessera").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["render", scene.path, "--count", "800", "--seed", "4", "--out", out.path, "--overwrite", "--quiet"]
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let text = (try? String(contentsOf: out.appendingPathComponent(".tessera-records.partial"), encoding: .utf8)) ?? ""
            if text.components(separatedBy: "\nE\t").count > 40 { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        let aside = out.appendingPathComponent(OutputLayoutNames.previous)
        #expect(try Data(contentsOf: aside.appendingPathComponent("manifest.json")) == oldManifest)

        let resumed = try runTessera(["render", scene.path, "--count", "800", "--seed", "4", "--out", out.path, "--resume", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: aside.path))
        let validation = try runTessera(["validate", out.path])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
    }
}

/// Names of the output layout the tests look for.
private enum OutputLayoutNames {
    static let previous = ".tessera-previous"
}

/// What a new user's third trial broke around `--overwrite`, kept broken-proof.
@Suite struct OverwriteCrashSafetyTests {
    private let failing = "canvas 96 x 64\nclasses disc\nlet r = uniform(-4, 9)\nobject disc at (48, 32) { circle(r) }\n"

    private func shards(_ folder: URL) throws -> [URL] {
        try (0..<2).map { k in
            let shard = folder.appendingPathComponent("shard\(k)")
            try render(options(shard, count: 12, shard: Shard(index: k, count: 2)))
            return shard
        }
    }

    @Test func aSetAsideOrRestoreCutShortIsFinishedNotDeleted() throws {
        // A kill half-way through moving a dataset aside (or back) leaves it split between
        // the folder and .tessera-previous/, with no marker: the next --overwrite must keep
        // every part, and put the whole dataset back when it fails.
        let folder = try temporaryFolder()
        try render(options(folder))
        let before = try filesBelow(folder)
        let fm = FileManager.default
        let previous = folder.appendingPathComponent(".tessera-previous")
        for path in ["manifest.json", "images/000000.png", "masks/instance_ids/000003.png"] {
            let target = previous.appendingPathComponent(path)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.moveItem(at: folder.appendingPathComponent(path), to: target)
        }
        #expect(throws: DatasetError.self) { try render(options(folder, count: 40, overwrite: true), scene: failing) }
        #expect(try filesBelow(folder) == before)
        #expect(try DatasetValidator.validate(folder).isValid)
    }

    @Test func aDiscardCutShortLeavesNothingThatLooksLikeADataset() throws {
        // A run that finished was killed while deleting the dataset it replaced: what is left
        // of that is renamed away first, so the finished dataset is the one kept.
        let folder = try temporaryFolder()
        try render(options(folder, seed: 2))
        let old = try temporaryFolder("old")
        try render(options(old, seed: 1))
        try FileManager.default.moveItem(at: old, to: folder.appendingPathComponent(".tessera-previous.discarded"))
        var finished = try filesBelow(folder)
        finished = finished.filter { !$0.key.hasPrefix(".tessera-previous.discarded") }
        #expect(throws: DatasetError.self) { try render(options(folder, count: 40, overwrite: true), scene: failing) }
        #expect(try filesBelow(folder) == finished)
        #expect(try DatasetValidator.validate(folder).isValid)
    }

    @Test func aFailedMergeOverwritePutsTheOldDatasetBack() throws {
        let folder = try temporaryFolder()
        let parts = try shards(folder)
        let out = folder.appendingPathComponent("out")
        try render(options(out, seed: 2))
        let before = try filesBelow(out)
        // A shard changed after it was rendered: the merge is refused after --overwrite.
        try Data("x".utf8).write(to: parts[1].appendingPathComponent("images/000011.png"))
        #expect(throws: DatasetError.self) { try DatasetMerger.merge(shards: parts, into: out, overwrite: true) }
        #expect(try filesBelow(out) == before)
    }

    @Test func aMergeOverwriteDropsAStaleSetAsideDataset() throws {
        // A killed render --overwrite left the old dataset aside; a merge then finishes a
        // whole dataset there. A later failing render must bring back the merged one.
        let folder = try temporaryFolder()
        let parts = try shards(folder)
        let out = folder.appendingPathComponent("out")
        try render(options(out, seed: 2))
        let previous = out.appendingPathComponent(".tessera-previous")
        try FileManager.default.createDirectory(at: previous, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: out.appendingPathComponent("manifest.json"), to: previous.appendingPathComponent("manifest.json"))
        try Data().write(to: previous.appendingPathComponent(".complete"))
        _ = try DatasetMerger.merge(shards: parts, into: out, overwrite: true)
        #expect(!FileManager.default.fileExists(atPath: previous.path))
        let merged = try filesBelow(out)
        #expect(throws: DatasetError.self) { try render(options(out, count: 40, overwrite: true), scene: failing) }
        #expect(try filesBelow(out) == merged)
    }

    @Test func mergeRefusesAnOutputThatIsALinkToAShard() throws {
        let folder = try temporaryFolder()
        let parts = try shards(folder)
        let link = folder.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: parts[0])
        #expect { try DatasetMerger.merge(shards: parts, into: link, overwrite: true) } throws: { error in
            guard case let .usage(message) = error as? DatasetError else { return false }
            return message.contains("is or contains the shard")
        }
        #expect(try DatasetValidator.validate(parts[0]).isValid)
    }

    @Test func validateLeavesAUsersOwnFileInAnImageFolderAlone() throws {
        let folder = try temporaryFolder()
        try render(options(folder))
        try Data("mine".utf8).write(to: folder.appendingPathComponent("images/readme.txt"))
        #expect(try DatasetValidator.validate(folder).isValid)
        try Data("x".utf8).write(to: folder.appendingPathComponent("images/000099.png"))
        #expect(try !DatasetValidator.validate(folder).isValid)
    }

    @Test func resumingAFinishedDatasetOfAnotherRunNamesTheDifference() throws {
        let folder = try temporaryFolder()
        try render(options(folder, seed: 2))
        #expect { try render(options(folder, seed: 3, resume: true)) } throws: { error in
            guard case let .usage(message) = error as? DatasetError else { return false }
            return message.contains("finished dataset of another run (seed 2 there, 3 here)")
        }
    }
}
