import Annotation
import DatasetReading
import Foundation
import Testing

/// `DatasetReader` on a dataset the binary renders, against the same files parsed by
/// `JSONSerialization` (integers, strings) and the writer's own formula (doubles, exactly).
@Suite struct DatasetReaderTests {
    private func render(_ scene: String, count: Int, seed: Int = 1) throws -> URL {
        let out = try temporaryFolder().appendingPathComponent("dataset")
        let result = try runTessera(["render", scene, "--count", "\(count)", "--seed", "\(seed)", "--out", out.path, "--quiet"])
        try #require(result.status == 0, "\(result.stderr)")
        return out
    }

    @Test func readsARenderedDatasetExactly() throws {
        let folder = try render("scenes/occlusion_pairs.scene", count: 8)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        let images = document["images"] as! [[String: Any]], annotations = document["annotations"] as! [[String: Any]]
        let reader = try DatasetReader(folder)

        var seenImages = 0, seen: [COCOFile.Annotation] = []
        try reader.forEachImage { image, group in
            let expected = images[seenImages]
            #expect(image.id == expected["id"] as? Int && image.fileName == expected["file_name"] as? String)
            #expect(image.width == expected["width"] as? Int && image.height == expected["height"] as? Int)
            #expect(group.allSatisfy { $0.imageID == image.id })
            seenImages += 1
            seen += group
            return true
        }
        #expect(seenImages == images.count)
        try #require(seen.count == annotations.count && !seen.isEmpty)
        for (read, parsed) in zip(seen, annotations) {
            #expect(read.id == parsed["id"] as? Int && read.categoryID == parsed["category_id"] as? Int)
            #expect(read.area == parsed["area"] as? Int && read.amodalArea == parsed["amodal_area"] as? Int)
            #expect(read.bbox == (parsed["bbox"] as? [Int])?.map(Double.init))
            #expect(read.instanceID == parsed["mask_id"] as? Int && read.zOrder == read.instanceID)
            guard case let .rle(rle) = read.segmentation else { Issue.record("annotation \(read.id) has no RLE"); continue }
            #expect(rle.counts == (parsed["segmentation"] as? [String: Any])?["counts"] as? String)
            // Exact: the writer's Double(area) / Double(amodal area), shortest round-trip text.
            #expect(read.visibleFraction == Double(read.area) / Double(read.amodalArea ?? 0))
            let hidden = read.occluders?.reduce(0) { $0 + $1.pixels }
            #expect(hidden == (read.amodalArea ?? 0) - read.area)
        }
        #expect(try reader.categories().map(\.name) == (document["categories"] as! [[String: Any]]).map { $0["name"] as! String })

        let manifest = try reader.manifest()
        #expect(manifest.tool == "tessera" && manifest.seed == 1 && manifest.count == 8)
        #expect(manifest.scene.name == "occlusion_pairs" || manifest.scene.sources.first?.name == "occlusion_pairs.scene")
        let acceptance = try #require(manifest.acceptance)
        #expect(acceptance.images == 8 && !acceptance.requirements.isEmpty)
        #expect(acceptance.requirements.allSatisfy { $0.checked >= $0.held && $0.held > 0 })

        let records = try #require(try reader.records())
        var lines: [ImageRecord] = []
        while let line = try records.next() { lines.append(line) }
        #expect(lines.map(\.imageID) == images.map { $0["id"] as! Int })
        #expect(lines.map(\.attempts).reduce(0, +) == acceptance.attempts)
    }

    @Test func filesListIsStreamedEntryByEntry() throws {
        let folder = try render("scenes/occlusion_pairs.scene", count: 3)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("manifest.json"))) as! [String: Any]
        let listed = (manifest["files"] as! [[String: Any]]).map { "\($0["path"] as! String) \($0["bytes"] as! Int) \($0["sha256"] as! String)" }
        let reader = try DatasetReader(folder)
        var read: [String] = []
        try reader.forEachFile { read.append("\($0.path) \($0.bytes) \($0.sha256)"); return true }
        #expect(read == listed && read.count == 3 * 3 + 3)  // images and masks, annotations/instances_<split>.json, records.jsonl, classes.json
        var first: [String] = []
        try reader.forEachFile { first.append("\($0.path) \($0.bytes) \($0.sha256)"); return first.count < 2 }
        #expect(first == Array(listed.prefix(2)))
    }

    /// A list of many entries crosses the reader's 1 MiB chunks; the padding puts the
    /// `,"files":[` marker itself across the first boundary.
    @Test func filesListCrossesChunks() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("manifest.json")
        let digest = String(repeating: "ab", count: 32)
        let entries = (0..<30_000).map { #"{"path":"images/\#(String(format: "%06d", $0)).png","bytes":\#($0),"sha256":"\#(digest)"}"# }
        let padding = String(repeating: "x", count: (1 << 20) - 15)
        try Data((#"{"tool":"\#(padding)","files":["# + entries.joined(separator: ",") + #"],"acceptance":{}}"# + "\n").utf8).write(to: url)
        var count = 0
        try DatasetReader(folder).forEachFile { entry in
            #expect(entry.bytes == count && entry.sha256 == digest)
            count += 1
            return true
        }
        #expect(count == 30_000)

        try Data(#"{"tool":"tessera","files":[{"path":"a","bytes":1,"sha256":"00"},{"path":"b","#.utf8).write(to: url)
        #expect(throws: DatasetReadError.malformed(path: url.path, line: 0, reason: #"its "files" list is cut short"#)) {
            try DatasetReader(folder).forEachFile { _ in true }
        }
        try Data(#"{"tool":"tessera","files":[{"path":"a","sha256":"00"}]}"#.utf8).write(to: url)
        #expect(throws: DatasetReadError.malformed(path: url.path, line: 0, reason: #"ManifestFile lacks "bytes""#)) {
            try DatasetReader(folder).forEachFile { _ in true }
        }
        try Data(#"{"tool":"tessera"}"#.utf8).write(to: url)
        #expect(throws: DatasetReadError.malformed(path: url.path, line: 0, reason: #"not a Tessera manifest (no "files" list)"#)) {
            try DatasetReader(folder).forEachFile { _ in true }
        }
    }

    /// A records line that does not decode leaves the cursor on the next; a torn last line
    /// (no newline) is told apart.
    @Test func recordsCursorGoesOnAfterAMalformedLine() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("records.jsonl")
        let line = #"{"image_id":1,"index":0,"attempts":1,"values":{},"parameters":{}}"#
        try Data("\(line)\nnot json\n\(line)".utf8).write(to: url)
        let records = try #require(try DatasetReader(folder).records())
        #expect(try records.next()?.imageID == 1 && records.isLineTerminated)
        #expect(throws: DatasetReadError.malformed(path: url.path, line: 2, reason: "not JSON")) { try records.next() }
        #expect(try records.next()?.index == 0 && records.lineNumber == 3 && !records.isLineTerminated)
        #expect(try records.next() == nil)
    }

    @Test func malformedRecordNamesFileLineAndField() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("annotations/instances_default.json")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("""
        {"info":{},
        "licenses":[],
        "images":[
        {"id":1,"file_name":"000000.png","width":4},
        ],
        """.utf8).write(to: file)
        let images = try DatasetReader(folder).images(split: "default")
        #expect(throws: DatasetReadError.malformed(path: file.path, line: 4, reason: "Image lacks \"height\"")) { try images.next() }

        try Data("{\"info\":{},\n\"images\":[\n{\"id\":1,oops},\n".utf8).write(to: file)
        let broken = try DatasetReader(folder).images(split: "default")
        #expect(throws: DatasetReadError.malformed(path: file.path, line: 3, reason: "not JSON")) { try broken.next() }
        #expect(throws: DatasetReadError.missingFile(path: folder.appendingPathComponent("manifest.json").path)) {
            try DatasetReader(folder).manifest()
        }
        #expect(throws: DatasetReadError.noSuchFolder(path: folder.appendingPathComponent("none").path)) {
            try DatasetReader(folder.appendingPathComponent("none"))
        }
    }
}
