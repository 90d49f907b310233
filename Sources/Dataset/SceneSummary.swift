import Annotation
import Rendering
public import SceneModel
public import SceneScript

/// What `tessera check` prints: the scene's canvas and classes, and what image 0 drew.
public struct SceneSummary {
    public let text: String

    /// Samples and renders image 0 of `program` with `seed` and summarizes it.
    /// - Throws: `ScriptError` for a runtime script error; `RenderError` from rendering.
    public init(program: SceneProgram, seed: UInt64) throws {
        let scene = try program.sample(seed: seed, index: 0)
        let rendered = try SceneRenderer.render(scene)
        let labels = ImageLabels(scene: scene, instanceIDs: rendered.instanceIDs,
                                 amodal: try SceneRenderer.amodalMasks(scene))
        let visible = labels.annotations(imageID: 1)
        var lines = [
            "scene '\(program.name)': canvas \(scene.width) x \(scene.height), \(scene.categories.count) classes, \(program.sources.count) source file(s)",
            "image 0 (seed \(seed)): \(scene.instances.count) instances drawn, \(visible.count) visible and annotated",
        ]
        for category in scene.categories {
            let drawn = scene.instances.filter { $0.categoryID == category.id }.count
            let seen = visible.filter { $0.categoryID == category.id }
            let area = seen.reduce(0) { $0 + $1.area }
            lines.append("  \(category.id) \(category.name) (\(category.supercategory)): \(drawn) drawn, \(seen.count) visible, \(area) px")
        }
        let unlabeled = scene.instances.filter { $0.categoryID == nil }.count
        if unlabeled > 0 { lines.append("  unlabeled: \(unlabeled) drawn") }
        text = lines.joined(separator: "\n")
    }
}
