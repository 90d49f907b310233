import Annotation
import Foundation
import Rendering
import SceneModel
public import SceneScript

/// What `tessera check` prints: the scene's canvas and classes, and what image 0 drew (for a
/// clip scene: frame 0 of clip 0, planned over the whole clip).
public struct SceneSummary {
    public let text: String

    /// Samples and renders image 0 of `program` with `seed` and summarizes it.
    /// - Throws: `ScriptError` for a runtime script error; `RenderError` from rendering.
    public init(program: SceneProgram, seed: UInt64) throws {
        let sample: Sample
        do { sample = try program.sampleMeasured(seed: seed, index: 0) } catch let exhausted as ExhaustedAttempts {
            throw exhausted.error
        }
        let scene = sample.scene
        let (rendered, labels) = try ImageLabels.render(sample)
        let visible = try labels.annotations(imageID: 1)
        let clip = program.clip.map { ", clips of \($0.frames) frame\($0.frames == 1 ? "" : "s") at \(SceneSummary.number($0.fps)) fps" } ?? ""
        var lines = [
            "scene '\(program.name)': canvas \(scene.width) x \(scene.height)\(clip), \(scene.categories.count) class\(scene.categories.count == 1 ? "" : "es"), \(program.sources.count) source file\(program.sources.count == 1 ? "" : "s")",
            "\(program.clip == nil ? "image 0" : "clip 0, frame 0") (seed \(seed)): \(scene.instances.count) instances drawn, \(visible.count) visible and annotated",
        ]
        for category in scene.categories {
            let drawn = scene.instances.filter { $0.categoryID == category.id }.count
            let seen = visible.filter { $0.categoryID == category.id }
            let area = seen.reduce(0) { $0 + $1.area }
            lines.append("  \(category.id) \(category.name) (\(category.supercategory)\(category.isThing ? "" : ", stuff")): \(drawn) drawn, \(seen.count) visible, \(area) px")
        }
        let unlabeled = scene.instances.filter { $0.categoryID == nil }.count
        if unlabeled > 0 { lines.append("  unlabeled: \(unlabeled) drawn") }
        lines.append("  light: " + (scene.light.map(SceneSummary.describe) ?? "none (flat drawing, no shadows)"))
        if scene.sensor.isGray { lines.append("  sensor: grey, \(scene.sensor.bitDepth) bits") }
        lines.append("  effects: " + (scene.effects.isEmpty ? "none" : scene.effects.map(SceneSummary.describe).joined(separator: ", ")))
        if !program.parameters.isEmpty {
            lines.append("  parameters: " + program.parameters.map {
                "\($0.name) = \($0.value.json.jsonText)" + ($0.isOverridden ? " (set)" : "")
            }.joined(separator: ", "))
        }
        if !scene.records.isEmpty {
            lines.append("  recorded: " + scene.records.map { "\($0.name) = \($0.value.json.jsonText)" }.joined(separator: ", "))
        }
        if !program.mediaFiles.isEmpty {
            let names = program.mediaFiles.prefix(3).map(\.path).joined(separator: ", ")
            let more = program.mediaFiles.count > 3 ? " and \(program.mediaFiles.count - 3) more" : ""
            lines.append("  media: \(program.mediaFiles.count) image file(s) named by literal paths: \(names)\(more)")
        }
        text = lines.joined(separator: "\n")
    }

    /// A number with at most three decimals and no trailing zeros.
    private static func number(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
    }

    private static func describe(_ light: Light) -> String {
        var text = "direction \(number(light.direction))°, elevation \(number(light.elevation))°, "
            + "intensity \(number(light.intensity)), ambient \(number(light.ambient))"
        if light.color != .white { text += ", color \(hex(light.color))" }
        if light.specular > 0 { text += ", specular \(number(light.specular))" }
        if let shadow = light.shadow {
            text += "; shadow \(number(shadow.distance)) px, blur \(number(shadow.blur)) px, opacity \(number(shadow.opacity))"
            if shadow.color != .black { text += ", color \(hex(shadow.color))" }
        }
        return text
    }

    /// `#rrggbb`, or `#rrggbbaa` when not opaque, as scripts write colours.
    private static func hex(_ color: Color) -> String {
        let channels = [color.red, color.green, color.blue] + (color.alpha < 1 ? [color.alpha] : [])
        return "#" + channels.map { String(format: "%02x", Int((min(1, max(0, $0)) * 255).rounded())) }.joined()
    }

    private static func describe(_ effect: Effect) -> String {
        switch effect {
        case let .gaussianNoise(sigma, _): return "noise(\(number(sigma)))"
        case let .gaussianBlur(sigma): return "blur(\(number(sigma)))"
        case let .motionBlur(angle, length): return "motion_blur(\(number(angle)), \(number(length)))"
        case let .brightness(f): return "brightness(\(number(f)))"
        case let .contrast(f): return "contrast(\(number(f)))"
        case let .gamma(g): return "gamma(\(number(g)))"
        case let .saturation(f): return "saturation(\(number(f)))"
        case let .vignette(strength, radius): return "vignette(\(number(strength)), radius: \(number(radius)))"
        case let .colorTemperature(kelvin): return "color_temperature(\(number(kelvin)))"
        case let .haze(sigma, amount): return "haze(\(number(sigma)), \(number(amount)))"
        case let .flatField(falloff, gradient, _): return "flat_field(\(number(falloff)), gradient: \(number(gradient)))"
        case let .detector(photons, readNoise, offset, _):
            return "detector(\(number(photons)), read_noise: \(number(readNoise)), offset: \(number(offset)))"
        }
    }
}
