import Dataset
import Foundation
import Testing

/// End to end: light, shadows, textures, opacity and image effects change the pictures and
/// never the labels. The same scene is rendered with and without them; the realism statements
/// come after the objects and draw no random values before them, so both runs place the same
/// objects.
@Suite struct RealismLabelTests {
    private static func script(isRealistic: Bool) -> String {
        let paint = isRealistic ? "stripes(c, #ffffff, scale: 6, angle: 30)" : "c"
        var text = """
            canvas 160 x 120
            classes disc, box
            background \(isRealistic ? "checker(#d0d0d0, #b0b0b0, scale: 16)" : "#c8c8c8")
            repeat 6 {
              let c = hsv(uniform(0, 360), 0.8, 0.9)
              let p = (uniform(20, 140), uniform(20, 100))
              if bernoulli(0.5) {
                object disc at p { circle(uniform(8, 24), fill: \(paint), outline: #202020, outline_width: 3) }
              } else {
                object box at p rotate uniform(0, 90) { rectangle(uniform(16, 40), uniform(16, 40), fill: c, outline: #202020, outline_width: 2\(isRealistic ? ", opacity: 0.7" : "")) }
              }
            }
            """
        if isRealistic {
            text += """

                light direction: uniform(0, 360), elevation: 35, specular: 0.4, shadow: shadow(9, blur: 3, opacity: 0.8)
                effect motion_blur(angle: 20, length: 7)
                effect noise(0.04)
                effect vignette(0.6)
                effect color_temperature(3500)
                """
        }
        return text
    }

    private static func render(isRealistic: Bool) throws -> [String: Data] {
        let folder = try temporaryFolder("realism\(isRealistic)")
        let options = RenderOptions(count: 4, seed: 11, output: folder, jobs: 1)
        _ = try DatasetRenderer(program: try compile(script(isRealistic: isRealistic)), options: options).run()
        return try filesBelow(folder)
    }

    /// The `annotations` array of annotations/instances_<split>.json, re-serialised with sorted keys.
    private static func annotations(_ files: [String: Data]) throws -> Data {
        let document = try JSONSerialization.jsonObject(with: files["annotations/instances_default.json"]!) as! [String: Any]
        return try JSONSerialization.data(withJSONObject: document["annotations"]!, options: [.sortedKeys])
    }

    @Test func realismChangesThePicturesButNotTheLabels() throws {
        let (plain, realistic) = (try Self.render(isRealistic: false), try Self.render(isRealistic: true))
        let masks = plain.keys.filter { $0.hasPrefix("masks/") }.sorted()
        #expect(masks.count == 8, "an instance and a semantic mask per image")
        for path in masks {
            // Same process, same PNG encoder: equal bytes are equal pixels.
            #expect(plain[path] == realistic[path], "\(path) differs")
        }
        let labels = try Self.annotations(plain)
        #expect(try Self.annotations(realistic) == labels)
        #expect(labels.count > 100, "the scene has annotations to compare")
        for index in 0..<4 {
            let image = String(format: "images/%06d.png", index)
            #expect(plain[image] != nil && plain[image] != realistic[image], "\(image) should change")
        }
    }
}
