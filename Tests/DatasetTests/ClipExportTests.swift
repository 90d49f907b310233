import Dataset
import DatasetExport
import DatasetTools
import Foundation
import SceneScript
import Testing

/// Clips and the still-image world: `--split` deals whole clips, and every still-image
/// export names a frame `CCCCCC_FFFFFF` (clip, frame), so frames of different clips never
/// share a name.
@Suite struct ClipExportTests {
    private static let scene = """
    canvas 48 x 32
    classes car, person
    clip frames: 3, fps: 3
    background #202020
    object person at (24, 16) { rectangle(4, 12, fill: #30c030) }
    object car at (-10 + 30 * time + uniform(0, 10), 16) { rectangle(16, 10, fill: #c03030) }
    """
    private static let split = try! SplitPlan(parsing: "train=0.5,val=0.5")

    private func options(_ folder: URL, jobs: Int = 1, shard: Shard? = nil) throws -> RenderOptions {
        RenderOptions(count: 4, seed: 2, output: folder, jobs: jobs, shard: shard, split: Self.split,
                      clip: try compile(Self.scene).clip)
    }

    private func render(_ options: RenderOptions) throws {
        _ = try DatasetRenderer(program: try compile(Self.scene), options: options).run()
    }

    /// `video_id` → the splits its frames are in, read from the instances files.
    private func clipSplits(_ folder: URL) throws -> [Int: Set<String>] {
        var found: [Int: Set<String>] = [:]
        for split in ["train", "val"] {
            let document = try jsonObject(folder.appendingPathComponent("annotations/instances_\(split).json"))
            for image in document["images"] as! [[String: Any]] { found[image["video_id"] as! Int, default: []].insert(split) }
        }
        return found
    }

    @Test func splitsDealWholeClipsTheSameForAnyJobsAndShards() throws {
        let whole = try temporaryFolder("whole")
        try render(options(whole))
        let splits = try clipSplits(whole)
        #expect(splits.keys.sorted() == [1, 2, 3, 4])
        #expect(splits.values.allSatisfy { $0.count == 1 }, "no clip straddles two splits: \(splits)")
        #expect(splits.values.filter { $0 == ["train"] }.count == 2, "half the clips train")
        let records = try jsonLines(whole.appendingPathComponent("records.jsonl"))
        for record in records {
            let clip = (record["index"] as! Int) / 3 + 1
            #expect(splits[clip] == [record["split"] as! String])
        }
        #expect(try runTessera(["validate", whole.path]).status == 0)

        let parallel = try temporaryFolder("parallel")
        try render(options(parallel, jobs: 3))
        try expectIdentical(whole, parallel)
        var shards: [URL] = []
        for k in 0..<2 {
            let folder = try temporaryFolder("shard\(k)")
            try render(options(folder, jobs: 2, shard: Shard(index: k, count: 2)))
            shards.append(folder)
        }
        let merged = try temporaryFolder("merged")
        _ = try DatasetMerger.merge(shards: shards, into: merged, overwrite: false)
        try expectIdentical(whole, merged)
    }

    @Test func videoFormatsWriteTheSameBytesWhateverTheJobs() throws {
        let dataset = try temporaryFolder("dataset")
        try render(options(dataset))
        for format in [ExportFormat.youtubeVIS, .mot] {
            var outputs: [URL] = []
            for jobs in [1, 3] {
                let out = try temporaryFolder("\(format.rawValue)-\(jobs)").appendingPathComponent("out")
                _ = try DatasetExporter.export(dataset, format: format, to: out, overwrite: false, options: ExportOptions(jobs: jobs))
                outputs.append(out)
            }
            try expectIdentical(outputs[0], outputs[1])
        }
    }

    @Test func stillImageExportsNameFramesByClipAndFrame() throws {
        let dataset = try temporaryFolder("dataset")
        try render(options(dataset))
        let splits = try clipSplits(dataset)
        let frames = (0..<4).flatMap { c in (0..<3).map { f in String(format: "%06d_%06d", c, f) } }
        func names(_ folder: URL, _ sub: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(sub).path).sorted()
        }
        func trainFrames(_ prefix: String = "", _ suffix: String = "") -> [String] {
            frames.filter { splits[Int($0.prefix(6))! + 1] == ["train"] }.map { prefix + $0 + suffix }
        }
        for format in [ExportFormat.yolo, .yoloSegmentation] {
            let out = try temporaryFolder("\(format.rawValue)").appendingPathComponent("out")
            let summary = try DatasetExporter.export(dataset, format: format, to: out, overwrite: false)
            #expect(summary.images == 12)
            #expect(try names(out, "images") == frames.map { $0 + ".png" })
            #expect(try names(out, "labels") == frames.map { $0 + ".txt" })
            let list = try String(contentsOf: out.appendingPathComponent("train.txt"), encoding: .utf8)
            #expect(list.split(separator: "\n").map(String.init) == trainFrames("./images/", ".png"))
        }
        let voc = try temporaryFolder("voc").appendingPathComponent("out")
        _ = try DatasetExporter.export(dataset, format: .voc, to: voc, overwrite: false)
        #expect(try names(voc, "Annotations") == frames.map { $0 + ".xml" })
        #expect(try names(voc, "SegmentationObject") == frames.map { $0 + ".png" })
        let vocTrain = try String(contentsOf: voc.appendingPathComponent("ImageSets/Main/train.txt"), encoding: .utf8)
        #expect(vocTrain.split(separator: "\n").map(String.init) == trainFrames())
        let xml = try String(contentsOf: voc.appendingPathComponent("Annotations/000002_000001.xml"), encoding: .utf8)
        #expect(xml.contains("<filename>000002_000001.png</filename>"))

        let panoptic = try temporaryFolder("panoptic").appendingPathComponent("out")
        _ = try DatasetExporter.export(dataset, format: .cocoPanoptic, to: panoptic, overwrite: false)
        var panopticNames: [String] = []
        for split in ["train", "val"] {
            let document = try jsonObject(panoptic.appendingPathComponent("annotations/panoptic_\(split).json"))
            panopticNames += (document["images"] as! [[String: Any]]).map { $0["file_name"] as! String }
        }
        #expect(panopticNames.sorted() == frames.map { $0 + ".png" })
    }

    /// A person hidden behind a wall in frames 1 and 2 of 4 has no annotation there but is
    /// listed in the frame's `unannotated_tracks` with its amodal box and visibility 0; a
    /// disc wholly off the canvas is not listed; validate accepts the dataset.
    @Test func hiddenObjectsAreListedAsUnannotatedTracks() throws {
        let program = try compile("""
        canvas 40 x 20
        classes person, wall
        clip frames: 4, fps: 1
        background #000000
        object person at (6 + 10 * time, 10) { rectangle(4, 10, fill: #30c030) }
        object person at (-30, 10) { circle(3) }
        object wall at (21, 10) { rectangle(16, 20, fill: #808080) }
        """)
        let folder = try temporaryFolder()
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 1, seed: 0, output: folder, jobs: 1, clip: program.clip)).run()
        let document = try jsonObject(folder.appendingPathComponent("annotations/instances_default.json"))
        let images = (document["images"] as! [[String: Any]]).sorted { ($0["frame_id"] as! Int) < ($1["frame_id"] as! Int) }
        let annotations = document["annotations"] as! [[String: Any]]
        for (frame, image) in images.enumerated() {
            let personBoxes = annotations.filter { $0["image_id"] as! Int == image["id"] as! Int && $0["track_id"] as! Int == 1 }
            let hidden = image["unannotated_tracks"] as? [[String: Any]]
            // The person's box: columns 4 + 10 f … 7 + 10 f; the wall covers columns 13…28.
            let box = [4 + 10 * frame, 5, 4, 10]
            if frame == 1 || frame == 2 {
                #expect(personBoxes.isEmpty, "frame \(frame)")
                #expect(hidden?.count == 1)
                #expect(hidden?.first?["track_id"] as? Int == 1 && hidden?.first?["category_id"] as? Int == 1)
                #expect(hidden?.first?["amodal_bbox"] as? [Int] == box)
                #expect(hidden?.first?["visible_fraction"] as? Double == 0 && hidden?.first?["amodal_area"] as? Int == 40)
            } else {
                #expect(personBoxes.count == 1 && hidden == nil, "frame \(frame)")
                #expect(personBoxes.first?["amodal_bbox"] as? [Int] == box)
            }
        }
        #expect(try runTessera(["validate", folder.path]).status == 0)
        let mot = try temporaryFolder("mot").appendingPathComponent("out")
        _ = try DatasetExporter.export(folder, format: .mot, to: mot, overwrite: false)
        let lines = try String(contentsOf: mot.appendingPathComponent("000000/gt/gt.txt"), encoding: .utf8)
        #expect(lines.split(separator: "\n").filter { $0.hasPrefix("2,1,") || $0.hasPrefix("3,1,") }
                == ["2,1,14,5,4,10,1,1,0", "3,1,24,5,4,10,1,1,0"])
    }

    /// `tessera validate` finds numbered files in clip folders that the manifest does not list
    /// (a stray frame, a stray clip folder), and leaves a user's own files alone.
    @Test func validateFindsStrayFramesInClipFolders() throws {
        let folder = try temporaryFolder()
        try render(RenderOptions(count: 2, seed: 2, output: folder, jobs: 1, clip: try compile(Self.scene).clip))
        #expect(try DatasetValidator.validate(folder).isValid)
        let fm = FileManager.default
        let frame = folder.appendingPathComponent("images/000001/000002.png")
        try fm.copyItem(at: frame, to: folder.appendingPathComponent("images/000001/000009.png"))
        try fm.createDirectory(at: folder.appendingPathComponent("masks/semantic/000007"), withIntermediateDirectories: false)
        try fm.copyItem(at: folder.appendingPathComponent("masks/semantic/000001/000000.png"),
                        to: folder.appendingPathComponent("masks/semantic/000007/000000.png"))
        try Data("mine".utf8).write(to: folder.appendingPathComponent("images/000001/notes.txt"))
        let report = try DatasetValidator.validate(folder)
        #expect(report.faults.contains { $0.contains("images/000001/000009.png: present but not listed in manifest.json") }, "\(report.faults)")
        #expect(report.faults.contains { $0.contains("masks/semantic/000007/000000.png: present but not listed in manifest.json") })
        #expect(report.faults.count == 2, "notes.txt is the user's: \(report.faults)")
    }
}
