import Foundation
import Testing

/// The built `tessera` binary, run as a user would.
@Suite struct EndToEndTests {
    @Test func rendersTheShapesSceneIntoACompleteDataset() throws {
        let out = try temporaryFolder()
        let result = try runTessera(["render", "scenes/shapes.scene", "--count", "3", "--seed", "1", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("rendered 3 images"))
        let files = try filesBelow(out)
        for name in ["000000", "000001", "000002"] {
            #expect(files["images/\(name).png"] != nil)
            #expect(files["masks/instance_ids/\(name).png"] != nil)
            #expect(files["masks/semantic/\(name).png"] != nil)
        }
        let coco = try JSONSerialization.jsonObject(with: files["annotations/instances_default.json"]!) as! [String: Any]
        let info = coco["info"] as! [String: Any]
        #expect(info["seed"] as! Int == 1 && info["scene"] as! String == "shapes")
        #expect((coco["images"] as! [Any]).count == 3)
        #expect(files["manifest.json"] != nil)
    }

    /// datumaro's `Dataset.detect` (1.13) takes a folder of PNGs named `instance`, at any depth,
    /// for KITTI segmentation with more confidence than it gives COCO instances, and a folder
    /// `instances` for MOTS; either way it names no format (tests/interop/test_loaders.py).
    @Test func noFolderOfTheDatasetCarriesANameThatDatumaroTakesForAnotherFormat() throws {
        let out = try temporaryFolder()
        let result = try runTessera(["render", "scenes/shapes.scene", "--count", "2", "--seed", "1", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let folders = Set(try filesBelow(out).keys.flatMap { path in path.split(separator: "/").dropLast().map(String.init) })
        #expect(folders == ["images", "masks", "instance_ids", "semantic", "annotations"])
        #expect(folders.isDisjoint(with: ["instance", "instances", "label_2", "image_2"]))
    }

    @Test func bareRenderUsesTheBuiltInSceneAndOutputFolder() throws {
        let folder = try temporaryFolder()
        let result = try runTessera(["render", "--count", "2"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let files = try filesBelow(folder.appendingPathComponent("output"))
        #expect(files["images/000001.png"] != nil && files["annotations/instances_default.json"] != nil)
        // A second run into the same folder must not silently replace it.
        let again = try runTessera(["render", "--count", "2"], in: folder)
        #expect(again.status == 64)
        #expect(again.stderr.contains("--overwrite"))
    }

    @Test func scriptErrorsPointAtTheScriptAndExit65() throws {
        let folder = try temporaryFolder()
        let scene = folder.appendingPathComponent("bad.scene")
        try Data("canvas 64 x 64\nclasses a\nobject a { circle(unifrom(1, 2)) }\n".utf8).write(to: scene)
        let result = try runTessera(["render", scene.path, "--out", folder.appendingPathComponent("out").path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("bad.scene:3:19: error:"))
        #expect(result.stderr.contains("did you mean 'uniform'?"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/annotations/instances_default.json").path))
        // No image was finished, so nothing is left in the way of the corrected command.
        #expect(try filesBelow(folder.appendingPathComponent("out")).isEmpty)
        try Data("canvas 64 x 64\nclasses a\nobject a { circle(uniform(1, 2)) }\n".utf8).write(to: scene)
        let fixed = try runTessera(["render", scene.path, "--count", "2", "--out", folder.appendingPathComponent("out").path])
        #expect(fixed.status == 0, "\(fixed.stderr)")
    }

    @Test func missingSceneExits66AndBadFlagsExit64() throws {
        let missing = try runTessera(["render", "no/such.scene"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no/such.scene"))
        let badCount = try runTessera(["render", "--count=-3"])
        #expect(badCount.status == 64)
        #expect(badCount.stderr.contains("--count"))
        // A negative value written as its own argument reaches our check, not "Missing value".
        let negative = try runTessera(["render", "--count", "-1"])
        #expect(negative.status == 64)
        #expect(negative.stderr.contains("--count must be"))
        let noFolder = try runTessera(["check", "scenes/shapes.scene", "--templates", "no/such/folder"])
        #expect(noFolder.status == 64)
        #expect(noFolder.stderr.contains("--templates 'no/such/folder': no such folder"))
        let badLevel = try runTessera(["render", "--png-level", "12"])
        #expect(badLevel.status == 64)
        #expect(badLevel.stderr.contains("--png-level"))
    }

    @Test func checkSummarizesImageZero() throws {
        let result = try runTessera(["check", "scenes/shapes.scene"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("scene 'shapes': canvas 512 x 512, 3 classes"))
        #expect(result.stdout.contains("1 circle (shape)"))
        let bench = try runTessera(["check", "scenes/bench-shapes.scene"])
        #expect(bench.stdout.contains("elevation 45°, intensity 1, ambient 0.55; shadow 6 px, blur 1.5 px, opacity 0.3"), "\(bench.stdout)")
        #expect(bench.stdout.contains("  effects: noise(0.012)\n") || bench.stdout.hasSuffix("  effects: noise(0.012)"))
        let media = try runTessera(["check", "scenes/media.scene"])
        #expect(media.stdout.contains("  light: none (flat drawing, no shadows)") && media.stdout.contains("  effects: none"))
        #expect(media.stdout.contains("  media: 4 image file(s) named by literal paths"))
    }
}
