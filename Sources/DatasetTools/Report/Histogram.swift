/// A histogram: adjacent vertical bars over bins of equal width on the page, a count axis on
/// the left, bin labels under the bars (at the bin edges or centres), and optional marker
/// lines such as COCO's small/medium/large thresholds.
///
/// Each bar is a `<rect>` with `data-bin` (its index) and `data-value` (the count) and a
/// `<title>` tooltip naming the bin.
struct Histogram {
    enum Labels {
        /// `counts.count + 1` labels for the bin edges (`0`, `0.1`, … or `1`, `2`, `4`, …).
        case edges([String])
        /// `counts.count` labels, one under each bin's centre (`0`, `1`, `2` instances).
        case centres([String])
    }

    /// A vertical line across the plot at `position`, in bins from the left edge of bin 0
    /// (1.5 = the middle of bin 1).
    struct Marker {
        var position: Double
        var label: String
    }

    var counts: [Int]
    var labels: Labels
    /// Names each bin in its bar's tooltip (`[1024, 2048) px`).
    var binName: (Int) -> String
    /// Under the axis: what the bins measure, with units.
    var axisTitle: String
    var markers: [Marker] = []

    static let width = 360.0, height = 190.0
    private static let left = 44.0, right = 10.0, top = 22.0, bottom = 40.0

    /// Draws the histogram as a figure named `id`.
    func draw(_ id: Plot.ID, caption: String, description: String, into page: inout Markup) {
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let binCount = max(counts.count, 1)
        let binWidth = plotWidth / Double(binCount)
        let (step, end) = Plot.ticks(upTo: Double(counts.max() ?? 0), target: 4)
        let baseline = Self.top + plotHeight
        func x(_ position: Double) -> Double { Self.left + binWidth * position }
        func y(_ value: Double) -> Double { baseline - plotHeight * value / end }

        Plot.figure(id, caption: caption, description: description, width: Self.width, height: Self.height, into: &page) { svg in
            var tick = 0.0
            while tick <= end + step / 2 {
                svg.empty("line", [("x1", Plot.number(Self.left)), ("x2", Plot.number(Self.width - Self.right)),
                                   ("y1", Plot.number(y(tick))), ("y2", Plot.number(y(tick))), ("class", "grid")], selfClosing: true)
                svg.element("text", [("x", Plot.number(Self.left - 4)), ("y", Plot.number(y(tick) + 4)), ("class", "tick"),
                                     ("text-anchor", "end")], text: Plot.tickLabel(tick))
                tick += step
            }
            for (bin, count) in counts.enumerated() {
                svg.element("rect", [("x", Plot.number(x(Double(bin)) + 0.5)), ("y", Plot.number(y(Double(count)))),
                                     ("width", Plot.number(max(binWidth - 1, 0.5))), ("height", Plot.number(baseline - y(Double(count)))),
                                     ("class", "bar"), ("data-bin", String(bin)), ("data-value", String(count))]) { bar in
                    bar.element("title", text: "\(binName(bin)): \(Plot.count(count))")
                }
            }
            svg.empty("line", [("x1", Plot.number(Self.left)), ("x2", Plot.number(Self.width - Self.right)),
                               ("y1", Plot.number(baseline)), ("y2", Plot.number(baseline)), ("class", "axis")], selfClosing: true)
            let (texts, offset): ([String], Double) = switch labels {
            case let .edges(texts): (texts, 0)
            case let .centres(texts): (texts, 0.5)
            }
            // Every k-th label, so that neighbours do not overlap.
            let widest = (texts.map(Plot.textWidth).max() ?? 0) + 6
            let every = max(1, Int((widest / binWidth).rounded(.up)))
            for (k, text) in texts.enumerated() where k % every == 0 {
                svg.element("text", [("x", Plot.number(x(Double(k) + offset))), ("y", Plot.number(baseline + 14)), ("class", "tick"),
                                     ("text-anchor", "middle")], text: text)
            }
            svg.element("text", [("x", Plot.number(Self.left + plotWidth / 2)), ("y", Plot.number(Self.height - 6)), ("class", "axis-title"),
                                 ("text-anchor", "middle")], text: axisTitle)
            for marker in markers where (0...Double(binCount)).contains(marker.position) {
                let mx = x(marker.position)
                svg.empty("line", [("x1", Plot.number(mx)), ("x2", Plot.number(mx)), ("y1", Plot.number(Self.top - 4)),
                                   ("y2", Plot.number(baseline)), ("class", "marker")], selfClosing: true)
                svg.element("text", [("x", Plot.number(mx + 3)), ("y", Plot.number(Self.top - 8)), ("class", "marker-label")], text: marker.label)
            }
        }
    }
}
