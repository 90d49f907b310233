import Dataset
import DatasetTools
import Foundation
import SceneModel
import SceneScript
import Testing

/// `records.jsonl` (one line per written image: attempts, recorded values, parameters) and
/// instance `attributes` in annotations.
@Suite struct RecordsFileTests {
    private func program(_ text: String = parameterScene, _ overrides: [(String, String)] = [("hour", "19")]) throws -> SceneProgram {
        try SceneProgram.compile(SourceFile(path: "params.scene", text: text), resolver: InMemoryImportResolver(files: [], searchPaths: []),
                                 overrides: overrides.map { ParameterOverride(name: $0.0, text: $0.1, origin: "test") })
    }

    private func render(_ program: SceneProgram, into folder: URL, count: Int = 6, seed: UInt64 = 3, jobs: Int = 1,
                        shard: Shard? = nil, policy: ExhaustedPolicy = .fail) throws {
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: count, seed: seed, output: folder, jobs: jobs,
                                                                       shard: shard, onExhausted: policy)).run()
    }

    /// A recorded value as JSONSerialization reads it back.
    private func plain(_ value: RecordedValue) -> NSObject {
        switch value {
        case let .int(v): return NSNumber(value: v)
        case let .double(v): return NSNumber(value: v)
        case let .bool(v): return NSNumber(value: v)
        case let .string(v): return v as NSString
        case let .list(items): return items.map(plain) as NSArray
        }
    }

    /// Whether `read` (from JSONSerialization) is `value`. Doubles within 1e-15 relative:
    /// JSONSerialization on Linux may be off in the last bit of a shortest round-trip number
    /// (the file itself is exact; RasterFactsTests reads such numbers exactly with JSONDecoder).
    private func matches(_ read: Any?, _ value: RecordedValue) -> Bool {
        switch value {
        case let .double(v):
            guard let number = read as? NSNumber else { return false }
            return abs(number.doubleValue - v) <= 1e-15 * max(1, abs(v))
        case let .list(items):
            guard let array = read as? [Any], array.count == items.count else { return false }
            return zip(array, items).allSatisfy { matches($0, $1) }
        default:
            return (read as? NSObject)?.isEqual(plain(value)) == true
        }
    }

    @Test func eachLineHoldsTheValuesTheScriptSaw() throws {
        let program = try program()
        let folder = try temporaryFolder()
        try render(program, into: folder)
        let text = try String(contentsOf: folder.appendingPathComponent("records.jsonl"), encoding: .utf8)
        let lines = try jsonLines(folder.appendingPathComponent("records.jsonl"))
        #expect(lines.count == 6)
        for (index, line) in lines.enumerated() {
            let sample = try program.sampleMeasured(seed: 3, index: index)
            #expect(line["image_id"] as? Int == index + 1 && line["index"] as? Int == index)
            #expect(line["attempts"] as? Int == sample.report.attempts)
            #expect(line["stratum"] == nil)
            let values = line["values"] as! [String: Any]
            #expect(values.keys.sorted() == sample.scene.records.map(\.name).sorted())
            for record in sample.scene.records {
                #expect(matches(values[record.name], record.value), "\(record.name): \(String(describing: values[record.name])) vs \(record.value)")
            }
            let parameters = line["parameters"] as! [String: Any]
            #expect(parameters.count == 4 && parameters["size"] as? Int == 64 && parameters["hour"] as? Double == 19
                && parameters["weather"] as? String == "clear" && parameters["lit"] as? Bool == true)
        }
        // Keys in their documented order; the values in the order the script recorded them.
        let first = try #require(text.split(separator: "\n").first)
        #expect(first.hasPrefix(#"{"image_id":1,"index":0,"split":"default","attempts":1,"values":{"speed":["#))
        #expect(first.contains(##"],"hour":19.0,"weather":"clear","tint":"#"##))
        #expect(first.hasSuffix(#"]},"parameters":{"size":64,"hour":19.0,"weather":"clear","lit":true}}"#))
        #expect(text.hasSuffix("}\n"))
        // Listed in the manifest after annotations/instances_<split>.json.
        let manifest = try String(contentsOf: folder.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains(#"{"path":"annotations/instances_default.json""#) && manifest.contains(#"{"path":"records.jsonl""#))
        #expect(try DatasetValidator.validate(folder).isValid)
    }

    @Test func attributesAreInTheirAnnotations() throws {
        let program = try program()
        let folder = try temporaryFolder()
        try render(program, into: folder, count: 3)
        let document = try jsonObject(folder.appendingPathComponent("annotations/instances_default.json"))
        let annotations = document["annotations"] as! [[String: Any]]
        for annotation in annotations {
            let index = (annotation["image_id"] as! Int) - 1
            let instance = try program.sample(seed: 3, index: index).instances[(annotation["mask_id"] as! Int) - 1]
            if annotation["category_id"] as? Int == 1 {
                let attributes = try #require(annotation["attributes"] as? NSDictionary)
                #expect(attributes.isEqual(["speed": plain(instance.attributes[0].value), "lit": true]))
            } else {
                #expect(annotation["attributes"] == nil)  // a sign has none: no key
            }
        }
        #expect(annotations.contains { $0["attributes"] != nil })
        let text = try String(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"), encoding: .utf8)
        #expect(text.contains(#","z_order":1,"attributes":{"speed":"#))
    }

    @Test func recordsAreIdenticalAcrossJobsShardsAndMerge() throws {
        let program = try program()
        let one = try temporaryFolder("one"), two = try temporaryFolder("two")
        try render(program, into: one, count: 9, jobs: 1)
        try render(program, into: two, count: 9, jobs: 2)
        try expectIdentical(one, two)
        var shards: [URL] = []
        for k in 0..<3 {
            let shard = try temporaryFolder("shard\(k)")
            try render(program, into: shard, count: 9, jobs: 2, shard: Shard(index: k, count: 3))
            #expect(try DatasetValidator.validate(shard).isValid)
            shards.append(shard)
        }
        let merged = try temporaryFolder("merged")
        _ = try DatasetMerger.merge(shards: shards.reversed(), into: merged, overwrite: false)
        try expectIdentical(one, merged)
        #expect(try jsonLines(shards[1].appendingPathComponent("records.jsonl")).map { $0["index"] as! Int } == [3, 4, 5])
    }

    @Test func resumeGivesTheSameRecords() throws {
        let program = try program()
        let whole = try temporaryFolder("whole"), resumed = try temporaryFolder("resumed")
        try render(program, into: whole, count: 6)
        // Stop after image 2: a shard of the first half, its log put back as an interrupted run's.
        try render(program, into: resumed, count: 6, shard: Shard(index: 0, count: 2))
        for file in ["manifest.json", "annotations/instances_default.json", "records.jsonl"] {
            try FileManager.default.removeItem(at: resumed.appendingPathComponent(file))
        }
        let log = resumed.appendingPathComponent("shard.records")
        var text = try String(contentsOf: log, encoding: .utf8)
        text = text.replacingOccurrences(of: "S\t0\t3\n", with: "S\t0\t6\n")
        try FileManager.default.removeItem(at: log)
        try Data(text.utf8).write(to: resumed.appendingPathComponent(".tessera-records.partial"))
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 6, seed: 3, output: resumed, jobs: 2, resume: true)).run()
        try expectIdentical(whole, resumed)
    }

    @Test func skippedImagesHaveNoLineAndStrataAreNamed() throws {
        let folder = try temporaryFolder()
        try renderExhausting(into: folder, count: 10)
        let lines = try jsonLines(folder.appendingPathComponent("records.jsonl"))
        #expect(lines.map { $0["index"] as! Int } == [0, 1, 2, 4, 5, 6, 7, 9])
        #expect(lines.allSatisfy { ($0["values"] as! [String: Any]).isEmpty && ($0["parameters"] as! [String: Any]).isEmpty })
        #expect(try DatasetValidator.validate(folder).isValid)

        let quota = try temporaryFolder("quota")
        let program = try compile("canvas 40 x 40\nclasses a\nlet big = bernoulli(0.5)\nlet r = 3\nif big { r = 9 }\n"
            + "quota {\n  large 0.5: big\n  small 0.5: not big\n}\nobject a at (20, 20) { circle(r) }\nrecord big")
        try render(program, into: quota, count: 4)
        for line in try jsonLines(quota.appendingPathComponent("records.jsonl")) {
            let big = (line["values"] as! [String: Any])["big"] as! Bool
            #expect(line["stratum"] as? String == (big ? "large" : "small"))
        }
    }

    @Test(arguments: ["line", "id", "parameters", "count"])
    func validateCatchesATamperedRecordsFile(tamper: String) throws {
        let folder = try temporaryFolder()
        try render(try program(), into: folder, count: 3)
        let url = folder.appendingPathComponent("records.jsonl")
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        switch tamper {
        case "line": lines[1] = "not json"
        case "id": lines[1] = lines[1].replacingOccurrences(of: #""image_id":2,"#, with: #""image_id":7,"#)
        case "parameters": lines[2] = lines[2].replacingOccurrences(of: #""hour":19.0"#, with: #""hour":20.0"#)
        default: lines.removeLast()
        }
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        try data.write(to: url)
        // Make the manifest agree with the tampered file, so only the records check can catch it.
        let manifestURL = folder.appendingPathComponent("manifest.json")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        let entry = try #require(manifest.range(of: #"\{"path":"records.jsonl","bytes":\d+,"sha256":"[0-9a-f]+"\}"#, options: .regularExpression))
        let digest = sha256Hex(data)
        try Data(manifest.replacingCharacters(in: entry, with: #"{"path":"records.jsonl","bytes":\#(data.count),"sha256":"\#(digest)"}"#).utf8).write(to: manifestURL)
        let report = try DatasetValidator.validate(folder)
        #expect(!report.isValid)
        let expected = ["line": "records.jsonl:2: not a JSON object", "id": "records.jsonl:2: image_id 7 is not index + 1",
                        "parameters": "records.jsonl:3: parameters differ from manifest.json's options.parameters",
                        "count": "records.jsonl: 2 lines for 3 images in the instances files"][tamper]!
        #expect(report.faults.contains { $0.hasPrefix(expected) }, "\(report.faults)")
        #expect(report.faults.allSatisfy { $0.hasPrefix("records.jsonl") }, "\(report.faults)")
    }
}
