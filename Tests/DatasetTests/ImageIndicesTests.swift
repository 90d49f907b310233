import Dataset
import DatasetTools
import Foundation
import Testing

/// `ImageIndices` and runs of chosen images (`render --indices`).
@Suite struct ImageIndicesTests {
    // MARK: - The set

    @Test func parsingSortsMergesAndPrintsCanonically() throws {
        let set = try ImageIndices(parsing: " 40-59, 17,3-4,5 ,18,50-52 ")
        #expect(set.ranges == [3..<6, 17..<19, 40..<60])
        #expect(set.count == 25 && set.description == "3-5,17-18,40-59" && !set.isContiguous)
        #expect(set.span == 3..<60)
        #expect(Array(set.prefix(6)) == [3, 4, 5, 17, 18, 40])
        #expect((0..<set.count).map { set[$0] } == Array(set))
        #expect([2, 3, 5, 6, 16, 17, 19, 40, 59, 60].map(set.contains) == [false, true, true, false, false, true, false, true, true, false])
        #expect(try ImageIndices(parsing: "7") == ImageIndices(7..<8))
        #expect(try ImageIndices(parsing: "0-2,3-4") == ImageIndices(0..<5))
        // An empty range keeps where it lies (an empty shard's slice).
        #expect(ImageIndices(4..<4).span == 4..<4 && ImageIndices(4..<4).isEmpty)
    }

    @Test(arguments: [
        ("", "--indices: the list of images is empty"),
        ("17,,40", "--indices: '17,,40' has an empty item"),
        ("-3", "--indices: '-3' is negative (indices count from 0)"),
        ("59-40", "--indices: the range '59-40' is reversed; write 40-59"),
        ("4-x", "--indices: 'x' is not a whole number"),
        ("1.5", "--indices: '1.5' is not a whole number"),
        ("3-", "--indices: '3-' is not a range FIRST-LAST of indices from 0"),
        ("1-2-3", "--indices: '1-2-3' is not an index or a range FIRST-LAST"),
        ("100000000", "--indices: 100000000 is too large (indices are below 100000000)"),
    ])
    func malformedListsAreUsageErrorsNamingTheFlag(text: String, message: String) {
        #expect(throws: DatasetError.usage(message + "; give image indices and ranges counted from 0, e.g. 17,40-59")) {
            try ImageIndices(parsing: text)
        }
    }

    @Test func theSetMustLieInTheRunAndExcludesShards() throws {
        let folder = try temporaryFolder()
        var options = RenderOptions(count: 16, seed: 0, output: folder, indices: try ImageIndices(parsing: "3,17"))
        #expect(throws: DatasetError.usage("--indices: image 17 is not in the run (--count 16 holds images 0…15); --count is the size of the whole run the indices are taken from: pass the full run's --count")) {
            try options.validate()
        }
        options.count = 18
        try options.validate()
        options.shard = Shard(index: 0, count: 2)
        #expect { try options.validate() } throws: { "\($0)".contains("--indices and --shard exclude each other") }
    }

    // MARK: - Runs of chosen images

    /// Images 1, 4-5 and 7 of a shipped scene equal the whole run's, byte for byte; the
    /// annotations are the whole run's of those images (ids renumbered 1, 2, … as always).
    @Test func chosenImagesAreTheWholeRunsBytes() throws {
        let whole = try temporaryFolder("whole"), chosen = try temporaryFolder("chosen")
        let common = ["render", "scenes/shapes.scene", "--count", "9", "--seed", "5", "--quiet"]
        let full = try runTessera(common + ["--out", whole.path])
        #expect(full.status == 0, "\(full.stderr)")
        let part = try runTessera(common + ["--out", chosen.path, "--indices", "7,4-5,1"])
        #expect(part.status == 0, "\(part.stderr)")

        let wholeFiles = try filesBelow(whole), chosenFiles = try filesBelow(chosen)
        let perImage = chosenFiles.keys.filter { $0.hasPrefix("images/") || $0.hasPrefix("masks/") }.sorted()
        #expect(perImage == ["000001", "000004", "000005", "000007"].flatMap {
            ["images/\($0).png", "masks/instance_ids/\($0).png", "masks/semantic/\($0).png"]
        }.sorted())
        for path in perImage { #expect(chosenFiles[path] == wholeFiles[path], "\(path)") }

        let a = try jsonObject(whole.appendingPathComponent("annotations/instances_default.json"))
        let b = try jsonObject(chosen.appendingPathComponent("annotations/instances_default.json"))
        let ids: Set<Int> = [2, 5, 6, 8]
        let wholeImages = (a["images"] as! [[String: Any]]).filter { ids.contains($0["id"] as! Int) }
        #expect(NSArray(array: wholeImages).isEqual(to: b["images"] as! [[String: Any]]))
        func withoutID(_ annotations: Any?) -> [NSDictionary] {
            (annotations as! [[String: Any]]).map { var a = $0; a["id"] = nil; return NSDictionary(dictionary: a) }
        }
        let wholeAnnotations = withoutID(a["annotations"]).filter { ids.contains($0["image_id"] as! Int) }
        #expect(!wholeAnnotations.isEmpty && wholeAnnotations == withoutID(b["annotations"]))
        #expect((b["annotations"] as! [[String: Any]]).map { $0["id"] as! Int } == Array(1...wholeAnnotations.count))
        #expect(NSDictionary(dictionary: a["info"] as! [String: Any]) == NSDictionary(dictionary: b["info"] as! [String: Any]))
        #expect(NSArray(array: a["categories"] as! [Any]).isEqual(to: b["categories"] as! [Any]))

        // The manifest records the set, canonical; validate accepts it.
        let manifest = try jsonObject(chosen.appendingPathComponent("manifest.json"))
        #expect(manifest["indices"] as? String == "1,4-5,7" && manifest["count"] as? Int == 9)
        let valid = try runTessera(["validate", chosen.path])
        #expect(valid.status == 0 && valid.stdout.contains("valid: 4 images"), "\(valid.stdout)\(valid.stderr)")
    }

    @Test func validateCatchesAListedImageThatIsMissingAndOneThatIsNotInTheSet() throws {
        let folder = try temporaryFolder()
        try renderExhausting(into: folder, count: 12, indices: try ImageIndices(parsing: "1-4,9"))
        // Image 3 is left out (attempts exhausted), so it is in the manifest's skipped list.
        #expect(try DatasetValidator.validate(folder).isValid)
        let manifest = try jsonObject(folder.appendingPathComponent("manifest.json"))
        let skipped = (manifest["acceptance"] as! [String: Any])["skipped_images"] as! [[String: Any]]
        #expect(skipped.map { $0["index"] as! Int } == [3])

        // Drop image 9's entry from annotations/instances_<split>.json: the validator names it.
        let url = folder.appendingPathComponent("annotations/instances_default.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let entry = text.split(separator: "\n").first { $0.contains("\"id\":10,") && $0.contains("file_name") }!
        try Data(text.replacingOccurrences(of: entry + "\n", with: "").utf8).write(to: url)
        let report = try DatasetValidator.validate(folder)
        #expect(report.faults.contains("annotations/: image 9 (id 10) is missing, and manifest.json does not list it as skipped"), "\(report.faults)")

        // An image outside the set is named as such.
        let other = try temporaryFolder("other")
        try renderExhausting(into: other, count: 12, indices: try ImageIndices(parsing: "1-2,9"))
        let manifestURL = other.appendingPathComponent("manifest.json")
        let manifestText = try String(contentsOf: manifestURL, encoding: .utf8)
        try Data(manifestText.replacingOccurrences(of: "\"indices\":\"1-2,9\"", with: "\"indices\":\"1-2\"").utf8).write(to: manifestURL)
        let outside = try DatasetValidator.validate(other)
        #expect(outside.faults.contains("annotations/: image id 10 is outside the run's images 2…3"), "\(outside.faults)")
    }

    @Test func aFinishedRunResumesOnlyWithTheSameSet() throws {
        let folder = try temporaryFolder()
        let set = try ImageIndices(parsing: "0-2,6")
        try renderExhausting(into: folder, count: 12, indices: set)
        #expect(try renderExhausting(into: folder, count: 12, resume: true, indices: set).rendered == 0)
        #expect {
            try renderExhausting(into: folder, count: 12, resume: true, indices: try ImageIndices(parsing: "0-2,7"))
        } throws: { "\($0)".contains("it holds a finished dataset of another run (indices 0-2,6 there, 0-2,7 here)") }
        #expect {
            try renderExhausting(into: folder, count: 12, resume: true)
        } throws: { "\($0)".contains("indices 0-2,6 there, none here") }
    }

    /// The binary killed with SIGKILL part-way through a run of chosen images, then resumed.
    @Test func aKilledRunOfChosenImagesResumesToTheUninterruptedBytes() throws {
        let folder = try temporaryFolder()
        let scene = folder.appendingPathComponent("small.scene")
        try Data(exhaustingScene.replacingOccurrences(of: "require image_index % 5 != 3\n", with: "").utf8).write(to: scene)
        let whole = folder.appendingPathComponent("whole"), killed = folder.appendingPathComponent("killed")
        let command = ["render", scene.path, "--count", "3000", "--indices", "5-400,990,1500-1899", "--seed", "4", "--quiet"]
        let reference = try runTessera(command + ["--out", whole.path])
        #expect(reference.status == 0, "\(reference.stderr)")

        let binary = ProcessInfo.processInfo.environment["TESSERA_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/tessera").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = command + ["--out", killed.path]
        try process.run()
        let log = killed.appendingPathComponent(".tessera-records.partial")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.components(separatedBy: "\nE\t").count > 40 { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")

        let other = try runTessera(["render", scene.path, "--count", "3000", "--indices", "5-400", "--seed", "4", "--out", killed.path, "--resume"])
        #expect(other.status == 64 && other.stderr.contains("indices 5-400,990,1500-1899 there, 5-400 here"), "\(other.stderr)")
        let resumed = try runTessera(command + ["--out", killed.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try expectIdentical(whole, killed)
    }

    @Test func mergeRefusesARunOfChosenImages() throws {
        let a = try temporaryFolder("a")
        try renderExhausting(into: a, count: 12, indices: try ImageIndices(parsing: "0-5"))
        #expect {
            try DatasetMerger.merge(shards: [a], into: try temporaryFolder("out"), overwrite: false)
        } throws: { "\($0)".contains("holds chosen images (render --indices 0-5), not a shard") }
    }

    // MARK: - The command line

    @Test(arguments: [
        (["--indices", "5-2"], "--indices: the range '5-2' is reversed; write 2-5"),
        (["--indices", ""], "--indices: the list of images is empty"),
        (["--indices", "-1"], "--indices: '-1' is negative"),
        (["--indices", "3,x"], "--indices: 'x' is not a whole number"),
        (["--indices", "20"], "--indices: image 20 is not in the run (--count 16 holds images 0…15)"),
        (["--indices", "2", "--shard", "0/2"], "--indices and --shard exclude each other"),
    ])
    func theCommandLineNamesTheFlag(arguments: [String], message: String) throws {
        let out = try temporaryFolder()
        let result = try runTessera(["render", "scenes/shapes.scene", "--out", out.path] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try filesBelow(out).isEmpty)
    }
}
