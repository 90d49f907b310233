import Annotation
import Dataset
import Foundation
import Rendering
import Testing

/// `object unlabeled …` end to end: drawn, hides what is behind it, never annotated.
@Suite struct UnlabeledObjectTests {
    private func render(_ script: String) throws -> (document: [String: Any], folder: URL) {
        let folder = try temporaryFolder()
        let options = RenderOptions(count: 1, seed: 0, output: folder, jobs: 1)
        _ = try DatasetRenderer(program: try compile(script), options: options).run()
        let data = try Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))
        return (try JSONSerialization.jsonObject(with: data) as! [String: Any], folder)
    }

    @Test func anUnlabeledOccluderHidesPixelsButHasNoAnnotation() throws {
        let script = """
        canvas 64 x 32
        classes bar
        object bar at (30, 12) { rectangle(30, 4) }
        object unlabeled at (30, 12) { rectangle(2, 20, fill: #ff0000) }
        """
        let (document, _) = try render(script)
        let annotations = document["annotations"] as! [[String: Any]]
        #expect(annotations.count == 1, "only the bar is annotated")
        let bar = annotations[0]
        #expect(bar["category_id"] as! Int == 1)
        #expect(bar["area"] as! Int == 120 - 8, "the occluder's 2 × 4 pixels are hidden")
        #expect(bar["amodal_area"] as! Int == 120)
        #expect(bar["occluders"] as! [[String: Int]] == [["mask_id": 2, "pixels": 8]])
        let rle = bar["segmentation"] as! [String: Any]
        let visible = try RLE(height: 32, width: 64, compressedCounts: rle["counts"] as! String).decodeMask()
        #expect(!visible[12 * 64 + 29] && !visible[12 * 64 + 30] && visible[12 * 64 + 28] && visible[12 * 64 + 31])
        let categories = document["categories"] as! [[String: Any]]
        #expect(categories.map { $0["name"] as! String } == ["bar"], "unlabeled is not a category")
    }

    @Test func anUnlabeledObjectIsDrawnInTheImageAndTheInstanceRaster() throws {
        let script = "canvas 8 x 8\nclasses a\nobject unlabeled at (4, 4) { rectangle(8, 8, fill: #ff0000) }"
        let scene = try compile(script).sample(seed: 0, index: 0)
        #expect(scene.instances.count == 1 && scene.instances[0].categoryID == nil)
        let rendered = try SceneRenderer.render(scene)
        #expect(rendered.instanceIDs.allSatisfy { $0 == 1 })
        #expect(rendered.image.rgb(x: 4, y: 4) == (255, 0, 0))
        let (document, _) = try render(script)
        #expect((document["annotations"] as! [Any]).isEmpty)
        #expect((document["images"] as! [Any]).count == 1, "the image is listed even with nothing to annotate")
    }
}
