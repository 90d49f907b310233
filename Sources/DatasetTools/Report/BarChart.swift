/// A horizontal bar chart of named rows (classes, requirements, recorded labels): one bar
/// per series in each row, the value written at the bar's end, a value axis along the top.
///
/// Each bar is a `<rect>` with `data-row` (the row's label), `data-series` and `data-value`
/// (the exact number) and a `<title>` tooltip, so tests and readers can take the figures
/// from the page.
struct BarChart {
    struct Row {
        var label: String
        /// One value per series.
        var values: [Double]
    }

    var rows: [Row]
    /// Series names, in the order of each row's values; shown as a legend when more than one.
    var series: [String]
    /// A value as written at the bar and in its tooltip.
    var format: (Double) -> String = { Plot.count(Int($0.rounded())) }
    /// The axis end; `nil` for the largest value rounded up to a tick.
    var maximum: Double?

    static let width = 560.0
    private static let barHeight = 14.0, rowGap = 8.0, top = 30.0, bottom = 8.0
    private static let valueRoom = 64.0

    /// Draws the chart as a figure named `id`.
    func draw(_ id: Plot.ID, caption: String, description: String, into page: inout Markup) {
        let labelWidth = min(180, max(60, (rows.map { Plot.textWidth($0.label) }.max() ?? 0) + 8))
        let plotLeft = labelWidth, plotWidth = Self.width - labelWidth - Self.valueRoom
        let rowHeight = Double(series.count) * Self.barHeight + Self.rowGap
        let legend = series.count > 1 ? 18.0 : 0
        let height = Self.top + legend + Double(max(rows.count, 1)) * rowHeight + Self.bottom
        let largest = rows.flatMap(\.values).max() ?? 0
        let (step, end) = maximum.map { (Plot.ticks(upTo: $0).step, $0) } ?? Plot.ticks(upTo: largest)
        func x(_ value: Double) -> Double { plotLeft + plotWidth * min(max(value, 0), end) / end }

        Plot.figure(id, caption: caption, description: description, width: Self.width, height: height, into: &page) { svg in
            if series.count > 1 {
                var left = plotLeft
                for (k, name) in series.enumerated() {
                    svg.empty("rect", [("x", Plot.number(left)), ("y", "4"), ("width", "10"), ("height", "10"),
                                       ("fill", Plot.seriesColors[k % Plot.seriesColors.count])], selfClosing: true)
                    svg.element("text", [("x", Plot.number(left + 14)), ("y", "13"), ("class", "legend")], text: name)
                    left += 24 + Plot.textWidth(name)
                }
            }
            let axisY = Self.top + legend - 6
            var tick = 0.0
            while tick <= end + step / 2 {
                svg.empty("line", [("x1", Plot.number(x(tick))), ("x2", Plot.number(x(tick))), ("y1", Plot.number(axisY)),
                                   ("y2", Plot.number(height - Self.bottom)), ("class", "grid")], selfClosing: true)
                svg.element("text", [("x", Plot.number(x(tick))), ("y", Plot.number(axisY - 4)), ("class", "tick"),
                                     ("text-anchor", "middle")], text: Plot.tickLabel(tick))
                tick += step
            }
            for (r, row) in rows.enumerated() {
                let rowTop = Self.top + legend + Double(r) * rowHeight
                svg.element("text", [("x", Plot.number(plotLeft - 6)), ("y", Plot.number(rowTop + Double(series.count) * Self.barHeight / 2 + 4)),
                                     ("class", "label"), ("text-anchor", "end")]) { label in
                    label.element("title", text: row.label)
                    label.text(Plot.fitting(row.label, width: labelWidth - 8))
                }
                for (k, value) in row.values.enumerated() {
                    let y = rowTop + Double(k) * Self.barHeight
                    svg.element("rect", [("x", Plot.number(plotLeft)), ("y", Plot.number(y)),
                                         ("width", Plot.number(x(value) - plotLeft)), ("height", Plot.number(Self.barHeight - 2)),
                                         ("fill", Plot.seriesColors[k % Plot.seriesColors.count]),
                                         ("data-row", row.label), ("data-series", series[k]), ("data-value", Plot.exact(value))]) { bar in
                        bar.element("title", text: "\(row.label) · \(series[k]): \(format(value))")
                    }
                    svg.element("text", [("x", Plot.number(x(value) + 4)), ("y", Plot.number(y + Self.barHeight - 4)), ("class", "value")],
                                text: format(value))
                }
            }
        }
    }
}

extension Plot {
    /// A value for a `data-value` attribute: integers as integers, others with Swift's
    /// shortest round-trip text, so a reader gets the number back exactly.
    static func exact(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}
