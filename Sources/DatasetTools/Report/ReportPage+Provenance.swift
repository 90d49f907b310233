import Annotation
import Foundation

/// The sections about the run rather than its figures: sample gallery, validation,
/// provenance and the scene script.
extension ReportPage {
    func gallery(_ main: inout Markup) {
        section("gallery", "Gallery", into: &main) { section in
            let gallery = content.gallery
            section.element("p", [("class", "note")], text: gallery.samples.isEmpty ? "No samples." :
                "\(gallery.samples.count) of \(Plot.count(statistics.images)) images, spread evenly through the dataset (positions ⌊k·n/\(gallery.samples.count)⌋), drawn as tessera preview draws them: visible masks tinted, boxes and class names, amodal outlines dashed where something hides the object.")
            section.element("div", [("class", "gallery")]) { grid in
                for sample in gallery.samples {
                    // The tile's own caption names the image; alt and title say it in text.
                    let description = "image \(sample.imageID) (\(sample.fileName)) with its \(sample.annotationCount) annotations drawn"
                    grid.element("figure", [("data-image-id", String(sample.imageID))]) { figure in
                        figure.empty("img", [("src", "data:image/png;base64," + sample.png.base64EncodedString()),
                                             ("width", String(gallery.tileWidth)), ("height", String(gallery.tileHeight)),
                                             ("alt", description), ("title", description)])
                    }
                    grid.newline()
                }
            }
        }
    }

    func validation(_ main: inout Markup) {
        section("validation", "Validation", into: &main) { section in
            section.element("p") { p in
                verdict(&p)
                switch content.validation {
                case let .checked(report):
                    p.text(" \(Plot.count(report.images)) images, \(Plot.count(report.annotations)) annotations and \(Plot.count(report.files)) files checked against manifest.json and the label contract (tessera validate).")
                case .stopped:
                    p.text(" The check stopped at a record it cannot read past (tessera validate exits 65):")
                }
            }
            switch content.validation {
            case let .checked(report) where !report.faults.isEmpty:
                section.element("ul", [("class", "faults"), ("id", "faults")]) { list in
                    for fault in report.faults { list.element("li", text: fault) }
                    if report.faultCount > report.faults.count {
                        list.element("li", text: "… and \(Plot.count(report.faultCount - report.faults.count)) more")
                    }
                }
            case let .stopped(message):
                section.element("ul", [("class", "faults"), ("id", "faults")]) { $0.element("li", text: message) }
            default: break
            }
        }
    }

    func provenance(_ main: inout Markup) {
        section("provenance", "Provenance", into: &main) { section in
            let options = manifest.options
            var rows: [[String]] = [
                ["tool", "\(manifest.tool) \(manifest.version)"],
                ["scene", "\(manifest.scene.name) (SHA-256 \(manifest.scene.sha256))"],
                ["seed", String(manifest.seed)],
                ["count", String(manifest.count)],
            ]
            if let indices = manifest.indices { rows.append(["indices", indices]) }
            if let shard = manifest.shard {
                rows.append(["shard", "\(shard.index) of \(shard.count): images \(shard.firstImage) ..< \(shard.endImage)"])
            }
            rows += [
                ["image format", options.imageFormat ?? "png"],
                ["segmentation", options.segmentation ?? "rle"],
                ["min visible pixels", options.minVisiblePixels.map(String.init) ?? "–"],
                ["min visible fraction", options.minVisibleFraction.map { "\($0)" } ?? "–"],
                ["parameters", options.parameters.map(\.jsonText) ?? "–"],
            ]
            table(["field", "value"], rows: rows, into: &section, attributes: [("id", "provenance-table")])
            section.element("p", [("class", "note")], text: "From manifest.json. Image i of the run is a pure function of (script, seed, i, tool version): the same command with this tool version, seed and options makes the same bytes.")
        }
    }

    func sceneScript(_ main: inout Markup) {
        section("scene", "Scene script", into: &main) { section in
            for (k, source) in manifest.scene.sources.enumerated() {
                section.element("h3", text: source.name + (k == 0 ? "" : " (imported)"))
                section.element("p", [("class", "note")], text: "SHA-256 \(source.sha256)")
                section.element("pre", [("id", "scene-source-\(k)")]) { $0.element("code", text: source.text) }
            }
        }
    }
}
