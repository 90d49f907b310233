import Foundation
import Testing
import SceneScript
import Rendering
@testable import Dataset

/// What a requirement sees of a rendered attempt (`RasterFacts`) equals what
/// `annotations/instances_<split>.json` says of the same image, field by field, on real scenes.
struct RasterFactsTests {
    /// The fields compared, decoded with `JSONDecoder`, which reads numbers exactly
    /// (`JSONSerialization` on Linux may be off in the last bit).
    private struct Annotation: Decodable {
        struct Occluder: Decodable { var mask_id: Int; var pixels: Int }
        var image_id: Int, z_order: Int, area: Int, bbox: [Int], amodal_area: Int
        var visible_fraction: Double, in_frame_fraction: Double, occluders: [Occluder]
    }
    private struct Document: Decodable { var annotations: [Annotation] }

    private func dataset(_ scene: String, count: Int) throws -> (SceneProgram, [Annotation]) {
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent(scene).path,
                                              templateFolders: [packageRoot.appendingPathComponent("templates").path])
        let folder = try temporaryFolder(scene)
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: count, seed: 11, output: folder, jobs: 2)).run()
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json")))
        return (program, document.annotations)
    }

    @Test(arguments: ["scenes/street.scene", "scenes/occlusion_pairs.scene", "scenes/crowd.scene"])
    func everyFactEqualsTheAnnotationField(scene: String) throws {
        let count = 6
        let (program, annotations) = try dataset(scene, count: count)
        var compared = 0
        for index in 0..<count {
            let sample = try program.sampleMeasured(seed: 11, index: index)
            let facts = RasterFacts(scene: sample.scene)
            for annotation in annotations where annotation.image_id == index + 1 {
                let id = annotation.z_order
                #expect(try facts.visiblePixels(of: id) == annotation.area)
                let box = try #require(try facts.visibleBox(of: id))
                #expect([box.x, box.y, box.width, box.height] == annotation.bbox)
                let occlusion = try facts.occlusion(of: id)
                #expect(occlusion.amodalArea == annotation.amodal_area)
                #expect(occlusion.visibleFraction == annotation.visible_fraction)
                #expect(occlusion.inFrameFraction == annotation.in_frame_fraction)
                #expect(occlusion.hiddenBy.map { [$0.instance, $0.pixels] } == annotation.occluders.map { [$0.mask_id, $0.pixels] })
                compared += 1
            }
        }
        #expect(compared > 10, "the scene has annotations to compare")
    }

    /// A requirement about one instance draws only that instance's rows: on real scenes (text,
    /// sprites, strokes, outlines, stuff across the canvas), each instance's area and box
    /// measured on its own rows equal those of the whole raster, and so do the rows themselves.
    @Test(arguments: ["scenes/street.scene", "scenes/documents.scene", "scenes/signs.scene", "scenes/shelf.scene",
                      "scenes/cells.scene", "scenes/crowd.scene", "scenes/media.scene", "scenes/hidden_pedestrian_clip.scene"])
    func oneInstancesRowsMeasureAsTheWholeRaster(scene: String) throws {
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent(scene).path,
                                              templateFolders: [packageRoot.appendingPathComponent("templates").path])
        var partial = 0
        for index in 0..<2 {
            let scene = try program.sampleMeasured(seed: 4, index: index).scene
            let whole = RasterFacts(scene: scene)
            let raster = try whole.instanceIDs()
            for instance in scene.instances {
                let alone = RasterFacts(scene: scene)
                #expect(try alone.visiblePixels(of: instance.id) == whole.visiblePixels(of: instance.id), "\(scene) \(instance.id)")
                #expect(try alone.visibleBox(of: instance.id) == whole.visibleBox(of: instance.id), "\(scene) \(instance.id)")
                let rows = try SceneRenderer.canvasRows(of: instance, width: scene.width, height: scene.height)
                guard !rows.isEmpty, rows.count < scene.height else { continue }
                partial += 1
                #expect(alone.drawnInstanceIDs == nil && alone.rowsDrawn == rows.count)
                let band = try SceneRenderer.instanceRaster(scene, rows: rows)
                #expect(band[...] == raster[(rows.lowerBound * scene.width)..<(rows.upperBound * scene.width)], "\(scene) \(instance.id)")
            }
        }
        #expect(partial > 0, "some instance is measured on part of the canvas")
    }

    /// Work on counts: an instance off the canvas is measured without drawing anything; a few on
    /// it draw their rows; once those rows would reach the canvas height, the whole raster is
    /// drawn once instead.
    @Test func measuringOneInstanceDrawsOnlyItsRows() throws {
        let program = try compile("""
            canvas 100 x 100
            classes a
            object a as far at (50, 8192) { circle(10) }
            object a as top at (50, 10) { rectangle(20, 10) }
            object a as bottom at (50, 90) { rectangle(20, 10) }
            object a as tall at (20, 50) { rectangle(10, 90) }
            """)
        let facts = RasterFacts(scene: try program.sample(seed: 0, index: 0))
        #expect(try facts.visiblePixels(of: 1) == 0)
        #expect(try facts.visibleBox(of: 1) == nil)
        #expect(facts.rowsDrawn == 0 && facts.drawnInstanceIDs == nil)
        #expect(try facts.visiblePixels(of: 2) == 200)
        #expect(try facts.visibleBox(of: 3) == VisibleBox(x: 40, y: 85, width: 20, height: 10))
        #expect(facts.drawnInstanceIDs == nil && facts.rowsDrawn > 0 && facts.rowsDrawn < 50)
        #expect(try facts.visiblePixels(of: 4) == 900)
        #expect(facts.drawnInstanceIDs != nil, "90 more rows would exceed the canvas: the whole raster instead")
        #expect(try facts.visiblePixels(of: 2) == 200)
    }

    /// The limit on an image's drawing windows (LANGUAGE.md, *Limits*: 2³⁰ pixels) leaves every
    /// shipped scene far inside it: the largest sum over 8 images (clips: frame 0) of each
    /// is under a sixteenth of it.
    @Test(arguments: try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("scenes").path)
        .filter { $0.hasSuffix(".scene") }.sorted())
    func shippedScenesStayFarInsideTheWindowLimit(file: String) throws {
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent("scenes/\(file)").path,
                                              templateFolders: [packageRoot.appendingPathComponent("templates").path])
        var largest = 0
        for index in 0..<8 {
            let scene = try program.sampleMeasured(seed: 1, index: index).scene
            largest = max(largest, scene.instances.reduce(0) { $0 + $1.windowPixels(width: scene.width, height: scene.height) })
        }
        print("\(file): largest sum of instance windows \(largest) pixels")
        #expect(largest > 0 && largest < (1 << 30) / 16, "\(file): \(largest)")
    }

    @Test func sharedEdgeCountsTheBoundaryBetweenTwoVisibleMasks() throws {
        // Two 10 × 10 squares side by side share a 10-pixel edge; a third one apart shares none;
        // a square on top of the first hides part of it and shares its own edges.
        let program = try compile("""
            canvas 64 x 64
            classes a
            object a at (10, 10) { rectangle(10, 10) }
            object a at (20, 10) { rectangle(10, 10) }
            object a at (50, 50) { rectangle(10, 10) }
            object a at (12, 14) { rectangle(4, 4) }
            """)
        let facts = RasterFacts(scene: try program.sample(seed: 0, index: 0))
        #expect(try facts.sharedEdge(between: 1, and: 2) == 10)
        #expect(try facts.sharedEdge(between: 2, and: 1) == 10)
        #expect(try facts.sharedEdge(between: 1, and: 3) == 0)
        // The small square on top of square 1 crosses its edge: count that boundary by brute force.
        var brute = 0
        let ids = try facts.instanceIDs()
        for y in 0..<64 {
            for x in 0..<64 {
                let here = ids[y * 64 + x]
                if x + 1 < 64, Set([here, ids[y * 64 + x + 1]]) == [1, 4] { brute += 1 }
                if y + 1 < 64, Set([here, ids[(y + 1) * 64 + x]]) == [1, 4] { brute += 1 }
            }
        }
        #expect(brute > 0)
        #expect(try facts.sharedEdge(between: 4, and: 1) == brute)
    }

    @Test func aRenderedRequirementHoldsForEveryImageOfARun() throws {
        let program = try compile("""
            canvas 96 x 96
            classes person, car
            attempts 400
            object person as p at (uniform(10, 86), 48) { rectangle(16, 40) }
            repeat 2 { object car at (uniform(0, 96), uniform(40, 70)) { rectangle(30, 24) } }
            require visible_fraction(p) >= 0.2 and visible_fraction(p) <= 0.4
            require hidden_by(p, "car") >= 0.5 * hidden_pixels(p)
            """)
        let folder = try temporaryFolder()
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 24, seed: 3, output: folder, jobs: 2)).run()
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        let people = (document["annotations"] as! [[String: Any]]).filter { $0["category_id"] as! Int == 1 }
        #expect(people.count == 24)
        for person in people {
            let fraction = person["visible_fraction"] as! Double
            #expect(fraction >= 0.2 && fraction <= 0.4)
        }
    }

    /// Writes `text` to a fresh folder as `name` and returns its URL.
    private func scriptFile(_ name: String, _ text: String) throws -> URL {
        let script = try temporaryFolder().appendingPathComponent(name)
        try text.write(to: script, atomically: true, encoding: .utf8)
        return script
    }

    @Test func checkSamplesPrintsEachRequirementsAcceptance() throws {
        let script = try scriptFile("rare.scene", """
            canvas 64 x 64
            classes a
            attempts 100
            object a as p at (uniform(0, 64), 32) { circle(8) }
            require in_frame_fraction(p) < 1
            """)
        let result = try runTessera(["check", script.path, "--samples", "40"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sampled 40 image(s) without drawing pictures"))
        #expect(result.stdout.contains("rare.scene:5:9: require (rendered) in_frame_fraction(p) < 1: held 40 of "))
        #expect(result.stdout.contains("expected attempts per image"))
        let bad = try runTessera(["check", script.path, "--samples", "0"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--samples"))
    }

    /// A clip scene is summarised as clips: frame 0 of clip 0, and samples counted as clips.
    @Test func checkOfAClipSceneSpeaksOfClipsAndFrames() throws {
        let script = try scriptFile("walk.scene", """
            canvas 64 x 64
            classes a
            clip frames: 6, fps: 3
            attempts 100
            object a as p at (uniform(-40, 100) + 10 * time, 32) { circle(8) }
            require always(in_frame_fraction(p) == 1)
            """)
        let result = try runTessera(["check", script.path, "--samples", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("scene 'walk': canvas 64 x 64, clips of 6 frames at 3 fps, 1 class") == true, "\(lines)")
        #expect(lines.dropFirst().first?.hasPrefix("clip 0, frame 0 (seed 0): 1 instances drawn") == true, "\(lines)")
        #expect(result.stdout.contains("sampled 5 clip(s) (6 frames each) without drawing pictures; acceptance: 5 of 5 clips accepted in "))
        #expect(result.stdout.contains("attempts per clip: mean"))
        #expect(result.stdout.contains("expected attempts per clip: "))
        #expect(!result.stdout.contains("image"), "\(result.stdout)")
    }
}
