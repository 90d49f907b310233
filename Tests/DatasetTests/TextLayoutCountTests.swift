import Foundation
import Testing
import SceneModel
import SceneScript
@testable import Dataset

/// Issue 17: an image's text is laid out once, whatever rasters the image needs — the picture,
/// the instance raster, every amodal mask, and an attempt's rows and masks for its
/// requirements. An operation count, on real scenes: more layouts than distinct texts means a
/// raster laid a text out again.
struct TextLayoutCountTests {
    private struct Text: Hashable {
        let string: String, font: Font, transform: SceneModel.AffineTransform
    }

    @Test(arguments: ["scenes/documents.scene", "scenes/signs.scene", "scenes/shelf.scene"])
    func everyTextOfAnImageIsLaidOutOnce(scene: String) throws {
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent(scene).path,
                                              templateFolders: [packageRoot.appendingPathComponent("templates").path])
        var texts = 0, annotated = 0
        for index in 0..<3 {
            let sample = try program.sampleMeasured(seed: 7, index: index)
            let (_, labels) = try ImageLabels.render(sample)
            // The picture and the raster lay every text out, into the outlines the labels keep…
            let drawn = labels.outlines.layouts
            annotated += try labels.annotations(imageID: index + 1).count
            // …and the amodal masks of the annotations lay none out again.
            #expect(labels.outlines.layouts == drawn, "image \(index)")
            let shapes = sample.scene.instances.flatMap(\.shapes)
            let distinct = Set(shapes.compactMap { shape -> Text? in
                guard case let .text(string, font) = shape.geometry else { return nil }
                return Text(string: string, font: font, transform: shape.transform)
            })
            // A shadow's mask sits a fraction of a pixel off the canvas grid, where a shared
            // outline would not be the same path: a text casting one is laid out once more
            // (none when its shadow falls off the canvas).
            let shadowed = sample.scene.light?.shadow == nil ? 0 : shapes.filter { shape in
                if case .text = shape.geometry { shape.castsShadow && shape.opacity > 0 } else { false }
            }.count
            #expect(drawn >= distinct.count, "image \(index)")
            #expect(drawn <= distinct.count + shadowed, "image \(index)")
            texts += distinct.count
        }
        #expect(texts > 6 && annotated > 6, "the scene draws and labels text")
    }
}
