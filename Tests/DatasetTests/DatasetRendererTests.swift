import Annotation
import Dataset
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
        #expect(a.count == 11 * 3 + 2)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a { #expect(b[path] == data, "\(path) differs") }
    }

    @Test func annotationsAgreeWithTheWrittenMasks() throws {
        let folder = try temporaryFolder()
        let summary = try render(overlapScene, count: 4, jobs: 2, into: folder)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations.json"))) as! [String: Any]
        let images = document["images"] as! [[String: Any]]
        let annotations = document["annotations"] as! [[String: Any]]
        #expect(images.map { $0["id"] as! Int } == [1, 2, 3, 4])
        #expect(annotations.count == summary.annotations)
        #expect(annotations.map { $0["id"] as! Int } == Array(1...annotations.count))
        for image in images {
            let name = (image["file_name"] as! String).replacingOccurrences(of: "images/", with: "")
            let ids = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("masks/instance/\(name)")))
            let semantic = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("masks/semantic/\(name)")))
            #expect(ids.width == 96 && ids.height == 64 && ids.bitDepth == 16)
            let mine = annotations.filter { $0["image_id"] as! Int == image["id"] as! Int }
            var covered = 0
            for annotation in mine {
                let id = UInt16(annotation["instance_id"] as! Int)
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
        _ = try DatasetRenderer(program: try compile(overlapScene), options: options).run()
        let files = try filesBelow(folder)
        #expect(files["notes.txt"] == Data("keep me".utf8))
        #expect(files["images/photo.jpg"] == Data("mine".utf8), "a user's file survives --overwrite")
        #expect(files["images/000007.png"] == nil, "an old dataset's image is removed")
        #expect(files["images/000001.png"] != nil)
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
                && message.contains("as an unfinished run (no annotations.json yet); after fixing the script, run the command again with --overwrite")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("annotations.json").path))
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
