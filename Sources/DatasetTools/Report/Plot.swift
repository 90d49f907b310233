import Foundation

/// What the report's plots share: the `<figure>` that holds each one and names it, the
/// axis ticks, number formatting and colours.
///
/// Plot frame: SVG user units (1 unit = 1 CSS pixel at the natural size), origin top-left,
/// y down. Every number written into the SVG goes through ``Plot/number(_:)``, so the same
/// figures always give the same bytes.
enum Plot {
    /// A plot's identity in the page: `id="plot-KIND"`, or `id="plot-KIND-N"` for one of a
    /// kind's plots (a class's, by category id; a recorded value's, by its place), and
    /// `data-plot="KIND"`, so a test or a script can find every plot. Kinds are listed in
    /// docs/QC.md.
    struct ID: Equatable {
        var kind: String
        var number: Int?
        /// More `data-` attributes: `data-category` for a class's plot.
        var attributes: [String: String] = [:]

        var elementID: String { number.map { "plot-\(kind)-\($0)" } ?? "plot-\(kind)" }

        /// The plot of kind `kind` for the category `id`.
        static func category(_ kind: String, _ id: Int) -> ID {
            ID(kind: kind, number: id, attributes: ["data-category": String(id)])
        }
    }

    /// Wraps a plot's SVG in a `<figure>` with its identity and a caption.
    /// - Parameters:
    ///   - width, height: the SVG's natural size, in CSS pixels.
    ///   - description: the SVG's accessible title (and tooltip), e.g. what is counted.
    static func figure(_ id: ID, caption: String, description: String, width: Double, height: Double,
                       into page: inout Markup, _ body: (inout Markup) -> Void) {
        let attributes: [Markup.Attribute] = [("class", "plot"), ("id", id.elementID), ("data-plot", id.kind)]
            + id.attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        page.element("figure", attributes) { figure in
            figure.element("figcaption", text: caption)
            figure.element("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(number(width)) \(number(height))"),
                                   ("width", number(width)), ("height", number(height)), ("role", "img")]) { svg in
                svg.element("title", text: description)
                body(&svg)
            }
        }
        page.newline()
    }

    /// A coordinate or size: at most one decimal, no trailing `.0`, never `-0`.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        if tenths == 0 { return "0" }
        let text = String(format: "%.1f", tenths / 10)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// A count as text, thousands grouped by thin spaces (U+2009): `1 234 567`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "\u{2009}" }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `part / whole` as a percentage with one decimal, `–` when `whole` is 0.
    static func percent(_ part: Int, of whole: Int) -> String {
        whole > 0 ? String(format: "%.1f %%", 100 * Double(part) / Double(whole)) : "–"
    }

    /// Axis ticks from 0 to at least `maximum`: 1, 2 or 5 times a power of ten apart, about
    /// `target` of them, at least 1 apart (the axes count things or percentages). Returns
    /// the step and the axis end (a multiple of the step).
    static func ticks(upTo maximum: Double, target: Int = 4) -> (step: Double, end: Double) {
        guard maximum > 0 else { return (1, 1) }
        let rough = maximum / Double(target)
        let power = pow(10, (log10(rough)).rounded(.down))
        let step = max(1, [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power)
        return (step, (maximum / step).rounded(.up) * step)
    }

    /// A tick value as text (ticks are whole numbers).
    static func tickLabel(_ value: Double) -> String { count(Int(value.rounded())) }

    /// The series colours, in turn.
    static let seriesColors = ["#3b6fb6", "#e0823d", "#4e9a5a", "#b5484b", "#7b5fb0", "#8c6d46"]

    /// The fill of a cell holding `value` of `maximum` on a white-to-blue ramp; `#f4f4f4`
    /// for 0, so empty cells stay visible.
    static func rampColor(_ value: Double, maximum: Double) -> String {
        guard value > 0, maximum > 0 else { return "#f4f4f4" }
        // Square root: small counts stay visible next to a large one.
        let t = min(1, (value / maximum).squareRoot())
        let from = (222.0, 235.0, 247.0), to = (8.0, 48.0, 107.0)
        func channel(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * t).rounded()) }
        return String(format: "#%02x%02x%02x", channel(from.0, to.0), channel(from.1, to.1), channel(from.2, to.2))
    }

    /// Whether text on a cell of `rampColor(value, maximum)` should be white.
    static func needsLightText(_ value: Double, maximum: Double) -> Bool {
        value > 0 && maximum > 0 && (value / maximum).squareRoot() > 0.55
    }

    /// About how wide `text` is at the report's 11 px sans-serif, for laying out labels (SVG
    /// cannot measure text before the browser lays it out).
    static func textWidth(_ text: String) -> Double { Double(text.count) * 6.6 }

    /// `text` cut to about `width` units with an ellipsis; the plot's `<title>` elements
    /// keep the whole text.
    static func fitting(_ text: String, width: Double) -> String {
        let characters = max(1, Int((width / 6.6).rounded()))
        return text.count <= characters ? text : String(text.prefix(characters - 1)) + "…"
    }
}
