/// A matrix of counts as coloured cells (white to dark blue, by the square root of the
/// share of the largest): the position heatmap (cells = regions of the frame) and the
/// who-hides-whom matrix (rows hidden by columns).
///
/// Each cell is a `<rect>` with `data-row`, `data-column` (indices) and `data-value` (the
/// count) and a `<title>` tooltip.
struct MatrixChart {
    /// `values[row][column]`.
    var values: [[Int]]
    /// Row and column names; empty for none (the heatmap's cells are positions).
    var rowLabels: [String] = []
    var columnLabels: [String] = []
    /// Names a cell in its tooltip.
    var cellName: (_ row: Int, _ column: Int) -> String
    var cellWidth = 24.0, cellHeight = 24.0
    /// Write each count in its cell (compactly: 12.3k).
    var showsValues = false
    /// Under the matrix: what the axes are.
    var note: String?

    /// Draws the matrix as a figure named `id`.
    func draw(_ id: Plot.ID, caption: String, description: String, into page: inout Markup) {
        let rows = values.count, columns = values.first?.count ?? 0
        let left = rowLabels.isEmpty ? 8 : min(160, (rowLabels.map(Plot.textWidth).max() ?? 0) + 12)
        // Column labels are slanted 45°; their height is about their width / √2.
        let top = columnLabels.isEmpty ? 8 : min(120, (columnLabels.map(Plot.textWidth).max() ?? 0) * 0.71 + 14)
        let width = max(left + Double(columns) * cellWidth + 40, left + Plot.textWidth(note ?? "") + 8)
        let noteHeight = note == nil ? 0 : 20.0
        let height = top + Double(rows) * cellHeight + 8 + noteHeight
        let maximum = Double(values.joined().max() ?? 0)

        Plot.figure(id, caption: caption, description: description, width: width, height: height, into: &page) { svg in
            for (c, label) in columnLabels.enumerated() {
                let cx = left + (Double(c) + 0.5) * cellWidth
                svg.element("text", [("x", Plot.number(cx)), ("y", Plot.number(top - 6)), ("class", "label"),
                                     ("transform", "rotate(-45 \(Plot.number(cx)) \(Plot.number(top - 6)))")]) { text in
                    text.element("title", text: label)
                    text.text(Plot.fitting(label, width: 150))
                }
            }
            for (r, label) in rowLabels.enumerated() {
                svg.element("text", [("x", Plot.number(left - 6)), ("y", Plot.number(top + (Double(r) + 0.5) * cellHeight + 4)),
                                     ("class", "label"), ("text-anchor", "end")]) { text in
                    text.element("title", text: label)
                    text.text(Plot.fitting(label, width: left - 12))
                }
            }
            for (r, row) in values.enumerated() {
                for (c, value) in row.enumerated() {
                    let x = left + Double(c) * cellWidth, y = top + Double(r) * cellHeight
                    svg.element("rect", [("x", Plot.number(x)), ("y", Plot.number(y)), ("width", Plot.number(cellWidth - 1)),
                                         ("height", Plot.number(cellHeight - 1)), ("fill", Plot.rampColor(Double(value), maximum: maximum)),
                                         ("data-row", String(r)), ("data-column", String(c)), ("data-value", String(value))]) { cell in
                        cell.element("title", text: "\(cellName(r, c)): \(Plot.count(value))")
                    }
                    if showsValues, value > 0 {
                        svg.element("text", [("x", Plot.number(x + cellWidth / 2)), ("y", Plot.number(y + cellHeight / 2 + 4)),
                                             ("class", Plot.needsLightText(Double(value), maximum: maximum) ? "cell light" : "cell"),
                                             ("text-anchor", "middle")], text: Self.compact(value))
                    }
                }
            }
            if let note {
                svg.element("text", [("x", Plot.number(left)), ("y", Plot.number(height - 6)), ("class", "axis-title")], text: note)
            }
        }
    }

    /// A count in at most about five characters: `987`, `12.3k`, `4.5M`.
    static func compact(_ value: Int) -> String {
        switch value {
        case ..<1000: return String(value)
        case ..<100_000: return Plot.number(Double(value) / 1000) + "k"
        case ..<1_000_000: return String(Int((Double(value) / 1000).rounded())) + "k"
        default: return Plot.number(Double(value) / 1_000_000) + "M"
        }
    }
}
