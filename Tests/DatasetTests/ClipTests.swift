import Dataset
import Foundation
import SceneModel
import SceneScript
import Testing

/// A clip where a car drives right over a standing person (hiding it in the middle frames),
/// a second person walks in from the left edge from frame 2 on, and a looped row of cones.
private let crossingScene = """
canvas 96 x 64
classes car, person, cone
clip frames: 8, fps: 4
background #202020
object person at (48, 32) { rectangle(6, 20, fill: #30c030) }
if time >= 0.5 {
  object person at along([(-10, 50), (100, 50)], 40, time - 0.5) { circle(5, fill: #3030c0) }
}
object car at (keyframes(time, [0, -27], [1.75, 113]), 32) { rectangle(30, 30, fill: #c03030) }
repeat 2 as i { object cone at (10 + 70 * i, 8 + wander(0, 2, time)) { circle(3, fill: #f0a000) } }
"""

/// The x of the first shape's origin of each instance of `scene`, by track id.
private func positions(_ scene: SceneModel.Scene) -> [Int: Double] {
    var out: [Int: Double] = [:]
    for instance in scene.instances { if let track = instance.trackID { out[track] = instance.shapes[0].transform.tx } }
    return out
}

@Suite struct ClipLanguageTests {
    private func frames(_ text: String, clip: Int = 0) throws -> [SceneModel.Scene] {
        let program = try compile(text)
        let settings = try #require(program.clip)
        let plan = try program.planClip(seed: 3, clip: clip, settings: settings) { _ in preconditionFailure("no rendered facts") }
        return try (0..<settings.frames).map { try program.sampleFrame(seed: 3, clip: clip, frame: $0, settings: settings, plan: plan).scene }
    }

    @Test func framesAreTheScriptAtTimeFOverFPS() throws {
        let scenes = try frames("""
        classes a
        clip frames: 5, fps: 2
        object a at (keyframes(time, [0, 10], [2, 50], ease: "linear"), 10 + 4 * time) { circle(2) }
        """)
        #expect(scenes.map { $0.instances[0].shapes[0].transform.tx } == [10, 20, 30, 40, 50])
        #expect(scenes.map { $0.instances[0].shapes[0].transform.ty } == [10, 12, 14, 16, 18])
    }

    @Test func keyframesEaseAndHoldOutsideTheirKeys() throws {
        let scenes = try frames("""
        classes a
        clip frames: 5, fps: 1
        object a at (keyframes(time, [1, 0], [3, 80], ease: "in_out"), keyframes(time, [0, 5], [2, 9], ease: "hold")) { circle(2) }
        """)
        // in_out at u = 1/2 is exactly half way; before the first key and after the last the
        // values hold; "hold" keeps the earlier key until the next.
        #expect(scenes.map { $0.instances[0].shapes[0].transform.tx } == [0, 0, 40, 80, 80])
        #expect(scenes.map { $0.instances[0].shapes[0].transform.ty } == [5, 5, 9, 9, 9])
    }

    @Test func alongFollowsAPolylineAtASpeed() throws {
        let scenes = try frames("""
        classes a
        clip frames: 4, fps: 1
        object a at along([(0, 0), (30, 0), (30, 40)], 20, time) { circle(2) }
        object a at along([(0, 0), (10, 0)], 4, time, loop: true) { circle(2) }
        """)
        let first = scenes.map { SceneModel.Point($0.instances[0].shapes[0].transform.tx, $0.instances[0].shapes[0].transform.ty) }
        #expect(first == [.init(0, 0), .init(20, 0), .init(30, 10), .init(30, 30)])
        #expect(scenes.map { $0.instances[1].shapes[0].transform.tx } == [0, 4, 8, 2])
    }

    @Test func alongFollowsBezierPathsByArcLength() throws {
        // A straight "curve" (controls on the chord) is the line itself: 10 px a second along
        // a 40-px segment; then a quarter-circle-like curve, a line_to and a close.
        let scenes = try frames("""
        classes a
        clip frames: 5, fps: 1
        object a at along([move_to((0, 0)), curve_to((10, 0), (30, 0), (40, 0))], 10, time) { circle(2) }
        object a at along([(0, 0), curve_to((0, 55.23), (44.77, 100), (100, 100)), line_to((100, 0)), close()], 78.54, time) { circle(2) }
        """)
        // The Bézier parameter is not arc length (controls at 1/4 and 3/4): arc length is followed.
        for (f, scene) in scenes.enumerated() {
            let x = scene.instances[0].shapes[0].transform.tx
            #expect(abs(x - min(40, 10 * Double(f))) < 0.01, "frame \(f): \(x)")
        }
        // The curve is a quarter circle of radius 100 about (100, 0), 157.08 px long: half-way
        // (1 s) is at 45°, the end (2 s) at (100, 100), then 100 px down the line_to.
        let second = scenes.map { ($0.instances[1].shapes[0].transform.tx, $0.instances[1].shapes[0].transform.ty) }
        #expect(abs(second[1].0 - 29.29) < 0.1 && abs(second[1].1 - 70.71) < 0.1, "\(second[1])")
        #expect(abs(second[2].0 - 100) < 0.1 && abs(second[2].1 - 100) < 0.1, "\(second[2])")
        #expect(abs(second[3].0 - 100) < 0.1 && abs(second[3].1 - 21.46) < 0.2, "\(second[3])")
        let program = try compile("classes a\nclip frames: 1, fps: 1\nobject a at along([(0, 0), close(), (1, 1)], 1, time) { circle(1) }\n")
        #expect { try program.planClip(seed: 0, clip: 0, settings: program.clip!) { _ in preconditionFailure() } } throws: {
            "\($0)".contains("along: points[1] is PathElement close(); after the first, items must be Points, line_to(…), curve_to(…) or a final close()")
        }
    }

    @Test func wanderIsSmoothBoundedAndDrawnOncePerClip() throws {
        let text = """
        classes a
        clip frames: 48, fps: 24
        object a at wander((50, 50), 10, time) { circle(2) }
        """
        let scenes = try frames(text)
        let xs = scenes.map { $0.instances[0].shapes[0].transform.tx }
        #expect(xs.allSatisfy { abs($0 - 50) <= 10 })
        #expect(Set(xs).count > 40)
        // Smooth: no step between frames 1/24 s apart is more than a pixel.
        #expect(zip(xs, xs.dropFirst()).allSatisfy { abs($0 - $1) < 1 })
        // The same clip again draws the same path; another clip another one.
        #expect(try frames(text).map { $0.instances[0].shapes[0].transform.tx } == xs)
        #expect(try frames(text, clip: 1).map { $0.instances[0].shapes[0].transform.tx } != xs)
    }

    @Test func cameraPansZoomsAndTurnsEveryObject() throws {
        let scenes = try frames("""
        canvas 100 x 100
        classes a
        clip frames: 2, fps: 1
        object a at (60, 50) { circle(2) }
        camera pan: (10 * time, 0), zoom: 1 + time
        """)
        // Frame 1: the view centre is at (60, 50), zoomed 2×: the object is at the canvas centre.
        #expect(scenes[0].instances[0].shapes[0].transform.tx == 60)
        #expect(scenes[1].instances[0].shapes[0].transform.tx == 50)
        #expect(scenes[1].instances[0].shapes[0].transform.a == 2)
    }

    @Test(arguments: [
        ("classes a\nclip frames: 0, fps: 12\n", "test.scene:2:14: error: a clip's frames must be a constant whole number between 1 and 10000"),
        ("classes a\nclip frames: 24, fps: -1\n", "test.scene:2:23: error: a clip's fps (frames per second) must be a constant number greater than 0 and at most 1000"),
        ("classes a\nclip frames: 20000, fps: 5\n", "test.scene:2:14: error: a clip's frames must be a constant whole number between 1 and 10000"),
        ("classes a\nclip frames: 2, fps: 5\nclip frames: 3, fps: 5\n", "test.scene:3:1: error: the clip is declared twice"),
        ("classes a\nrepeat 2 { clip frames: 2, fps: 5 }\n", "test.scene:2:12: error: 'clip' must be at the top level of the main scene file"),
        ("classes a\nclip frames: 2\n", "test.scene:2:1: error: missing argument 'fps' of 'clip'"),
        ("classes a\nobject a { camera zoom: 2 }\n", "test.scene:2:12: error: 'camera' applies to the whole image"),
    ])
    func clipMistakesAreLocatedCompileErrors(_ text: String, _ expected: String) throws {
        #expect { try compile(text) } throws: { "\($0)".hasPrefix(expected) }
    }

    @Test func keyframesOutOfOrderIsARuntimeErrorAtTheKey() throws {
        let program = try compile("classes a\nclip frames: 2, fps: 1\nobject a at (keyframes(time, [1, 0], [1, 5]), 0) { circle(2) }\n")
        #expect { try program.planClip(seed: 0, clip: 2, settings: program.clip!) { _ in preconditionFailure() } } throws: {
            let text = "\($0)"
            return text.contains("test.scene:3:38: error: keyframes: key 2 is at 1 s, not after the key before it (1 s)")
                && text.contains("note: while sampling frame 0 of clip 2 with seed 0")
        }
    }

    @Test func clipAndCameraStayOrdinaryNames() throws {
        let scenes = try frames("classes a\nclip frames: 1, fps: 1\nlet clip = 3\nlet camera = clip * 2\nobject a at (camera, clip) { circle(1) }\n")
        #expect(scenes[0].instances[0].shapes[0].transform.tx == 6)
    }
}

@Suite struct TrackTests {
    @Test func tracksFollowStatementAndLoopIterationAcrossEnteringAndLeavingObjects() throws {
        let program = try compile(crossingScene)
        let settings = program.clip!
        let plan = try program.planClip(seed: 1, clip: 0, settings: settings) { _ in preconditionFailure() }
        // First appearance: frame 0 places the standing person (1), the car (2) and the cones
        // (3, 4); the walking person is placed from frame 2 on (5).
        #expect(plan.tracks.count == 5)
        var byTrack: [Int: [Double]] = [:]
        for frame in 0..<settings.frames {
            let scene = try program.sampleFrame(seed: 1, clip: 0, frame: frame, settings: settings, plan: plan).scene
            let ids = scene.instances.compactMap(\.trackID)
            #expect(Set(ids).count == ids.count)
            #expect(ids == (frame < 2 ? [1, 2, 3, 4] : [1, 5, 2, 3, 4]))
            for (track, x) in positions(scene) { byTrack[track, default: []].append(x) }
        }
        #expect(byTrack[1] == [Double](repeating: 48, count: 8))
        #expect(byTrack[3]!.allSatisfy { $0 == 10 } && byTrack[4]!.allSatisfy { $0 == 80 })
        #expect(byTrack[5]!.map { $0.rounded() } == [-10, 0, 10, 20, 30, 40])
    }

    @Test func perFrameOcclusionFactsFollowTheMotion() throws {
        let folder = try temporaryFolder()
        let options = RenderOptions(count: 1, seed: 1, output: folder, jobs: 2, clip: ClipSettings(frames: 8, fps: 4))
        _ = try DatasetRenderer(program: try compile(crossingScene), options: options).run()
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        let images = document["images"] as! [[String: Any]]
        #expect(images.map { $0["file_name"] as! String } == (0..<8).map { String(format: "000000/%06d.png", $0) })
        #expect(images.map { $0["frame_id"] as! Int } == Array(0..<8) && images.allSatisfy { $0["video_id"] as! Int == 1 })
        let annotations = document["annotations"] as! [[String: Any]]
        // The standing person (track 1, pixels x 45…50), frame by frame: the car (x =
        // −27 + 20 f ± 15) comes in, hides part of it (frame 3), all of it (frame 4: no
        // annotation), and leaves it whole again.
        var person: [Int: Double] = [:]
        for annotation in annotations where annotation["track_id"] as! Int == 1 {
            person[(annotation["image_id"] as! Int) - 1] = annotation["visible_fraction"] as? Double
        }
        #expect([0, 1, 2, 5, 6, 7].allSatisfy { person[$0] == 1 })
        #expect(person[3] == 0.5 && person[4] == nil)
        // Hidden by the car's track id's instance: its occluders name the car's mask_id.
        let partly = annotations.first { $0["track_id"] as! Int == 1 && ($0["visible_fraction"] as! Double) < 1 }!
        let image = partly["image_id"] as! Int
        let car = annotations.first { $0["image_id"] as! Int == image && $0["track_id"] as! Int == 2 }!
        #expect((partly["occluders"] as! [[String: Any]]).map { $0["mask_id"] as! Int } == [car["mask_id"] as! Int])
        // The walking person enters from the left edge: truncated in its first frame.
        let entering = annotations.first { $0["track_id"] as! Int == 5 }!
        #expect((entering["in_frame_fraction"] as! Double) < 1)
        let validated = try runTessera(["validate", folder.path])
        #expect(validated.status == 0 && validated.stdout.hasPrefix("valid: 1 clip of 8 frames (8 frames), "), "\(validated.stdout)")
    }

    @Test func renderAndValidateCountClipsAndFrames() throws {
        let folder = try temporaryFolder()
        let scene = folder.appendingPathComponent("clip.scene")
        try "canvas 32 x 32\nclasses ball\nclip frames: 3, fps: 6\nobject ball at (4 + 8 * time, 16) { circle(4) }\n".write(to: scene, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out").path
        let rendered = try runTessera(["render", scene.path, "--count", "2", "--out", out])
        #expect(rendered.status == 0 && rendered.stderr.contains("rendered 2 clips of 3 frames (6 frames) in "), "\(rendered.stderr)")
        #expect(rendered.stderr.contains(" frames/s) into ") && rendered.stderr.contains("the dataset holds 2 clips of 3 frames (6 frames), 6 annotations"))
        #expect(!rendered.stderr.contains("images"), "\(rendered.stderr)")
        let validated = try runTessera(["validate", out])
        #expect(validated.stdout.hasPrefix("valid: 2 clips of 3 frames (6 frames), 6 annotations"), "\(validated.stdout)")
    }
}

@Suite struct ClipPipelineTests {
    private func options(_ folder: URL, jobs: Int = 1, shard: Shard? = nil, resume: Bool = false) -> RenderOptions {
        RenderOptions(count: 5, seed: 4, output: folder, jobs: jobs, resume: resume, shard: shard, clip: ClipSettings(frames: 3, fps: 4))
    }

    private func render(_ options: RenderOptions) throws -> RenderSummary {
        try DatasetRenderer(program: try compile(crossingScene), options: options).run()
    }

    @Test func clipsAreTheSameBytesForAnyJobsShardsAndResume() throws {
        let whole = try temporaryFolder("whole")
        #expect(try render(options(whole)).images == 15)
        let parallel = try temporaryFolder("parallel")
        _ = try render(options(parallel, jobs: 3))
        try expectIdentical(whole, parallel)

        // Shards split by clip: 5 clips in 2 shards are clips 0–1 and 2–4.
        var shards: [URL] = []
        for k in [1, 0] {
            let folder = try temporaryFolder("shard\(k)")
            let summary = try render(options(folder, jobs: 2, shard: Shard(index: k, count: 2)))
            #expect(summary.images == (k == 0 ? 6 : 9))
            shards.append(folder)
        }
        #expect(FileManager.default.fileExists(atPath: shards[0].appendingPathComponent("images/000002/000000.png").path))
        let merged = try temporaryFolder("merged")
        _ = try DatasetMerger.merge(shards: shards, into: merged, overwrite: false)
        try expectIdentical(whole, merged)

        // A run cut inside clip 2's frames resumes to the same bytes.
        let torn = try temporaryFolder("torn")
        _ = try render(options(torn, shard: Shard(index: 0, count: 1)))
        let fm = FileManager.default
        for name in ["annotations/instances_default.json", "manifest.json"] { try fm.removeItem(at: torn.appendingPathComponent(name)) }
        let log = torn.appendingPathComponent(".tessera-records.partial")
        try fm.moveItem(at: torn.appendingPathComponent("shard.records"), to: log)
        var text = try String(contentsOf: log, encoding: .utf8)
        text = String(text[..<text.range(of: "I\t7\t")!.lowerBound])
        try Data(text.utf8).write(to: log)
        let summary = try render(options(torn, resume: true))
        #expect(summary.rendered == 8)
        try expectIdentical(whole, torn)
        #expect(try runTessera(["validate", whole.path]).status == 0)
    }

    @Test func aRequirementMustHoldInEveryFrameOfTheClip() throws {
        // The disc is in the canvas only while x < 40: a requirement on every frame rejects
        // clips whose disc leaves, so every accepted clip keeps it inside throughout.
        let program = try compile("""
        canvas 40 x 40
        classes a
        clip frames: 4, fps: 1
        attempts 200
        let speed = uniform(0, 20)
        object a as d at (5 + speed * time, 20) { circle(2) }
        require visible_pixels(d) > 0
        """)
        let folder = try temporaryFolder()
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 6, seed: 2, output: folder, jobs: 2, clip: program.clip)).run()
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        #expect((document["annotations"] as! [Any]).count == 24)
        let records = try String(contentsOf: folder.appendingPathComponent("records.jsonl"), encoding: .utf8)
        #expect(records.contains("\"attempts\":2") || records.contains("\"attempts\":3"))
    }
}
