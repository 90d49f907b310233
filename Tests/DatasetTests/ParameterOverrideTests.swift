import Dataset
import DatasetTools
import Foundation
import SceneScript
import Testing

/// `--set NAME=VALUE` and `--params FILE` on `render` and `check`, and the parameters in a
/// run's identity (manifest, `--resume`, `merge`).
@Suite struct ParameterOverrideTests {
    @Test func setOverridesTypedValuesAndSizesTheCanvas() throws {
        let scene = try writeParameterScene()
        let out = scene.deletingLastPathComponent().appendingPathComponent("out")
        let result = try runTessera(["render", scene.path, "--count", "2", "--out", out.path, "--quiet",
                                     "--set", "size=32", "--set", "size=40", "--set", "hour=19", "--set", "weather=rain", "--set", "lit=false"])
        #expect(result.status == 0, "\(result.stderr)")
        let images = try jsonObject(out.appendingPathComponent("annotations/instances_default.json"))["images"] as! [[String: Any]]
        #expect(images.allSatisfy { $0["width"] as? Int == 40 && $0["height"] as? Int == 40 })
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains(#""on_exhausted":"fail","split":[{"name":"default","share":1.0}],"parameters":{"size":40,"hour":19.0,"weather":"rain","lit":false}}"#))
        #expect(try DatasetValidator.validate(out).isValid)
    }

    @Test(arguments: [
        (["--set", "hour=25"], "error: --set hour=25: 'hour' must be between 0 and 24, not 25 (declared at "),
        (["--set", "size=1.5"], "error: --set size=1.5: 'size' is an Int, not '1.5' (declared at "),
        (["--set", "weather=snow"], "error: --set weather=snow: 'weather' must be one of \"clear\", \"rain\", \"fog\", not \"snow\" (declared at "),
        (["--set", "lit=1"], "error: --set lit=1: 'lit' is a Bool, not '1' (declared at "),
        (["--set", "huor=3"], "error: --set huor=3: the scene has no parameter 'huor'; did you mean 'hour'?"),
        (["--set", "hour"], "error: --set 'hour': expected NAME=VALUE, e.g. --set hour=19"),
        (["--set", "=3"], "error: --set '=3': expected NAME=VALUE, e.g. --set hour=19"),
    ])
    func badSetValuesAreUsageErrorsNamingTheFlagAndTheDeclaration(arguments: [String], message: String) throws {
        let scene = try writeParameterScene()
        for command in ["render", "check"] {
            let out = scene.deletingLastPathComponent().appendingPathComponent("out-\(command)")
            let result = try runTessera([command, scene.path] + (command == "render" ? ["--count", "1", "--out", out.path] : []) + arguments)
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
            if message.contains("declared at") { #expect(result.stderr.contains("params.scene:")) }
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    @Test func theDeclarationIsNamedWithItsPosition() throws {
        let scene = try writeParameterScene()
        let result = try runTessera(["check", scene.path, "--set", "hour=30"])
        #expect(result.stderr == "error: --set hour=30: 'hour' must be between 0 and 24, not 30 (declared at \(scene.path):2:1: param hour = 12.0 in [0, 24])\n")
    }

    @Test func aParameterFileSetsValuesAndSetWinsOverIt() throws {
        let scene = try writeParameterScene()
        let folder = scene.deletingLastPathComponent()
        let file = folder.appendingPathComponent("p.json")
        try Data(#"{"weather": "fog", "size": 48, "hour": 6.5, "lit": false}"#.utf8).write(to: file)
        let out = folder.appendingPathComponent("out")
        let result = try runTessera(["render", scene.path, "--count", "1", "--out", out.path, "--quiet",
                                     "--params", file.path, "--set", "size=24"])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains(#""parameters":{"size":24,"hour":6.5,"weather":"fog","lit":false}"#))
    }

    @Test(arguments: [
        (#"{"hour": null}"#, "p.json: parameter 'hour' is null; give a number, a string or true/false"),
        (#"{"hour": {"h": 3}}"#, "p.json: parameter 'hour' is an object; give a number, a string or true/false"),
        (#"{"hour": [3]}"#, "p.json: parameter 'hour' is an array; give a number, a string or true/false"),
        (#"[1, 2]"#, "p.json: not a JSON object of parameter names to values"),
        (#"{"hour": 3"#, "p.json: not a JSON object of parameter names to values"),
        (#"{"hour": 30}"#, "p.json: 'hour' must be between 0 and 24, not 30 (declared at "),
        (#"{"lit": 1}"#, "p.json: 'lit' is a Bool, not the number 1 (declared at "),
        (#"{"size": 1e400}"#, "p.json: parameter 'size' is 1e400, a number out of range (a number here is at most ±1.7976931348623157e+308)"),
        (#"{"size": "48"}"#, "p.json: 'size' is an Int, not the string \"48\" (declared at "),
        (#"{"lit": "true"}"#, "p.json: 'lit' is a Bool, not the string \"true\" (declared at "),
        (#"{"weather": 3}"#, "p.json: 'weather' is a String, not the number 3 (declared at "),
        (#"{"size": 48, "hour": 3, "size": 24}"#, "p.json: parameter 'size' is given twice; give each parameter once"),
        (#"{"size": 48,}"#, "p.json: not a JSON object of parameter names to values"),
        (#"{"size": 048}"#, "p.json: not a JSON object of parameter names to values"),
    ])
    func badParameterFilesAreUsageErrorsNamingTheFileAndKey(text: String, message: String) throws {
        let scene = try writeParameterScene()
        let file = scene.deletingLastPathComponent().appendingPathComponent("p.json")
        try Data(text.utf8).write(to: file)
        let result = try runTessera(["check", scene.path, "--params", file.path])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: --params \(file.deletingLastPathComponent().path)/" + message), "\(result.stderr)")
    }

    @Test func aMissingInputFileIs66AndAnUnreadableOne74() throws {
        let scene = try writeParameterScene()
        let folder = scene.deletingLastPathComponent()
        let missing = folder.appendingPathComponent("missing.json")
        let result = try runTessera(["render", scene.path, "--params", missing.path, "--out", folder.appendingPathComponent("out").path])
        #expect(result.status == 66)
        #expect(result.stderr == "error: --params \(missing.path): no such parameter file\n", "\(result.stderr)")
        let unreadable = try runTessera(["check", scene.path, "--params", folder.path])
        #expect(unreadable.status == 74)
        #expect(unreadable.stderr == "error: --params \(folder.path): cannot read this parameter file: it is a folder\n", "\(unreadable.stderr)")
        // A focus file, like every input file.
        let focus = try runTessera(["render", scene.path, "--focus", missing.path, "--out", folder.appendingPathComponent("out").path])
        #expect(focus.status == 66)
        #expect(focus.stderr == "error: --focus \(missing.path): no such focus file\n", "\(focus.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    @Test func parameterFileStringsAndEscapesAreReadAsJSON() throws {
        let entries = try ParameterFile.entries(in: Data(#"{"w": "r\u00e4in \ud83c\udf27\n", "n": -0.5e1, "big": 12345678901234567890}"#.utf8), path: "p.json")
        #expect(entries.map { [$0.name, $0.text] } == [["big", "1.2345678901234567e+19"], ["n", "-5.0"], ["w", "räin 🌧\n"]])
        #expect(entries.map(\.kind) == [.number, .number, .string])
    }

    @Test func aScriptErrorCausedByAnOverrideIsAUsageErrorNamingIt() throws {
        let scene = try writeParameterScene("param bits = 16 in [8, 16]\ncanvas 32 x 32\nsensor channels: 1, bits: bits\nclasses a\n"
            + "object a at (16, 16) { circle(5) }\n")
        let folder = scene.deletingLastPathComponent()
        let out = folder.appendingPathComponent("out")
        let file = folder.appendingPathComponent("p.json")
        try Data(#"{"bits": 12}"#.utf8).write(to: file)
        for (flags, origin) in [(["--set", "bits=12"], "--set bits=12"), (["--params", file.path], "--params \(file.path)")] {
            let result = try runTessera(["render", scene.path, "--count", "1", "--out", out.path] + flags)
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("error: \(origin): the script cannot use this value (it checks without it):\n\(scene.path):3:"),
                    "\(result.stderr)")
            #expect(result.stderr.contains("must be the constant 8 or 16"), "\(result.stderr)")
            #expect(result.stderr.contains("note: 'bits' is 12 from \(origin)"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        // The same script error with the default in force stays a script error.
        let broken = try writeParameterScene("param bits = 12 in [8, 16]\ncanvas 32 x 32\nsensor channels: 1, bits: bits\nclasses a\n",
                                             name: "broken")
        let plain = try runTessera(["check", broken.path, "--set", "bits=10"])
        #expect(plain.status == 65, "\(plain.stderr)")
        #expect(!plain.stderr.contains("--set"), "\(plain.stderr)")
        // A sweep over such a value stops before rendering anything, naming the flag.
        let sweep = try runTessera(["sweep", scene.path, "--vary", "bits=8,12", "--count", "1", "--out", out.path, "--quiet"])
        #expect(sweep.status == 64, "\(sweep.stderr)")
        #expect(sweep.stderr.hasPrefix("error: --vary bits=12: the script cannot use this value"), "\(sweep.stderr)")
        #expect(sweep.stderr.contains("note: 'bits' is 12 from --vary bits=12"), "\(sweep.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("bits=8/manifest.json").path))
    }

    @Test func parameterFileValuesKeepTheirJSONType() throws {
        let entries = try ParameterFile.entries(in: Data(##"{"b": true, "a": 19, "c": 0.25, "d": "#ff8800"}"##.utf8), path: "p.json")
        #expect(entries.map { [$0.name, $0.text] } == [["a", "19"], ["b", "true"], ["c", "0.25"], ["d", "#ff8800"]])
    }

    private func program(_ overrides: [(String, String)]) throws -> SceneProgram {
        try SceneProgram.compile(SourceFile(path: "params.scene", text: parameterScene), resolver: InMemoryImportResolver(files: [], searchPaths: []),
                                 overrides: overrides.map { ParameterOverride(name: $0.0, text: $0.1, origin: "test") })
    }

    @Test func runsWithOtherParametersHaveOtherManifestsAndRefuseToResume() throws {
        let folder = try temporaryFolder()
        let options = RenderOptions(count: 3, seed: 4, output: folder, jobs: 1)
        _ = try DatasetRenderer(program: try program([("hour", "19")]), options: options).run()
        let first = try jsonObject(folder.appendingPathComponent("manifest.json"))
        let other = try temporaryFolder("other")
        _ = try DatasetRenderer(program: try program([("hour", "7")]), options: RenderOptions(count: 3, seed: 4, output: other, jobs: 1)).run()
        let second = try jsonObject(other.appendingPathComponent("manifest.json"))
        #expect(((first["options"] as! [String: Any])["parameters"] as! [String: Any])["hour"] as? Double == 19)
        #expect(((second["options"] as! [String: Any])["parameters"] as! [String: Any])["hour"] as? Double == 7)

        // A finished dataset of another run.
        var resume = options
        resume.resume = true
        #expect {
            _ = try DatasetRenderer(program: try program([("hour", "7")]), options: resume).run()
        } throws: { error in
            "\(error)".contains("it holds a finished dataset of another run (parameter hour 19.0 there, 7.0 here)")
        }
        // An interrupted run (its record log) of another run: a finished shard's log put back.
        let interrupted = try temporaryFolder("interrupted")
        _ = try DatasetRenderer(program: try program([("hour", "19")]),
                                options: RenderOptions(count: 3, seed: 4, output: interrupted, jobs: 1, shard: Shard(index: 0, count: 1))).run()
        try FileManager.default.moveItem(at: interrupted.appendingPathComponent("shard.records"),
                                         to: interrupted.appendingPathComponent(".tessera-records.partial"))
        try FileManager.default.removeItem(at: interrupted.appendingPathComponent("manifest.json"))
        resume.output = interrupted
        #expect {
            _ = try DatasetRenderer(program: try program([("hour", "7")]), options: resume).run()
        } throws: { error in
            "\(error)".contains("the interrupted run there differs from this one (parameter hour 19.0 there, 7.0 here)")
        }
    }

    @Test func shardsWithOtherParametersRefuseToMerge() throws {
        let a = try temporaryFolder("a"), b = try temporaryFolder("b")
        _ = try DatasetRenderer(program: try program([("weather", "rain")]),
                                options: RenderOptions(count: 4, seed: 1, output: a, jobs: 1, shard: Shard(index: 0, count: 2))).run()
        _ = try DatasetRenderer(program: try program([("weather", "fog")]),
                                options: RenderOptions(count: 4, seed: 1, output: b, jobs: 1, shard: Shard(index: 1, count: 2))).run()
        let out = try temporaryFolder("out")
        #expect {
            try DatasetMerger.merge(shards: [a, b], into: out, overwrite: false)
        } throws: { error in
            "\(error)".contains("shards of different runs cannot be merged: parameter weather fog in '\(b.path)', rain in '\(a.path)'")
        }
        #expect(try filesBelow(out).isEmpty)
    }
}
