import Annotation
@testable import Dataset
import DatasetTools
import Foundation
import Rendering
import SceneModel
import Testing

/// Things, stuff, unlabeled objects and the visibility filter in one rendered image, checked
/// pixel by pixel against masks computed by hand from the geometry (pixel-centre rule).
@Suite struct ImageLabelsTests {
    /// Drawing order (= raster id): 1 sky, 2 road, 3 traffic light, 4 猫, 5 unlabeled, 6 road.
    /// Category ids: "traffic light" 1, "猫" 2, road 3, sky 4.
    static let scene = """
    canvas 40 x 30
    classes "traffic light": signal, "猫"
    stuff road: ground, sky
    object sky at (20, 5) { rectangle(40, 10, fill: #88aaff) }              # rows 0…9
    object road at (20, 25) { rectangle(40, 10, fill: #444444) }            # rows 20…29
    object "traffic light" as t at (10, 15) { rectangle(10, 20, fill: #222222) }   # columns 5…14, rows 5…24
    object "猫" as cat at (30, 15) { rectangle(2, 2, fill: #ffffff) }       # columns 29…30, rows 14…15: 4 pixels
    object unlabeled at (10, 8) { rectangle(4, 4, fill: #00ff00) }         # columns 8…11, rows 6…9
    object road as r at (20, 22) { rectangle(40, 4, fill: #555555) }        # rows 20…23, in front of the light
    attempts 1
    require count(p in all) == 2 and count(p in road) == 2 and count(p in "sky") == 1
    require hidden_by(t, "road") == 40 and hidden_by(t, "unlabeled") == 16 and hidden_by(t, r) == 40
    require class_name(r) == "road" and visible_pixels(cat) == 4
    """

    /// The semantic and instance values the contract asks for at (x, y).
    static func expected(x: Int, y: Int) -> (semantic: Int, instance: Int) {
        let inLight = (5...14).contains(x) && (5...24).contains(y)
        let inOccluder = (8...11).contains(x) && (6...9).contains(y)
        let inFrontRoad = (20...23).contains(y)
        if inFrontRoad { return (3, 0) }
        if inOccluder { return (0, 0) }
        if (29...30).contains(x) && (14...15).contains(y) { return (255, 4) }   // 猫, left out: ignore
        if inLight { return (1, 3) }
        if y <= 9 { return (4, 0) }
        if y >= 20 { return (3, 0) }
        return (0, 0)
    }

    private func render(into folder: URL) throws {
        let options = RenderOptions(count: 2, seed: 3, output: folder, jobs: 1, visibility: VisibilityFilter(minimumPixels: 5))
        _ = try DatasetRenderer(program: try compile(Self.scene), options: options).run()
    }

    @Test func masksAnnotationsAndClassMapFollowTheContractPixelByPixel() throws {
        let folder = try temporaryFolder()
        try render(into: folder)
        for stem in ["000000", "000001"] {
            let semantic = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("masks/semantic/\(stem).png")))
            let instance = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("masks/instance_ids/\(stem).png")))
            #expect(semantic.bitDepth == 8 && instance.bitDepth == 16)
            var wrong: [String] = []
            for y in 0..<30 {
                for x in 0..<40 {
                    let want = Self.expected(x: x, y: y)
                    let got = (Int(semantic.samples[y * 40 + x]), Int(instance.samples[y * 40 + x]))
                    if got != want { wrong.append("(\(x), \(y)): \(got), expected \(want)") }
                }
            }
            #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        }

        let document = try jsonObject(folder.appendingPathComponent("annotations/instances_default.json"))
        let categories = document["categories"] as! [[String: Any]]
        #expect(categories.map { $0["id"] as! Int } == [1, 2], "COCO lists the things only, ids unchanged")
        #expect(categories.map { $0["name"] as! String } == ["traffic light", "猫"])
        let annotations = document["annotations"] as! [[String: Any]]
        #expect(annotations.count == 2, "one per image: the traffic light; 猫 is left out, stuff never annotated")
        for annotation in annotations {
            #expect(annotation["category_id"] as! Int == 1 && annotation["mask_id"] as! Int == 3)
            #expect(annotation["area"] as! Int == 200 - 16 - 40 && annotation["amodal_area"] as! Int == 200)
            #expect(annotation["occluders"] as! [[String: Int]] == [["mask_id": 5, "pixels": 16], ["mask_id": 6, "pixels": 40]],
                    "stuff and unlabeled objects occlude like any object")
        }
        // The name is written exactly, UTF-8, not escaped.
        let raw = try Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))
        #expect(String(decoding: raw, as: UTF8.self).contains("{\"id\":2,\"name\":\"猫\",\"supercategory\":\"object\"}"))

        let classes = try String(contentsOf: folder.appendingPathComponent("classes.json"), encoding: .utf8)
        #expect(classes == """
        {"bit_depth":8,"background_value":0,"ignore_value":255,"categories":[
        {"id":1,"name":"traffic light","supercategory":"signal","isthing":1,"color":[128,0,0]},
        {"id":2,"name":"猫","supercategory":"object","isthing":1,"color":[0,128,0]},
        {"id":3,"name":"road","supercategory":"ground","isthing":0,"color":[128,128,0]},
        {"id":4,"name":"sky","supercategory":"object","isthing":0,"color":[0,0,128]}
        ]}

        """)
        let manifest = try jsonObject(folder.appendingPathComponent("manifest.json"))
        let paths = (manifest["files"] as! [[String: Any]]).map { $0["path"] as! String }
        #expect(paths.suffix(3) == ["annotations/instances_default.json", "records.jsonl", "classes.json"])
        #expect(try DatasetValidator.validate(folder).isValid)
    }

    /// Changes one semantic pixel of image 0 to `value` and returns the validator's faults.
    private func faults(settingSemantic value: UInt8, x: Int, y: Int) throws -> [String] {
        let folder = try temporaryFolder()
        try render(into: folder)
        let url = folder.appendingPathComponent("masks/semantic/000000.png")
        var mask = try PNG.decode(Data(contentsOf: url))
        mask.samples[y * 40 + x] = UInt16(value)
        let data = try PNG.encodeGray8(mask.samples.map { UInt8($0) }, width: 40, height: 30, settings: PNG.Settings())
        try data.write(to: url)
        // Re-list the file's hash, so only the label rules can object.
        let manifestURL = folder.appendingPathComponent("manifest.json")
        let digest = FileEntry(path: "masks/semantic/000000.png", data: data)
        var text = try String(contentsOf: manifestURL, encoding: .utf8)
        let entry = try #require(text.range(of: #"\{"path":"masks/semantic/000000.png","bytes":\d+,"sha256":"[0-9a-f]+"\}"#, options: .regularExpression))
        text.replaceSubrange(entry, with: "{\"path\":\"masks/semantic/000000.png\",\"bytes\":\(digest.bytes),\"sha256\":\"\(digest.sha256)\"}")
        try text.write(to: manifestURL, atomically: true, encoding: .utf8)
        return try DatasetValidator.validate(folder).faults
    }

    @Test(arguments: [
        (UInt8(4), 6, 12, "expected category 1 of instance 3"),       // a thing pixel claimed by stuff
        (UInt8(1), 29, 14, "expected the ignore value 255"),            // a left-out instance's pixel labeled
        (UInt8(255), 0, 0, "expected 0 or a stuff category"),           // ignore on stuff
        (UInt8(2), 20, 12, "expected 0 or a stuff category"),           // a thing id on background
    ])
    func validateFindsASemanticPixelOffTheRule(value: UInt8, x: Int, y: Int, message: String) throws {
        let faults = try faults(settingSemantic: value, x: x, y: y)
        #expect(faults.count == 1 && faults[0].contains("masks/semantic/000000.png: 1 pixel differ"), "\(faults)")
        #expect(faults.first?.contains("(\(x), \(y)) holds \(value), \(message)") == true, "\(faults)")
    }

    @Test func pastTwoHundredFiftyFourCategoriesTheSemanticMaskIs16BitWithIgnore65535() throws {
        let names = (1...254).map { "\"class \($0)\"" }.joined(separator: ", ")
        let script = """
        canvas 8 x 8
        classes \(names)
        stuff ground
        object ground at (4, 4) { rectangle(8, 8) }
        object "class 254" at (2, 2) { rectangle(2, 2) }
        object "class 3" at (6.5, 6.5) { rectangle(1, 1) }
        """
        let folder = try temporaryFolder()
        let options = RenderOptions(count: 1, seed: 0, output: folder, jobs: 1, visibility: VisibilityFilter(minimumPixels: 2))
        _ = try DatasetRenderer(program: try compile(script), options: options).run()
        let semantic = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("masks/semantic/000000.png")))
        #expect(semantic.bitDepth == 16)
        #expect(semantic.samples[0] == 255, "the stuff class has id 255, a category in a 16-bit mask")
        #expect(semantic.samples[1 * 8 + 1] == 254 && semantic.samples[6 * 8 + 6] == 65535)
        let classes = try jsonObject(folder.appendingPathComponent("classes.json"))
        #expect(classes["bit_depth"] as! Int == 16 && classes["ignore_value"] as! Int == 65535)
        #expect(try DatasetValidator.validate(folder).isValid)
    }
}

/// Issue 18, finding 2 (seen again by the fuzzer): a clip scene with `repeat 8192` around a
/// sidewalk took 2 GB in `check`, because every instance's amodal mask — stuff included —
/// was drawn and kept until the labels were written. Only visible things are annotated, so
/// only their masks are drawn, one at a time.
@Suite struct ImageLabelsAmodalDemandTests {
    @Test func onlyVisibleThingsHaveTheirAmodalMaskDrawn() throws {
        let shapes = { (x: Double, y: Double, w: Double, h: Double) in
            [SceneModel.Shape(geometry: .rectangle(width: w, height: h), transform: .translation(x, y), paint: .solid(.black))]
        }
        let categories = [SceneModel.Category(id: 1, name: "thing", supercategory: "object"),
                          SceneModel.Category(id: 2, name: "ground", supercategory: "stuff", isThing: false)]
        var instances = (1...50).map { SceneModel.Instance(id: $0, categoryID: 2, shapes: shapes(20, 20, 40, 40)) }
        instances.append(SceneModel.Instance(id: 51, categoryID: 1, shapes: shapes(10, 10, 4, 4)))   // visible
        instances.append(SceneModel.Instance(id: 52, categoryID: 1, shapes: shapes(30, 30, 4, 4)))   // hidden below
        instances.append(SceneModel.Instance(id: 53, categoryID: 1, shapes: shapes(30, 30, 6, 6)))   // visible
        instances.append(SceneModel.Instance(id: 54, categoryID: nil, shapes: shapes(5, 5, 2, 2)))   // unlabeled
        let scene = SceneModel.Scene(width: 40, height: 40, categories: categories, background: .solid(.white),
                                     instances: instances)
        var asked: [Int] = []
        let labels = ImageLabels(scene: scene, instanceIDs: try SceneRenderer.instanceRaster(scene)) { id in
            asked.append(id)
            return try SceneRenderer.amodalMask(scene.instances[id - 1], width: 40, height: 40)
        }
        let annotations = try labels.annotations(imageID: 1)
        #expect(annotations.map(\.instanceID) == [51, 53])
        #expect(asked == [51, 53])
    }
}
