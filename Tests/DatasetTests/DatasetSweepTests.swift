import Dataset
import DatasetTools
import Foundation
import SceneScript
import Testing

/// A scene with a parameter that changes the objects' size.
private let sweptScene = """
param size = 8 in [2, 20]
canvas 96 x 64
classes disc, plate
background #203040
repeat randint(2, 5) {
  object disc at (uniform(0, width), uniform(0, height)) { circle(uniform(2, size), fill: #e0a020) }
  object plate at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(size, uniform(6, 20), fill: #c0c0c0) }
}
"""

/// `sweptScene` written to a file (the command line needs a path).
private func sceneFile() throws -> URL {
    let url = try temporaryFolder("scene").appendingPathComponent("swept.scene")
    try Data(sweptScene.utf8).write(to: url)
    return url
}

private func compileSwept(_ overrides: [ParameterOverride]) throws -> SceneProgram {
    try SceneProgram.compile(SourceFile(path: "swept.scene", text: sweptScene),
                             resolver: InMemoryImportResolver(files: [], searchPaths: []), overrides: overrides)
}

@Suite struct DatasetSweepTests {
    @Test func parsingTheVariation() throws {
        let variation = try SweepVariation(parsing: "size=4, 12,#ff8800")
        #expect(variation == SweepVariation(parameter: "size", values: ["4", "12", "#ff8800"]))
        #expect(variation.folder(for: "12") == "size=12")
    }

    @Test(arguments: [
        ("size", "no '='"),
        ("=1,2", "no parameter name"),
        ("size=", "no values"),
        ("size=1,,2", "an empty value"),
        ("size=4,4", "the value '4' is listed twice"),
        ("mode=a/b", "the value 'a/b' cannot be part of a folder name"),
    ])
    func malformedVariationsAreUsageErrorsNamingTheFlag(text: String, problem: String) {
        #expect { try SweepVariation(parsing: text) } throws: { error in
            "\(error)".hasPrefix("error: --vary \(text): \(problem)") && "\(error)".contains("write --vary NAME=V1,V2,…")
        }
    }

    /// Each value's dataset is the dataset a plain render with that override writes, and
    /// validates; sweep.json names them.
    @Test func eachValuesDatasetIsAPlainRenderWithThatValue() throws {
        let out = try temporaryFolder("sweep")
        let options = RenderOptions(count: 5, seed: 11, output: out, jobs: 2)
        let sweep = try DatasetSweep(variation: SweepVariation(parameter: "size", values: ["4", "16"]), options: options,
                                     compile: compileSwept)
        let summaries = try sweep.run()
        #expect(summaries.map(\.images) == [5, 5])
        for value in ["4", "16"] {
            let plain = try temporaryFolder("plain\(value)")
            let program = try compileSwept([ParameterOverride(name: "size", text: value, origin: "test")])
            _ = try DatasetRenderer(program: program, options: RenderOptions(count: 5, seed: 11, output: plain, jobs: 1)).run()
            let member = out.appendingPathComponent("size=\(value)")
            try expectIdentical(plain, member)
            #expect(try DatasetValidator.validate(member).isValid)
        }
        // The value changed the data: the two datasets differ.
        #expect(try filesBelow(out.appendingPathComponent("size=4"))["images/000000.png"]
            != filesBelow(out.appendingPathComponent("size=16"))["images/000000.png"])
        let index = try jsonObject(out.appendingPathComponent("sweep.json"))
        #expect(index["parameter"] as? String == "size" && index["seed"] as? Int == 11 && index["count"] as? Int == 5)
        let datasets = index["datasets"] as! [[String: String]]
        #expect(datasets == [["value": "4", "folder": "size=4"], ["value": "16", "folder": "size=16"]])
        #expect(try filesBelow(out).keys.filter { !$0.contains("/") && !$0.hasPrefix(".") }.sorted() == ["sweep.json"])
    }

    @Test func libraryErrorsNameTheFlag() throws {
        let options = RenderOptions(count: 2, seed: 0, output: try temporaryFolder())
        func refusal(_ variation: SweepVariation, overrides: [ParameterOverride] = []) -> String {
            do {
                _ = try DatasetSweep(variation: variation, options: options, overrides: overrides, compile: compileSwept)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(refusal(SweepVariation(parameter: "size", values: [])) == "error: --vary size=…: no values; a sweep needs at least one")
        #expect(refusal(SweepVariation(parameter: "sise", values: ["3"])).hasPrefix("error: --vary sise=3: the scene has no parameter 'sise'; did you mean 'size'?"))
        #expect(refusal(SweepVariation(parameter: "size", values: ["3", "40"]))
            == "error: --vary size=40: 'size' must be between 2 and 20, not 40 (declared at swept.scene:1:1: param size = 8 in [2, 20])")
        #expect(refusal(SweepVariation(parameter: "size", values: ["3"]), overrides: [ParameterOverride(name: "size", text: "5", origin: "--set size=5")])
            == "error: --set size=5 sets 'size', which --vary varies; leave one of them out")
    }

    @Test func theCommandWritesResumesAndRefuses() throws {
        let scene = try sceneFile()
        let out = try temporaryFolder("out")
        let command = ["sweep", scene.path, "--vary", "size=3,9", "--count", "4", "--seed", "2", "--out", out.path]
        let first = try runTessera(command)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("swept size over 2 value(s)"), "\(first.stderr)")
        let before = try filesBelow(out)
        #expect(before["sweep.json"] != nil && before["size=3/manifest.json"] != nil && before["size=9/manifest.json"] != nil)
        // The same as render with the same options, by the folder.
        let plain = try temporaryFolder("plain")
        #expect(try runTessera(["render", scene.path, "--count", "4", "--seed", "2", "--out", plain.path, "--quiet"]).status == 0)
        // size=9 is not the default 8, so only the default-valued render could match; check size=3 differs.
        #expect(try filesBelow(plain)["images/000000.png"] != before["size=3/images/000000.png"])

        // Again without --resume or --overwrite: refused. With --resume after losing one
        // dataset and the index: both come back, the same bytes.
        let again = try runTessera(command)
        #expect(again.status == 64 && again.stderr.contains("output folder '\(out.path)' is not empty"), "\(again.stderr)")
        try FileManager.default.removeItem(at: out.appendingPathComponent("size=9"))
        try FileManager.default.removeItem(at: out.appendingPathComponent("sweep.json"))
        let resumed = try runTessera(command + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try filesBelow(out) == before)
        // A resume of another sweep in the folder is refused, naming what differs.
        let other = try runTessera(["sweep", scene.path, "--vary", "size=3,10", "--count", "4", "--seed", "2", "--out", out.path, "--resume"])
        #expect(other.status == 64 && other.stderr.contains("its sweep.json is of another sweep (datasets differ)"), "\(other.stderr)")
        // --overwrite replaces every dataset.
        #expect(try runTessera(command + ["--overwrite", "--quiet"]).status == 0)
        #expect(try filesBelow(out) == before)
    }

    /// The README's sweep, small: the shipped scene's light strength changes the pictures
    /// and nothing else.
    @Test func aLightSweepOfTheShippedSceneChangesOnlyThePictures() throws {
        let out = try temporaryFolder()
        let result = try runTessera(["sweep", "scenes/light_sweep.scene", "--vary", "strength=0.2,1.8", "--count", "3",
                                     "--seed", "7", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let dim = try filesBelow(out.appendingPathComponent("strength=0.2"))
        let bright = try filesBelow(out.appendingPathComponent("strength=1.8"))
        #expect(dim.keys.sorted() == bright.keys.sorted())
        for (path, data) in dim.sorted(by: { $0.key < $1.key }) where path.hasPrefix("masks/") || path == "annotations/instances_default.json" {
            #expect(bright[path] == data, "\(path)")
        }
        #expect(dim["images/000000.png"] != bright["images/000000.png"])
        for folder in ["strength=0.2", "strength=1.8"] {
            let valid = try runTessera(["validate", out.appendingPathComponent(folder).path])
            #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
        }
    }

    @Test(arguments: [
        ([], "--vary NAME=V1,V2,… is required"),
        (["--vary", "size=3", "--vary", "size=4"], "--vary is given 2 times; a sweep varies one parameter"),
        (["--vary", "size=3,3"], "--vary size=3,3: the value '3' is listed twice"),
        (["--vary", "size=3,+3"], "--vary size=…: '+3' is the same value as '3'; list each value once"),
        (["--vary", "sise=3"], "--vary sise=3: the scene has no parameter 'sise'; did you mean 'size'?"),
        (["--vary", "size=x"], "--vary size=x: 'size' is an Int, not 'x'"),
        (["--vary", "size=3", "--indices", "9"], "--indices: image 9 is not in the run"),
    ])
    func commandLineErrorsNameTheFlag(arguments: [String], message: String) throws {
        let scene = try sceneFile()
        let out = try temporaryFolder()
        let result = try runTessera(["sweep", scene.path, "--count", "4", "--out", out.path] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try filesBelow(out).isEmpty)
    }
}
