import Annotation
import Dataset
import DatasetTools
import Foundation
import Rendering
import SceneScript
import Testing

/// A small scene with overlap, both classes and random placement.
private let overlapScene = """
canvas 96 x 64
classes disc, plate
background #203040
repeat 6 {
  object disc at (uniform(0, width), uniform(0, height)) { circle(uniform(4, 20), fill: hsv(uniform(0, 360), 0.8, 0.9)) }
  object plate at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(uniform(6, 30), uniform(6, 30), fill: #c0c0c0) }
}
"""

private func render(_ text: String, count: Int, seed: UInt64 = 3, jobs: Int, into folder: URL) throws -> RenderSummary {
    let options = RenderOptions(count: count, seed: seed, output: folder, jobs: jobs)
    return try DatasetRenderer(program: try compile(text), options: options).run()
}

@Suite struct DatasetRendererTests {
    @Test func outputIsIdenticalForEveryThreadCount() throws {
        let one = try temporaryFolder(), four = try temporaryFolder()
        _ = try render(overlapScene, count: 11, jobs: 1, into: one)
        _ = try render(overlapScene, count: 11, jobs: 4, into: four)
        let a = try filesBelow(one), b = try filesBelow(four)
        #expect(a.count == 11 * 3 + 4)  // images and masks, annotations/instances_<split>.json, records.jsonl, classes.json, manifest.json
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a { #expect(b[path] == data, "\(path) differs") }
    }

    @Test func annotationsAgreeWithTheWrittenMasks() throws {
        let folder = try temporaryFolder()
        let summary = try render(overlapScene, count: 4, jobs: 2, into: folder)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        let images = document["images"] as! [[String: Any]]
        let annotations = document["annotations"] as! [[String: Any]]
        #expect(images.map { $0["id"] as! Int } == [1, 2, 3, 4])
        #expect(annotations.count == summary.annotations)
        #expect(annotations.map { $0["id"] as! Int } == Array(1...annotations.count))
        for image in images {
            let name = (image["file_name"] as! String)
            let ids = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("masks/instance_ids/\(name)")))
            let semantic = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("masks/semantic/\(name)")))
            #expect(ids.width == 96 && ids.height == 64 && ids.bitDepth == 16)
            let mine = annotations.filter { $0["image_id"] as! Int == image["id"] as! Int }
            var covered = 0
            for annotation in mine {
                let id = UInt16(annotation["mask_id"] as! Int)
                let segmentation = annotation["segmentation"] as! [String: Any]
                #expect(segmentation["size"] as! [Int] == [64, 96])
                let rle = try RLE(height: 64, width: 96, compressedCounts: segmentation["counts"] as! String)
                let mask = rle.decodeMask()
                #expect(mask == ids.samples.map { $0 == id }, "mask of instance \(id)")
                #expect(rle.area == annotation["area"] as! Int)
                #expect(rle.cocoBBox == annotation["bbox"] as! [Int])
                #expect(annotation["area"] as! Int > 0)
                let category = UInt16(annotation["category_id"] as! Int)
                #expect(zip(mask, semantic.samples).allSatisfy { !$0 || $1 == category })
                covered += rle.area
            }
            // Every labeled pixel belongs to exactly one annotation.
            #expect(covered == ids.samples.filter { $0 != 0 }.count)
        }
    }

    @Test func refusesANonEmptyOutputFolderUnlessOverwriting() throws {
        let folder = try temporaryFolder()
        try Data("keep me".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("images"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: folder.appendingPathComponent("images/photo.jpg"))
        try Data("stale".utf8).write(to: folder.appendingPathComponent("images/000007.png"))
        #expect(throws: DatasetError.outputNotEmpty(path: folder.path)) {
            try render(overlapScene, count: 1, jobs: 1, into: folder)
        }
        let options = RenderOptions(count: 2, seed: 1, output: folder, jobs: 1, overwrite: true)
        // A numbered image no Tessera run wrote (no manifest or record log lists it) is the
        // user's: --overwrite refuses it by name and removes nothing.
        let before = try filesBelow(folder)
        #expect {
            _ = try DatasetRenderer(program: try compile(overlapScene), options: options).run()
        } throws: { error in
            (error as? DatasetError)?.exitCode == 64 && "\(error)".contains("images/000007.png' is not a file of a Tessera run")
        }
        #expect(try filesBelow(folder) == before)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("images/000007.png"))
        _ = try DatasetRenderer(program: try compile(overlapScene), options: options).run()
        // An earlier dataset's image beyond the new count is removed.
        _ = try DatasetRenderer(program: try compile(overlapScene), options: RenderOptions(count: 1, seed: 1, output: folder, jobs: 1, overwrite: true)).run()
        let files = try filesBelow(folder)
        #expect(files["notes.txt"] == Data("keep me".utf8))
        #expect(files["images/photo.jpg"] == Data("mine".utf8), "a user's file survives --overwrite")
        #expect(files["images/000001.png"] == nil, "an old dataset's image is removed")
        #expect(files["images/000000.png"] != nil)
        #expect(!files.keys.contains { $0.hasSuffix(".partial") })
    }

    @Test func runtimeScriptErrorNamesSeedAndIndexAndKeepsEarlierImages() throws {
        let folder = try temporaryFolder()
        let text = """
        canvas 16 x 16
        classes a
        let lo = randint(0, 3)
        object a { circle(uniform(lo, 2)) }
        """
        #expect {
            try render(text, count: 40, seed: 5, jobs: 2, into: folder)
        } throws: { error in
            guard case let .script(message) = error as? DatasetError else { return false }
            return message.contains("seed 5") && message.contains("test.scene:4:")
                && message.contains("as an unfinished run (no instances file yet); after fixing the script, run the command again with --overwrite")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("annotations/instances_default.json").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("images/000000.png").path))
    }

    /// A run that fails before finishing any image leaves the folder as it found it.
    @Test func aRunThatFinishesNoImageLeavesNothingBehind() throws {
        let folder = try temporaryFolder()
        let text = "canvas 16 x 16\nclasses a\nobject a { circle(uniform(3, 2)) }\n"
        #expect(throws: DatasetError.self) { try render(text, count: 20, jobs: 2, into: folder) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        _ = try render(overlapScene, count: 2, jobs: 2, into: folder)
    }

    @Test func manifestRecordsSceneSeedAndEveryFileHash() throws {
        let folder = try temporaryFolder()
        _ = try render(overlapScene, count: 2, seed: 9, jobs: 1, into: folder)
        let files = try filesBelow(folder)
        let manifest = try JSONSerialization.jsonObject(with: files["manifest.json"]!) as! [String: Any]
        #expect(manifest["seed"] as! Int == 9)
        #expect(manifest["version"] as! String == Tessera.version)
        let scene = manifest["scene"] as! [String: Any]
        let sources = scene["sources"] as! [[String: Any]]
        #expect(sources.first?["text"] as? String == overlapScene)
        let entries = manifest["files"] as! [[String: Any]]
        #expect(Set(entries.map { $0["path"] as! String }) == Set(files.keys).subtracting(["manifest.json"]))
        for entry in entries {
            let data = files[entry["path"] as! String]!
            #expect(entry["bytes"] as! Int == data.count)
            #expect(entry["sha256"] as! String == sha256Hex(data))
        }
    }
}

@Suite struct DefaultSceneTests {
    @Test func embeddedDefaultSceneMatchesTheFilesOnDisk() throws {
        for source in [DefaultScene.main] + DefaultScene.templates {
            let onDisk = try String(contentsOf: packageRoot.appendingPathComponent(source.path), encoding: .utf8)
            #expect(source.text == onDisk, "run scripts/embed-default-scene.py to refresh \(source.path)")
        }
    }

    @Test func defaultSceneCompilesAndSamples() throws {
        let program = try SceneLoader.compileDefault()
        let scene = try program.sample(seed: 0, index: 0)
        #expect(scene.width == 512 && scene.categories.map(\.name) == ["circle", "square", "triangle"])
        #expect(!scene.instances.isEmpty)
    }
}

/// `RenderOptions.onExhausted`: an image whose every attempt is rejected stops the run
/// (`.fail`, the default) or is left out (`.skip`).
@Suite struct ExhaustedPolicyTests {
    @Test func skipLeavesTheImageOutAndTheOthersKeepTheirNumbers() throws {
        let folder = try temporaryFolder()
        let summary = try renderExhausting(into: folder, count: 12)
        #expect(summary.images == 12 && summary.rendered == 12)
        #expect(summary.acceptance?.skipped.map(\.index) == [3, 8])
        let files = try filesBelow(folder)
        for index in 0..<12 {
            let stem = String(format: "%06d.png", index)
            for folder in ["images", "masks/instance_ids", "masks/semantic"] {
                #expect((files["\(folder)/\(stem)"] != nil) == (index % 5 != 3), "\(folder)/\(stem)")
            }
        }
        let coco = try jsonObject(folder.appendingPathComponent("annotations/instances_default.json"))
        let images = coco["images"] as! [[String: Any]]
        #expect(images.map { $0["id"] as! Int } == [1, 2, 3, 5, 6, 7, 8, 10, 11, 12])
        #expect(images.map { $0["file_name"] as! String } == [0, 1, 2, 4, 5, 6, 7, 9, 10, 11].map { String(format: "%06d.png", $0) })
        let imageIDs = Set(images.map { $0["id"] as! Int })
        #expect((coco["annotations"] as! [[String: Any]]).allSatisfy { imageIDs.contains($0["image_id"] as! Int) })

        let manifest = try jsonObject(folder.appendingPathComponent("manifest.json"))
        #expect((manifest["options"] as! [String: Any])["on_exhausted"] as? String == "skip")
        let skipped = (manifest["acceptance"] as! [String: Any])["skipped_images"] as! [[String: Any]]
        #expect(skipped.map { $0["index"] as! Int } == [3, 8])
        for image in skipped {
            #expect(image["attempts"] as? Int == 1)
            let requirement = image["requirement"] as! [String: Any]
            #expect(requirement["location"] as? String == "test.scene:6:9")
            #expect(requirement["text"] as? String == "image_index % 5 != 3")
        }
        let report = try DatasetValidator.validate(folder)
        #expect(report.isValid, "\(report.faults)")
        #expect(report.images == 10 && report.files == 10 * 3 + 3)
    }

    @Test func jobsNeverChangeTheBytesOfASkippingRun() throws {
        let one = try temporaryFolder("one"), two = try temporaryFolder("two"), three = try temporaryFolder("three")
        try renderExhausting(into: one, count: 17, jobs: 1)
        try renderExhausting(into: two, count: 17, jobs: 2)
        try renderExhausting(into: three, count: 17, jobs: 3)
        try expectIdentical(one, two)
        try expectIdentical(one, three)
    }

    @Test func failStopsTheRunWithTheLocatedError() throws {
        let folder = try temporaryFolder()
        #expect {
            try renderExhausting(into: folder, count: 12, jobs: 1, policy: .fail)
        } throws: { error in
            guard case let .script(message) = error as? DatasetError else { return false }
            return message.hasPrefix("test.scene:6:9: error: requirement 'image_index % 5 != 3' was not met in 1 attempt")
                && message.contains("note: while sampling image 3 with seed 5")
                && message.contains("keeps the 3 image(s) finished before this one")
        }
        #expect(try filesBelow(folder)["manifest.json"] == nil)
        #expect(RenderOptions(count: 1, seed: 0, output: folder).onExhausted == .fail)
    }

    /// The CLI: the flag, its usage error, the summary and the exit code of a failing run.
    @Test func theFlagMapsToThePolicyAndAnUnknownValueIsAUsageError() throws {
        let folder = try temporaryFolder()
        let scene = folder.appendingPathComponent("test.scene")
        try Data(exhaustingScene.utf8).write(to: scene)
        let common = ["render", scene.path, "--count", "9", "--seed", "5"]
        let bad = try runTessera(common + ["--out", folder.appendingPathComponent("bad").path, "--on-exhausted", "ignore"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("'ignore' is invalid for '--on-exhausted"), "\(bad.stderr)")
        let failed = try runTessera(common + ["--out", folder.appendingPathComponent("fail").path])
        #expect(failed.status == 65)
        #expect(failed.stderr.contains("test.scene:6:9: error: requirement 'image_index % 5 != 3' was not met"), "\(failed.stderr)")
        let skipped = try runTessera(common + ["--out", folder.appendingPathComponent("skip").path, "--on-exhausted", "skip"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("acceptance: 7 of 9 images accepted in 9 attempts (77.8%)"), "\(skipped.stderr)")
        #expect(skipped.stderr.contains("test.scene:6:9: require image_index % 5 != 3: held 7 of 9 (77.8%)"))
        #expect(skipped.stderr.contains("left out 2 image(s) whose attempts were all rejected: 3, 8 "))
        // A scene without requirements prints no acceptance summary.
        let plain = folder.appendingPathComponent("plain.scene")
        try Data("canvas 32 x 32\nclasses disc\nobject disc at (16, 16) { circle(6) }\n".utf8).write(to: plain)
        let quiet = try runTessera(["render", plain.path, "--count", "2", "--out", folder.appendingPathComponent("plain").path])
        #expect(quiet.status == 0 && !quiet.stderr.contains("acceptance"), "\(quiet.stderr)")
    }
}
