import Annotation
@testable import Dataset
import Foundation
import SceneModel
import SceneScript
import Testing

/// Focus files (`render --focus`): reading and checking them, the share of each bin a focused
/// run reaches, and the run's bytes whatever the jobs, shards or resumption.
@Suite struct FocusTests {
    /// A recorded `hour`, uniform over the day, and one to three discs of any size.
    static let scene = """
    canvas 96 x 64
    classes disc, plate
    stuff floor
    background #203040
    let hour = uniform(0, 24)
    record hour
    record wet = bernoulli(0.3)
    repeat randint(1, 3) { let laps = 2
      record laps
      object disc at (uniform(0, 96), uniform(0, 64)) { circle(uniform(2, 20), fill: #e0a020) } }
    object plate at (uniform(0, 96), uniform(0, 64)) { rectangle(20, 10, fill: #a0a0a0) }
    """

    static let dusk = """
    {"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image",
      "bins": [{"min": null, "max": 18, "weight": 0.1}, {"min": 18, "max": null, "weight": 1}]}]}
    """

    static let smallDiscs = """
    {"tessera_focus": 1, "factors": [{"name": "bbox_height", "kind": "instance", "classes": ["disc"], "other_weight": 0.1,
      "bins": [{"min": null, "max": 10, "weight": 1}, {"min": 10, "max": null, "weight": 0.1}]}]}
    """

    private func focus(_ text: String, program: SceneProgram? = nil) throws -> FocusSampler {
        try FocusSampler(file: FocusFile.parse(Data(text.utf8), path: "f.json"), path: "f.json",
                         program: program ?? compile(Self.scene), visibility: .init())
    }

    private func usageMessage(_ body: () throws -> Void) -> String? {
        do { try body() } catch let DatasetError.usage(message) { return message } catch { return "unexpected \(error)" }
        return nil
    }

    @Test func badFilesNameTheFileAndTheKey() throws {
        let cases: [(String, String)] = [
            ("{\"tessera_focus\": 1, \"factors\": [", "f.json: not valid JSON"),
            ("[1, 2]", "f.json: must be a JSON object"),
            ("{\"factors\": []}", "'tessera_focus' is missing"),
            ("{\"tessera_focus\": 2, \"factors\": []}", "'tessera_focus' is 2"),
            ("{\"tessera_focus\": 1, \"factors\": []}", "'factors' is empty"),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "bins": [{"min": 0, "max": 5, "weight": -1}]}]}"#,
             "'factors[0].bins[0].weight' must be ≥ 0"),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "bins": [{"min": 0, "max": 5, "wieght": 1}]}]}"#,
             "'factors[0].bins[0].wieght' is not a key of a focus file here; did you mean 'weight'?"),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "bins": [{"min": 0, "max": 5, "weight": "a"}]}]}"#,
             "'factors[0].bins[0].weight' must be a number"),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "both", "bins": [{"min": 0, "max": 5, "weight": 1}]}]}"#,
             "'factors[0].kind' must be"),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "bins": [{"min": 5, "max": 5, "weight": 1}]}]}"#,
             "'factors[0].bins[0]' min 5 must be below max 5"),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "bins": [{"min": 0, "max": 5, "weight": 1}, {"value": "a", "weight": 1}]}]}"#,
             "'factors[0].bins' mixes numeric bins"),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "other_weight": 0, "bins": [{"min": 0, "max": 5, "weight": 0}]}]}"#,
             "'factors[0]' has no positive weight"),
            (#"{"tessera_focus": 1, "factors": [{"name": "area", "kind": "instance", "combine": "min", "bins": [{"min": 0, "max": 5, "weight": 1}]}]}"#,
             "'factors[0].combine' must be \"max\", \"mean\", \"product\""),
            (#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "combine": "max", "bins": [{"min": 0, "max": 5, "weight": 1}]}]}"#,
             "'factors[0].combine' applies to instance factors only"),
        ]
        for (text, expected) in cases {
            let message = usageMessage { _ = try FocusFile.parse(Data(text.utf8), path: "f.json") }
            #expect(message?.contains(expected) == true, "\(text) gave \(message ?? "no error")")
        }
    }

    @Test func factorsTheSceneCannotGiveAreRefusedBeforeRendering() throws {
        func file(_ factor: String) -> String { #"{"tessera_focus": 1, "factors": [\#(factor)]}"# }
        let bins = #""bins": [{"min": 0, "max": 5, "weight": 1}]"#
        let cases: [(String, String)] = [
            (file(#"{"name": "hours", "kind": "image", \#(bins)}"#), "'factors[0].name' is 'hours', a value the scene never records; did you mean 'hour'?"),
            (file(#"{"name": "laps", "kind": "image", \#(bins)}"#), "recorded in a loop, as a list"),
            (file(#"{"name": "bbox_heigth", "kind": "instance", \#(bins)}"#), "not an instance fact; did you mean 'bbox_height'?"),
            (file(#"{"name": "area", "kind": "instance", "classes": ["disk"], \#(bins)}"#), "'factors[0].classes[0]' is 'disk', not a class of the scene; did you mean 'disc'?"),
            (file(#"{"name": "area", "kind": "instance", "classes": ["floor"], \#(bins)}"#), "a stuff class"),
            (file(#"{"name": "attributes.huge", "kind": "instance", \#(bins)}"#), "an attribute no object of the scene carries"),
            (file(#"{"name": "bbox_height", "kind": "instance", "bins": [{"value": "tall", "weight": 1}]}"#), "are label bins (value), but 'bbox_height' is a number"),
            (file(#"{"name": "category", "kind": "instance", "bins": [{"value": "disk", "weight": 1}]}"#), "not a thing class of the scene; did you mean 'disc'?"),
            (file(#"{"name": "hour", "kind": "image", \#(bins)}, {"name": "records.hour", "kind": "image", \#(bins)}"#), "'records.hour' is focused twice"),
        ]
        for (text, expected) in cases {
            let message = usageMessage { _ = try focus(text) }
            #expect(message?.contains(expected) == true, "\(text) gave \(message ?? "no error")")
        }
        let clip = try compile("canvas 32 x 32\nclasses a\nclip frames: 2, fps: 4\nrecord hour = uniform(0, 24)\nobject a { circle(4) }\n")
        #expect(usageMessage { _ = try focus(Self.dusk, program: clip) }?.contains("makes clips") == true)
    }

    /// Under an image factor each bin's share is p·w / Σ p·w: `hour` uniform over 24 h, bin
    /// [18, ∞) has p = 0.25, so 0.25 / (0.25 + 0.75 · 0.1) = 0.769.
    @Test func anImageFactorReachesItsExpectedShare() throws {
        let program = try compile(Self.scene)
        let focus = try focus(Self.dusk, program: program)
        var late = 0, lateUnfocused = 0
        let n = 3000
        for index in 0..<n {
            let focused = try program.sampleMeasured(seed: 5, index: index, focus: focus)
            let plain = try program.sampleMeasured(seed: 5, index: index)
            if case let .double(h)? = focused.scene.records.first(where: { $0.name == "hour" })?.value, h >= 18 { late += 1 }
            if case let .double(h)? = plain.scene.records.first(where: { $0.name == "hour" })?.value, h >= 18 { lateUnfocused += 1 }
            #expect(focused.report.focus?.held == 1)
            #expect(focused.report.focusBins?[0].reduce(0, +) == 1)
        }
        let share = Double(late) / Double(n), natural = Double(lateUnfocused) / Double(n)
        let expected = 0.25 / (0.25 + 0.75 * 0.1)
        // Binomial standard deviation at n = 3000 is 0.0077; 4 of them.
        #expect(abs(share - expected) < 0.031, "share \(share), expected \(expected)")
        #expect(abs(natural - 0.25) < 0.032)
        #expect(share >= 3 * natural)
    }

    /// An accepted focused image is exactly the scene of its attempt without a focus: the
    /// focus draws on its own stream and never moves a draw of the script.
    @Test func theFocusNeverChangesWhatAnAttemptDraws() throws {
        let program = try compile(Self.scene)
        let keepAll = try focus(#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "bins": [{"min": null, "max": null, "weight": 1}]}]}"#,
                                program: program)
        for index in 0..<40 {
            let focused = try program.sampleMeasured(seed: 9, index: index, focus: keepAll)
            let plain = try program.sampleMeasured(seed: 9, index: index)
            #expect(focused.scene == plain.scene)
            #expect(focused.report.attempts == 1)
        }
    }

    /// An instance factor weights an image by its most-weighted instance; the share of small
    /// discs it reaches is the one found by weighting unfocused images the same way (what
    /// `compare --focus-out` writes as `expected_share`).
    @Test(arguments: ["max", "mean", "product"])
    func anInstanceFactorReachesTheReweightedShare(combine: String) throws {
        let program = try compile(Self.scene)
        let focus = try focus(Self.smallDiscs.replacingOccurrences(of: "\"classes\"", with: "\"combine\": \"\(combine)\", \"classes\""),
                              program: program)
        #expect(focus.file.factors[0].combine.rawValue == combine)
        let n = 1500
        var achieved = [0, 0, 0], natural = [0, 0, 0]
        var weighted = [0.0, 0.0, 0.0]
        for index in 0..<n {
            let focused = try program.sampleMeasured(seed: 2, index: index, focus: focus)
            for (b, count) in focused.report.focusBins![0].enumerated() { achieved[b] += count }
            // The same image unfocused, measured by the focus itself (acceptance 1 for a small disc).
            let plain = try program.sampleMeasured(seed: 2, index: index)
            let facts = try plain.facts ?? RasterFacts(scene: plain.scene)
            let decision = try focus.decide(plain.scene, facts: facts)
            for (b, count) in decision.bins[0].enumerated() {
                natural[b] += count
                weighted[b] += decision.acceptance * Double(count)
            }
        }
        let share = Double(achieved[0]) / Double(achieved.reduce(0, +))
        let naturalShare = Double(natural[0]) / Double(natural.reduce(0, +))
        let expected = weighted[0] / weighted.reduce(0, +)
        #expect(abs(share - expected) < 0.04, "\(combine): small discs \(share), expected \(expected)")
        #expect(share >= 2 * naturalShare, "\(combine): small discs \(share), unfocused \(naturalShare)")
        if combine == "product" {
            // Tilting each disc by its own weight: p·w / Σ p·w for independent discs.
            let p = naturalShare, tilted = p / (p + (1 - p) * 0.1)
            #expect(abs(share - tilted) < 0.05, "product: small discs \(share), tilted \(tilted)")
        }
    }

    @Test func focusedRunsAreTheSameBytesWhateverTheJobsAndShards() throws {
        let program = try compile(Self.scene)
        let focus = try focus(Self.smallDiscs, program: program)
        func options(_ folder: URL, jobs: Int, shard: Shard? = nil) -> RenderOptions {
            var o = RenderOptions(count: 24, seed: 4, output: folder, jobs: jobs, shard: shard)
            o.focus = focus
            return o
        }
        let one = try temporaryFolder("one"), three = try temporaryFolder("three")
        _ = try DatasetRenderer(program: program, options: options(one, jobs: 1)).run()
        _ = try DatasetRenderer(program: program, options: options(three, jobs: 3)).run()
        try expectIdentical(one, three)
        let shards = try (0..<2).map { k -> URL in
            let folder = try temporaryFolder("shard\(k)")
            _ = try DatasetRenderer(program: program, options: options(folder, jobs: 2, shard: Shard(index: k, count: 2))).run()
            return folder
        }
        let merged = try temporaryFolder("merged")
        _ = try DatasetMerger.merge(shards: shards, into: merged, overwrite: false)
        try expectIdentical(one, merged)

        // The manifest records the focus and the achieved distribution; each line its bins.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: one.appendingPathComponent("manifest.json"))) as! [String: Any]
        let recorded = (manifest["options"] as! [String: Any])["focus"] as! [String: Any]
        #expect((recorded["factors"] as! [[String: Any]])[0]["name"] as? String == "bbox_height")
        let acceptance = (manifest["acceptance"] as! [String: Any])["focus"] as! [String: Any]
        #expect(acceptance["held"] as? Int == 24)
        let lines = try String(contentsOf: one.appendingPathComponent("records.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.allSatisfy { $0.contains("\"focus_bins\":[[") })
    }

    @Test func aResumeUnderAnotherFocusIsRefused() throws {
        let program = try compile(Self.scene)
        let folder = try temporaryFolder()
        var options = RenderOptions(count: 4, seed: 1, output: folder, jobs: 1)
        options.focus = try focus(Self.dusk, program: program)
        _ = try DatasetRenderer(program: program, options: options).run()
        options.resume = true
        options.focus = try focus(Self.smallDiscs, program: program)
        #expect(throws: DatasetError.self) { try DatasetRenderer(program: program, options: options).run() }
        options.focus = nil
        #expect(throws: DatasetError.self) { try DatasetRenderer(program: program, options: options).run() }
    }

    /// What only sampling shows: a value recorded as a list, or of the other kind than the bins.
    @Test func valuesOfTheWrongKindStopTheRunNamingTheKey() throws {
        let program = try compile("canvas 32 x 32\nclasses a\nrecord sizes = [1, 2]\nrecord name = \"x\"\nobject a { circle(4) }\n")
        for (factor, expected) in [("sizes", "is recorded as a list"), ("name", "are numeric bins, but 'name' is a string")] {
            let focus = try focus(#"{"tessera_focus": 1, "factors": [{"name": "\#(factor)", "kind": "image", "bins": [{"min": 0, "max": 5, "weight": 1}]}]}"#,
                                  program: program)
            let message = usageMessage {
                _ = try DatasetRenderer(program: program, options: { var o = RenderOptions(count: 2, seed: 1, output: try temporaryFolder(factor), jobs: 1); o.focus = focus; return o }()).run()
            }
            #expect(message?.contains(expected) == true && message?.contains("factors[0]") == true, "\(message ?? "no error")")
        }
    }

    @Test func aFocusThatKeepsNothingRunsOutOfAttemptsWithItsOwnMessage() throws {
        let program = try compile("canvas 32 x 32\nclasses a\nattempts 3\nrecord hour = uniform(0, 10)\nobject a { circle(4) }\n")
        let focus = try focus(#"{"tessera_focus": 1, "factors": [{"name": "hour", "kind": "image", "other_weight": 1, "bins": [{"min": 0, "max": 10, "weight": 0}]}]}"#,
                              program: program)
        do {
            _ = try program.sampleMeasured(seed: 1, index: 0, focus: focus)
            Issue.record("no error")
        } catch let exhausted as ExhaustedAttempts {
            let text = exhausted.error.rendered()
            #expect(text.contains("the focus f.json kept none of the 3 attempts"), "\(text)")
            #expect(exhausted.report.focus == RequirementCount(checked: 3, held: 0))
        }
    }

    @Test func compareWritesAFocusThatSinglesOutWhatTheModelMisses() throws {
        // The end-to-end version with a real scene and pycocotools is tests/interop/test_focus.py.
        let program = try compile(Self.scene)
        let folder = try temporaryFolder()
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 60, seed: 3, output: folder, jobs: 2)).run()
        let gt = folder.appendingPathComponent("annotations/instances_default.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: gt)) as! [String: Any]
        var hours: [Int: Double] = [:]
        for line in try String(contentsOf: folder.appendingPathComponent("records.jsonl"), encoding: .utf8).split(separator: "\n") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            hours[record["image_id"] as! Int] = ((record["values"] as! [String: Any])["hour"] as! NSNumber).doubleValue
        }
        // A model perfect by day, blind after 18 h.
        let predictions: [[String: Any]] = (document["annotations"] as! [[String: Any]]).compactMap { a in
            guard hours[a["image_id"] as! Int]! < 18 else { return nil }
            return ["image_id": a["image_id"]!, "category_id": a["category_id"]!, "bbox": a["bbox"]!, "score": 1.0]
        }
        let results = folder.appendingPathComponent("../pred.json")
        try JSONSerialization.data(withJSONObject: predictions).write(to: results)
        let out = folder.appendingPathComponent("../focus.json")
        let run = try runTessera(["compare", folder.path, results.path, "--by", "hour", "--bins", "0,6,12,18,24", "--ap-only",
                                  "--focus-out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let file = try FocusFile.read(out)
        #expect(file.factors[0].bins.map(\.weight) == [0.05, 0.05, 0.05, 1])
        #expect(file.factors[0].bins.first?.min == nil && file.factors[0].bins.last?.max == nil)
        _ = try FocusSampler(file: file, path: out.path, program: program, visibility: .init())

        // Edges that leave values out: the focus opens the outer bins and counts them there.
        let narrow = folder.appendingPathComponent("../narrow.json")
        let opened = try runTessera(["compare", folder.path, results.path, "--by", "hour", "--bins", "6,12,20", "--ap-only", "--focus-out", narrow.path])
        #expect(opened.status == 0, "\(opened.stderr)")
        let narrowFile = try FocusFile.read(narrow)
        let shares = narrowFile.factors[0].bins.compactMap { $0.notes.first { $0.key == "share" }?.value.number }
        #expect(abs(shares.reduce(0, +) - 1) < 1e-9 && narrowFile.factors[0].bins.last?.weight == 1, "\(shares)")
        let combine = try runTessera(["compare", folder.path, results.path, "--by", "hour", "--ap-only", "--focus-out", narrow.path, "--focus-combine", "mean"])
        #expect(combine.status == 64 && combine.stderr.contains("applies to instance facts"), "\(combine.stderr)")
        let nowhere = try runTessera(["compare", folder.path, results.path, "--by", "hour", "--focus-out", "/nonexistent/f.json"])
        #expect(nowhere.status == 64 && nowhere.stderr.contains("--focus-out"), "\(nowhere.stderr)")

        // A recorded Boolean has one bin per value: --bins is a usage error there (QC.md).
        let labels = try runTessera(["compare", folder.path, results.path, "--by", "wet", "--bins", "3", "--ap-only"])
        #expect(labels.status == 64 && labels.stderr.contains("--bins applies to numbers"), "\(labels.stderr)")
        let byClass = try runTessera(["compare", folder.path, results.path, "--by", "area", "--class", "disk", "--ap-only"])
        #expect(byClass.status == 64 && byClass.stderr.contains("did you mean 'disc'?"), "\(byClass.stderr)")
    }
}
