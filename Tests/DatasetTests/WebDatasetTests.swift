import Dataset
import DatasetExport
import Foundation
import SceneScript
import Testing

/// A ustar archive read back by the rules of the format (not by our writer's code): the
/// header checksum, the octal size, the padding, the end marker.
private func readTar(_ bytes: [UInt8]) throws -> [(name: String, contents: [UInt8])] {
    var members: [(String, [UInt8])] = []
    var offset = 0
    while true {
        let header = Array(bytes[offset..<(offset + 512)])
        if header.allSatisfy({ $0 == 0 }) {
            #expect(bytes.count == offset + 1024, "two zero blocks end the archive")
            #expect(bytes[offset...].allSatisfy { $0 == 0 })
            return members
        }
        func field(_ start: Int, _ length: Int) -> String {
            String(decoding: header[start..<(start + length)].prefix { $0 != 0 }, as: UTF8.self)
        }
        var summed = header
        summed.replaceSubrange(148..<156, with: Array(repeating: UInt8(ascii: " "), count: 8))
        let checksum = Int(field(148, 8).trimmingCharacters(in: .whitespaces), radix: 8)
        #expect(checksum == summed.reduce(0) { $0 + Int($1) })
        #expect(field(257, 6) == "ustar" && field(263, 2) == "00" && header[156] == UInt8(ascii: "0"))
        #expect(field(100, 8) == "0000644" && field(136, 12) == "00000000000")
        let size = try #require(Int(field(124, 12), radix: 8))
        members.append((field(0, 100), Array(bytes[(offset + 512)..<(offset + 512 + size)])))
        offset += 512 + (size + 511) / 512 * 512
        #expect(bytes[(offset - (size + 511) / 512 * 512 + size)..<offset].allSatisfy { $0 == 0 }, "padding is zeros")
    }
}

@Suite("WebDataset: tar members, samples, export and stream")
struct WebDatasetTests {
    @Test("ustar members: checksum, octal size, zero padding, end marker")
    func tarMembers() throws {
        var archive: [UInt8] = []
        TarArchive.appendMember(named: "000001.json", contents: Array("{}\n".utf8), to: &archive)
        TarArchive.appendMember(named: "000001.png", contents: [UInt8](repeating: 7, count: 512), to: &archive)
        TarArchive.appendMember(named: "empty", contents: [UInt8](), to: &archive)
        archive += TarArchive.end
        #expect(archive.count == 512 + 512 + 512 + 512 + 512 + 1024)
        let members = try readTar(archive)
        #expect(members.map(\.name) == ["000001.json", "000001.png", "empty"])
        #expect(members[0].contents == Array("{}\n".utf8) && members[1].contents.count == 512 && members[2].contents.isEmpty)
    }

    @Test("a sample's JSON: the records as the files hold them, annotations without their id")
    func sampleJSON() {
        let json = WebDatasetSample.json(image: Array(#"{"id":3,"file_name":"000002.png"}"#.utf8),
                                         record: Array(#"{"image_id":3,"index":2}"#.utf8),
                                         annotations: [Array(#"{"id":17,"image_id":3,"mask_id":1}"#.utf8),
                                                       Array(#"{"id":0,"image_id":3,"mask_id":2}"#.utf8)])
        #expect(String(decoding: json, as: UTF8.self)
            == #"{"image":{"id":3,"file_name":"000002.png"},"record":{"image_id":3,"index":2},"annotations":[{"image_id":3,"mask_id":1},{"image_id":3,"mask_id":2}]}"# + "\n")
    }

    @Test("the stream of a run is the export of its dataset, byte for byte, for any --jobs")
    func streamEqualsExport() throws {
        let folder = try temporaryFolder()
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent("scenes/shapes.scene").path)
        let split = try SplitPlan(parsing: "train=0.5,val=0.5")
        let dataset = folder.appendingPathComponent("d"), shards = folder.appendingPathComponent("w")
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 6, seed: 9, output: dataset, jobs: 2, split: split)).run()
        let summary = try DatasetExporter.export(dataset, format: .webdataset, to: shards, overwrite: false,
                                                 options: ExportOptions(samplesPerShard: 2))
        #expect(summary.images == 6)
        var exported: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: shards.path) where name.hasSuffix(".tar") {
            for member in try readTar(Array(try Data(contentsOf: shards.appendingPathComponent(name)))) {
                #expect(exported.updateValue(member.contents, forKey: member.name) == nil, "each member once")
            }
        }
        #expect(exported.count == 6 * 4)
        for jobs in [1, 2] {
            var stream: [UInt8] = []
            let streamed = try DatasetStream(program: program, options: RenderOptions(count: 6, seed: 9, output: folder.appendingPathComponent("unused"),
                                                                                     jobs: jobs, split: split)).run { stream += $0 }
            #expect(streamed.samples == 6)
            let members = try readTar(stream)
            #expect(members.map(\.name) == (0..<6).flatMap { i in
                [".png", ".instance.png", ".semantic.png", ".json"].map { String(format: "%06d", i) + $0 }
            }, "index order, four members a sample")
            for member in members { #expect(exported[member.name] == member.contents, "\(member.name)") }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("unused").path), "a stream writes no files")
        // Each sample's image and masks are the dataset's files.
        #expect(exported["000004.instance.png"].map { Data($0) } == (try Data(contentsOf: dataset.appendingPathComponent("masks/instance_ids/000004.png"))))
    }

    @Test("clips stream and export as samples CCCCCC_FFFFFF, the same bytes, split by clip")
    func clipStreamEqualsExport() throws {
        let folder = try temporaryFolder()
        let program = try compile("""
        canvas 32 x 24
        classes a
        clip frames: 2, fps: 2
        object a as d at (4 + 20 * time + uniform(0, 4), 12) { circle(3, fill: #c03030) }
        """)
        let split = try SplitPlan(parsing: "train=0.5,val=0.5")
        let options = { (output: URL, jobs: Int) in
            RenderOptions(count: 4, seed: 1, output: output, jobs: jobs, split: split, clip: program.clip)
        }
        let dataset = folder.appendingPathComponent("d"), shards = folder.appendingPathComponent("w")
        _ = try DatasetRenderer(program: program, options: options(dataset, 2)).run()
        _ = try DatasetExporter.export(dataset, format: .webdataset, to: shards, overwrite: false)
        var exported: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: shards.path) where name.hasSuffix(".tar") {
            for member in try readTar(Array(try Data(contentsOf: shards.appendingPathComponent(name)))) {
                #expect(exported.updateValue(member.contents, forKey: member.name) == nil, "each member once")
            }
        }
        var stream: [UInt8] = []
        let streamed = try DatasetStream(program: program, options: options(folder.appendingPathComponent("unused"), 3)).run { stream += $0 }
        #expect(streamed.samples == 8)
        let members = try readTar(stream)
        #expect(members.map(\.name) == (0..<4).flatMap { c in (0..<2).flatMap { f in
            [".png", ".instance.png", ".semantic.png", ".json"].map { String(format: "%06d_%06d", c, f) + $0 }
        } })
        for member in members { #expect(exported[member.name] == member.contents, "\(member.name)") }
        #expect(exported.count == members.count)
        // Both frames of a clip carry the same split in their records.
        for c in 0..<4 {
            let splits = (0..<2).map { f in
                let json = String(decoding: exported[String(format: "%06d_%06d.json", c, f)]!, as: UTF8.self)
                return json.contains("\"split\":\"train\"") ? "train" : "val"
            }
            #expect(splits[0] == splits[1], "clip \(c)")
        }
    }

    @Test("a dataset without records.jsonl cannot be exported as WebDataset, and nothing is written")
    func missingRecords() throws {
        let folder = try temporaryFolder()
        let dataset = folder.appendingPathComponent("d"), shards = folder.appendingPathComponent("w")
        _ = try DatasetRenderer(program: try compile("canvas 32 x 32\nclasses a\nobject a at (16, 16) { circle(6) }"),
                                options: RenderOptions(count: 2, seed: 1, output: dataset, jobs: 1)).run()
        try FileManager.default.removeItem(at: dataset.appendingPathComponent("records.jsonl"))
        #expect {
            try DatasetExporter.export(dataset, format: .webdataset, to: shards, overwrite: false)
        } throws: { error in
            guard case let DatasetError.invalidDataset(message) = error else { return false }
            return message.contains("records.jsonl")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: shards.path)) ?? []).filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
