import Dataset
import Foundation
import Rendering
import SceneModel
import Testing

/// scenes/media.scene (sprites, text, a photo background) end to end.
@Suite struct MediaSceneTests {
    @Test func photoBackgroundLeavesEveryMaskUnchanged() throws {
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent("scenes/media.scene").path)
        for index in 0..<4 {
            let scene = try program.sample(seed: 4, index: index)
            #expect(scene.backgroundImage != nil)
            var plain = scene
            plain.backgroundImage = nil
            #expect(try SceneRenderer.render(scene).instanceIDs == SceneRenderer.render(plain).instanceIDs)
            #expect(try SceneRenderer.amodalMasks(scene) == SceneRenderer.amodalMasks(plain))
        }
    }

    @Test func renderedDatasetValidatesWithEveryClassAnnotated() throws {
        let out = try temporaryFolder()
        let result = try runTessera(["render", "scenes/media.scene", "--count", "4", "--seed", "1", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let validation = try runTessera(["validate", out.path])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        let coco = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("annotations.json"))) as! [String: Any]
        let categories = Set((coco["annotations"] as! [[String: Any]]).map { $0["category_id"] as! Int })
        #expect(categories == [1, 2, 3, 4])
    }
}
