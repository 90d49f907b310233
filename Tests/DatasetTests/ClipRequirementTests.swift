import Dataset
import Foundation
import SceneModel
import SceneScript
import Testing

/// A person walks right 5 px a frame from a random start behind a 24-pixel wall (which hides
/// it whole while its centre is within 22…42); clips are kept only where it is fully hidden
/// for at least 4 frames with a visible frame before and after.
private let wallScene = """
canvas 64 x 32
classes person, wall
clip frames: 12, fps: 4
attempts 200
background #000000
let start = uniform(-20, 40)
object person as p at (start + 20 * time, 16) { rectangle(4, 10, fill: #30c030) }
object wall at (32, 16) { rectangle(24, 32, fill: #808080) }
require longest_run(visible_pixels(p) == 0, between: visible_pixels(p) > 0) >= 4
"""

/// Per clip (`video_id`), a string with one letter per frame: `V` where category `category`
/// has an annotation, `.` where it has none.
private func visibility(_ folder: URL, category: String) throws -> [Int: String] {
    let document = try jsonObject(folder.appendingPathComponent("annotations/instances_default.json"))
    let categoryID = (document["categories"] as! [[String: Any]]).first { $0["name"] as! String == category }!["id"] as! Int
    var seen: Set<Int> = []
    for annotation in document["annotations"] as! [[String: Any]] where annotation["category_id"] as! Int == categoryID {
        seen.insert(annotation["image_id"] as! Int)
    }
    var rows: [Int: [(Int, Character)]] = [:]
    for image in document["images"] as! [[String: Any]] {
        rows[image["video_id"] as! Int, default: []].append((image["frame_id"] as! Int, seen.contains(image["id"] as! Int) ? "V" : "."))
    }
    return rows.mapValues { String($0.sorted { $0.0 < $1.0 }.map(\.1)) }
}

/// Whether `row` has a run of at least `length` hidden frames with a visible frame before and after.
private func hasHiddenRun(_ row: String, atLeast length: Int) -> Bool {
    guard let first = row.firstIndex(of: "V"), let last = row.lastIndex(of: "V"), first < last else { return false }
    return row[first...last].split(separator: "V").contains { $0.count >= length }
}

@Suite struct ClipRequirementTests {
    private func options(_ folder: URL, count: Int = 6, jobs: Int = 1, shard: Shard? = nil, clip: ClipSettings?) -> RenderOptions {
        RenderOptions(count: count, seed: 9, output: folder, jobs: jobs, shard: shard, clip: clip)
    }

    @Test func everyClipHasTheHiddenRunItAsksForAndTheBytesDoNotDependOnJobsOrShards() throws {
        let program = try compile(wallScene)
        let whole = try temporaryFolder("whole")
        _ = try DatasetRenderer(program: program, options: options(whole, clip: program.clip)).run()
        let rows = try visibility(whole, category: "person")
        #expect(rows.count == 6)
        for (clip, row) in rows { #expect(hasHiddenRun(row, atLeast: 4), "clip \(clip): \(row)") }
        // The requirement rejected some clips: their start put the walk outside the clip.
        let attempts = try jsonLines(whole.appendingPathComponent("records.jsonl")).map { $0["attempts"] as! Int }
        #expect(attempts.contains { $0 > 1 })

        // Without the requirement, some clip has no such run: it is not vacuous.
        let free = try temporaryFolder("free")
        let unconstrained = try compile(wallScene.replacingOccurrences(of: "require longest_run", with: "let unused = 1 # "))
        _ = try DatasetRenderer(program: unconstrained, options: options(free, clip: unconstrained.clip)).run()
        #expect(try visibility(free, category: "person").values.contains { !hasHiddenRun($0, atLeast: 4) })

        let parallel = try temporaryFolder("parallel")
        _ = try DatasetRenderer(program: program, options: options(parallel, jobs: 3, clip: program.clip)).run()
        try expectIdentical(whole, parallel)
        var shards: [URL] = []
        for k in 0..<2 {
            let folder = try temporaryFolder("shard\(k)")
            _ = try DatasetRenderer(program: program, options: options(folder, jobs: 2, shard: Shard(index: k, count: 2), clip: program.clip)).run()
            shards.append(folder)
        }
        let merged = try temporaryFolder("merged")
        _ = try DatasetMerger.merge(shards: shards, into: merged, overwrite: false)
        try expectIdentical(whole, merged)
    }

    /// Each temporal function over `time` on 6 frames at 1 fps (time 0…5); with one attempt,
    /// a wrong value would exhaust it and name the requirement.
    @Test func temporalFunctionsCountRunsAndFindFrames() throws {
        let program = try compile("""
        classes a
        clip frames: 6, fps: 1
        attempts 1
        object a at (1, 1) { circle(1) }
        require count_frames(time >= 2) == 4
        require first_frame(time >= 2) == 2 and last_frame(time < 3) == 2 and first_frame(time > 9) == -1
        require ever(time == 5) and not always(time < 5) and always(time >= 0)
        require longest_run(time != 2) == 3
        require longest_run(time != 5, between: time == 0 or time == 4) == 3
        require longest_run(true, between: time == 3) == 0
        """)
        let plan = try program.planClip(seed: 0, clip: 0, settings: program.clip!) { _ in preconditionFailure("nothing rendered") }
        #expect(plan.attempt == 0)
        // Counted once per clip attempt, not per frame.
        #expect(plan.report.checks.map(\.checked) == [1, 1, 1, 1, 1, 1])

        let wrong = try compile("classes a\nclip frames: 6, fps: 1\nattempts 1\nrequire count_frames(time >= 2) == 5\n")
        #expect { try wrong.planClip(seed: 0, clip: 0, settings: wrong.clip!) { _ in preconditionFailure() } } throws: { error in
            "\((error as? ExhaustedAttempts)?.error ?? error)".contains("test.scene:4:9: error: requirement 'count_frames(time >= 2) == 5' was not met in 1 attempt")
        }
        // A still image is a clip of one frame.
        let still = try compile("classes a\nattempts 1\nrequire count_frames(true) == 1 and longest_run(true, between: true) == 0\n")
        #expect(try still.sample(seed: 0, index: 0).instances.isEmpty, "accepted at its one attempt")
    }

    /// A clip attempt stops at the first frame after which its requirement over the clip can
    /// no longer hold: the frames it samples are counted by a per-frame requirement's checks
    /// (`x >= 0`, checked in every frame sampled). 5 attempts of 24 frames, none accepted.
    @Test(arguments: [
        ("always(x > 2)", 1),                                   // false at frame 0
        ("not ever(x < 2)", 1),
        ("count_frames(x > 2) >= 20", 5),                       // 19 frames left after frame 4
        ("count_frames(x < 2) + 1 <= 3", 3),
        ("longest_run(x > 2, between: x > 2) >= 5", 18),        // a run needs a frame each side
        ("always(x > 2) or ever(x > 2)", 24),                   // ever is decided at the last frame
        ("last_frame(x > 2) == 5", 24),                         // bounds, not exact sets: kept to the end
        ("count_frames(x > 2) >= 1e308 * 10", 24),              // no finite bound: kept to the end
    ])
    func anAttemptStopsAtTheFrameThatDecidesItsClipRequirement(_ condition: String, _ framesPerAttempt: Int) throws {
        let program = try compile("classes a\nclip frames: 24, fps: 12\nattempts 5\nlet x = uniform(0, 1)\nrequire x >= 0\nrequire \(condition)\n")
        #expect { try program.planClip(seed: 3, clip: 0, settings: program.clip!) { _ in preconditionFailure("nothing rendered") } } throws: { error in
            guard let exhausted = error as? ExhaustedAttempts else { return false }
            return exhausted.report.checks.map(\.checked) == [5 * framesPerAttempt, 5]
                && "\(exhausted.error)".contains("requirement '\(condition)' was not met in 5 attempts")
        }
    }

    /// A clip's attempts sample at most 10 000 frames in all: 1000 attempts of a 24-frame clip
    /// whose requirement is decided only at its last frame stop after 416 attempts and 16
    /// frames of the 417th, with the requirement's error and the budget in its help.
    @Test func aClipsAttemptsSampleAtMost10000Frames() throws {
        let program = try compile("classes a\nclip frames: 24, fps: 12\nattempts 1000\nlet x = uniform(0, 1)\nrequire x >= 0\nrequire ever(x > 2)\n")
        #expect { try program.planClip(seed: 3, clip: 0, settings: program.clip!) { _ in preconditionFailure("nothing rendered") } } throws: { error in
            guard let exhausted = error as? ExhaustedAttempts else { return false }
            let text = "\(exhausted.error)"
            return exhausted.report.checks.map(\.checked) == [10_000, 416] && exhausted.report.attempts == 416
                && text.contains("test.scene:6:9: error: requirement 'ever(x > 2)' was not met in 416 attempts")
                && text.contains("help: a clip's attempts may sample at most 10000 frames in all, here 416 attempts of 24 frames")
        }
    }

    /// Past the first attempt, a clip's attempts share one image's 10⁷ evaluation steps (each
    /// frame has its own budget, so attempts × frames could otherwise take up to 10⁷ each):
    /// frames that each copy about 131 000 characters (a `+` counts one step per character)
    /// stop in the fourth attempt, with the requirement's error and the budget in its help —
    /// long before the 10 000-frame budget (416 attempts).
    @Test func aClipsAttemptsShareOneImagesEvaluationSteps() throws {
        let program = try compile("classes a\nclip frames: 24, fps: 12\nattempts 1000\nlet s = \"ab\"\nrepeat 15 { s = s + s }\nrequire ever(s == \"x\")\n")
        #expect { try program.planClip(seed: 3, clip: 0, settings: program.clip!) { _ in preconditionFailure("nothing rendered") } } throws: { error in
            guard let exhausted = error as? ExhaustedAttempts else { return false }
            let text = "\(exhausted.error)"
            return exhausted.report.attempts == 3 && exhausted.report.checks.map(\.checked) == [3]
                && text.contains("test.scene:6:9: error: requirement 'ever(s == \"x\")' was not met in 3 attempts")
                && text.contains("help: a clip's attempts may take at most 10000000 evaluation steps in all once the first is done, here 3 attempts of 24 frames took ")
        }
    }

    /// Fuzzing found the shipped clip with its walker moved off the canvas (y = 8192) taking
    /// all 400 attempts × 24 frames, each frame drawn, before its error (over 23 s). Its
    /// requirement is decided after frame 17 once no frame showed the walker: counted as the
    /// frames measured.
    @Test func theRealSceneWithItsWalkerOffCanvasStopsEachAttemptEarly() throws {
        let url = packageRoot.appendingPathComponent("scenes/hidden_pedestrian_clip.scene")
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "attempts 400", with: "attempts 4")
            .replacingOccurrences(of: "* time, 205)", with: "* time, 8192)")
        let program = try SceneProgram.compile(SourceFile(path: url.path, text: text), resolver: FileImportResolver(searchPaths: []))
        var measured = 0
        #expect(throws: ExhaustedAttempts.self) {
            try program.planClip(seed: 1, clip: 0, settings: program.clip!) { _ in
                measured += 1
                return NothingVisible()
            }
        }
        #expect(measured == 4 * 18)
    }

    @Test func theRealSceneHidesItsWalkerBehindTheBus() throws {
        let url = packageRoot.appendingPathComponent("scenes/hidden_pedestrian_clip.scene")
        let program = try SceneLoader.compile(path: url.path)
        let folder = try temporaryFolder()
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 1, seed: 1, output: folder, jobs: 2, clip: program.clip)).run()
        let rows = try visibility(folder, category: "pedestrian")
        #expect(rows.count == 1)
        for (clip, row) in rows { #expect(hasHiddenRun(row, atLeast: 5), "clip \(clip): \(row)") }
        #expect(try runTessera(["validate", folder.path]).status == 0)
    }

    @Test(arguments: [
        ("classes a\nif true { require count_frames(true) > 0 }\n",
         "test.scene:2:19: error: 'count_frames' looks at every frame of a clip, so it can only be used in a 'require' at the top level of the main scene file"),
        ("classes a\nrequire[0.5] ever(true)\n", "test.scene:2:14: error: 'ever' looks at every frame of a clip"),
        ("classes a\nlet n = count_frames(true)\n", "test.scene:2:9: error: 'count_frames' looks at every frame of a clip"),
        ("classes a\nrequire ever(always(true))\n", "test.scene:2:14: error: 'always' inside 'ever': a condition over the clip's frames is evaluated in one frame at a time"),
        ("classes a\nrequire count(p in a where ever(visible_pixels(p) > 0)) > 0\n", "test.scene:2:28: error: 'ever' inside 'count(… in …)'"),
        ("classes a\nobject a as p { circle(2) }\nrequire ever(visible_pixels([p][0]) > 0)\n",
         "test.scene:3:29: error: 'visible_pixels' inside 'ever' follows one object over the clip's frames, so its instance must be a name"),
        ("classes a\nrequire longest_run(true, betwen: true) > 0\n", "test.scene:2:27: error: function 'longest_run' has no parameter 'betwen'"),
    ])
    func clipRequirementMistakesAreLocatedCompileErrors(_ text: String, _ expected: String) throws {
        #expect { try compile(text) } throws: { "\($0)".hasPrefix(expected) }
    }

    @Test func aNameThatFollowsAnotherObjectIsARuntimeErrorAtTheName() throws {
        let program = try compile("""
        canvas 32 x 32
        classes a
        clip frames: 3, fps: 1
        object a as first at (8, 8) { circle(2) }
        object a as second at (24, 24) { circle(2) }
        let chosen = [first, second][min(round(time), 1)]
        require count_frames(visible_pixels(chosen) > 0) == 3
        """)
        let folder = try temporaryFolder()
        #expect { try DatasetRenderer(program: program, options: RenderOptions(count: 1, seed: 0, output: folder, jobs: 1, clip: program.clip)).run() } throws: { error in
            let text = "\(error)"
            return text.contains("test.scene:7:37: error: 'chosen' names another object in frame 1 than in frame 0")
                && text.contains("while sampling frame 1 of clip 0")
        }
    }
}

/// Rendered facts of a picture where no instance shows a pixel.
private struct NothingVisible: RenderedFacts {
    func visiblePixels(of id: Int) throws -> Int { 0 }
    func visibleBox(of id: Int) throws -> VisibleBox? { nil }
    func occlusion(of id: Int) throws -> OcclusionFacts { preconditionFailure("not asked") }
    func sharedEdge(between a: Int, and b: Int) throws -> Int { 0 }
}
