import Dataset
import DatasetReading
import Foundation

/// The report's HTML: a page of sections built from a ``ReportContent``, every piece of the
/// dataset's text escaped by ``Markup``. The sections, in order: summary, classes, each
/// class, occlusion, sampling (acceptance and recorded values, when the run has them),
/// gallery, validation, provenance, scene script.
///
/// Figures a test or a reader may want to take from the page carry `data-figure` (and
/// `data-category` when per class) with the exact number as the element's text.
struct ReportPage {
    let content: ReportContent

    init(_ content: ReportContent) { self.content = content }

    var statistics: DatasetStatistics { content.statistics }
    var manifest: DatasetManifest { content.manifest }

    /// The page's policy: nothing loads from anywhere (images only from `data:` URIs,
    /// styles only inline) and no script runs, so a page opened from anywhere makes no
    /// request and an injected element could do nothing.
    static let contentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

    var html: String {
        var page = Markup()
        page.literal("<!DOCTYPE html>\n")
        page.element("html", [("lang", "en")]) { html in
            html.element("head") { head in
                head.empty("meta", [("charset", "utf-8")])
                head.empty("meta", [("http-equiv", "Content-Security-Policy"), ("content", Self.contentSecurityPolicy)])
                head.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
                head.empty("meta", [("name", "generator"), ("content", "\(manifest.tool) \(Tessera.version) report")])
                head.element("title", text: "Tessera report: \(manifest.scene.name)")
                head.element("style") { $0.literal(ReportStyle.css) }
            }
            html.newline()
            html.element("body") { body in
                header(&body)
                body.newline()
                body.element("main") { main in
                    classes(&main)
                    perClass(&main)
                    occlusion(&main)
                    sampling(&main)
                    gallery(&main)
                    validation(&main)
                    provenance(&main)
                    sceneScript(&main)
                }
                body.newline()
                body.element("footer", text: "Written by \(manifest.tool) \(Tessera.version) (tessera report) from the dataset's manifest.json, annotations and records; "
                    + "figures as tessera stats --json gives them (docs/FORMATS.md), plots described in docs/QC.md.")
            }
        }
        page.newline()
        return page.text
    }

    /// Sections and their anchors, for the contents line.
    private var sections: [(id: String, title: String)] {
        var sections = [("classes", "Classes"), ("per-class", "Per class"), ("occlusion", "Occlusion")]
        if hasSampling { sections.append(("sampling", "Sampling")) }
        sections += [("gallery", "Gallery"), ("validation", "Validation"), ("provenance", "Provenance"), ("scene", "Scene script")]
        return sections
    }

    private func header(_ body: inout Markup) {
        body.element("header") { header in
            header.element("h1", text: "Dataset report: \(manifest.scene.name)")
            header.element("p", [("class", "note")],
                           text: "seed \(manifest.seed) · \(manifest.count) images in the run · scene SHA-256 \(manifest.scene.sha256)")
            header.element("dl", [("class", "figures"), ("id", "summary")]) { list in
                figure("images", "images", value: statistics.images, into: &list)
                figure("annotations", "annotations", value: statistics.annotations, into: &list)
                figure("classes", "classes", value: statistics.categories.count, into: &list)
                figure("more than half hidden", "more_than_half_hidden", value: statistics.moreThanHalfHidden,
                       detail: Plot.percent(statistics.moreThanHalfHidden, of: statistics.annotations), into: &list)
                list.element("div") { item in
                    item.element("dt", text: "validation")
                    item.element("dd") { verdict(&$0) }
                }
            }
            header.element("nav") { nav in
                for section in sections { nav.element("a", [("href", "#" + section.id)], text: section.title) }
            }
        }
    }

    /// One `<div><dt>…</dt><dd data-figure=…>n</dd></div>` of a figures list.
    func figure(_ title: String, _ name: String, value: Int, detail: String? = nil, category: Int? = nil, into list: inout Markup) {
        list.element("div") { item in
            item.element("dt", text: title)
            item.element("dd") { dd in
                dd.element("span", [("data-figure", name), ("data-category", category.map(String.init))], text: String(value))
                if let detail { dd.element("span", [("class", "note")], text: " " + detail) }
            }
        }
    }

    /// The validation verdict as a coloured badge.
    func verdict(_ markup: inout Markup) {
        let faults = content.validation.faultCount
        markup.element("span", [("class", faults == 0 ? "verdict valid" : "verdict invalid"), ("data-figure", "validation"),
                                ("data-faults", String(faults))],
                       text: faults == 0 ? "valid" : "invalid: \(Plot.count(faults)) fault\(faults == 1 ? "" : "s")")
    }

    /// A class's name as the page shows it.
    func name(ofCategory id: Int) -> String {
        statistics.categories.first { $0.id == id }?.name ?? "category \(id)"
    }

    /// `<table>` with a header row and body rows; `numeric` columns align right.
    func table(_ headers: [String], numeric: Set<Int> = [], rows: [[String]], into markup: inout Markup,
               attributes: [Markup.Attribute] = []) {
        markup.element("table", attributes) { table in
            table.element("thead") { head in
                head.element("tr") { row in
                    for (k, title) in headers.enumerated() { row.element("th", [("class", numeric.contains(k) ? "number" : nil)], text: title) }
                }
            }
            table.element("tbody") { body in
                for cells in rows {
                    body.element("tr") { row in
                        for (k, cell) in cells.enumerated() { row.element("td", [("class", numeric.contains(k) ? "number" : nil)], text: cell) }
                    }
                }
            }
        }
    }

    /// A section with an anchor and a heading.
    func section(_ id: String, _ title: String, into main: inout Markup, _ body: (inout Markup) -> Void) {
        main.element("section", [("id", id)]) { section in
            section.element("h2", text: title)
            body(&section)
        }
        main.newline()
    }
}
