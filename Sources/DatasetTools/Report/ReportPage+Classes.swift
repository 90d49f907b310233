import Foundation

/// The class sections: counts across classes, then each class's distributions and heatmap.
extension ReportPage {
    func classes(_ main: inout Markup) {
        section("classes", "Classes", into: &main) { section in
            let categories = statistics.categories
            section.element("div", [("class", "plots")]) { plots in
                BarChart(rows: categories.map { .init(label: $0.name, values: [Double($0.instances), Double($0.images)]) },
                         series: ["instances", "images containing"])
                    .draw(.init(kind: "class-counts"), caption: "Instances and images containing each class",
                          description: "Per class: annotations, and images holding at least one", into: &plots)
            }
            section.element("table", [("id", "class-table")]) { table in
                table.element("thead") { head in
                    head.element("tr") { row in
                        row.element("th", text: "class")
                        row.element("th", text: "supercategory")
                        for title in ["id", "instances", "images", "per image", "small", "medium", "large", "> ½ hidden"] {
                            row.element("th", [("class", "number")], text: title)
                        }
                    }
                }
                table.element("tbody") { body in
                    for c in categories {
                        body.element("tr") { row in
                            row.element("td", text: c.name)
                            row.element("td", text: c.supercategory ?? "")
                            func cell(_ value: Int, _ name: String, detail: String? = nil) {
                                row.element("td", [("class", "number")]) { td in
                                    td.element("span", [("data-figure", name), ("data-category", String(c.id))], text: String(value))
                                    if let detail { td.element("span", [("class", "note")], text: " " + detail) }
                                }
                            }
                            cell(c.id, "id")
                            cell(c.instances, "instances")
                            cell(c.images, "images")
                            row.element("td", [("class", "number")],
                                        text: c.images > 0 ? String(format: "%.2f", Double(c.instances) / Double(c.images)) : "–")
                            cell(c.small, "small")
                            cell(c.medium, "medium")
                            cell(c.large, "large")
                            cell(c.moreThanHalfHidden, "more_than_half_hidden", detail: Plot.percent(c.moreThanHalfHidden, of: c.instances))
                        }
                    }
                }
            }
            section.element("p", [("class", "note")],
                            text: "Per image: instances over the images that contain the class. Small, medium, large: COCO's split of the visible area at 32² = 1024 and 96² = 9216 pixels.")
        }
    }

    func perClass(_ main: inout Markup) {
        section("per-class", "Per class", into: &main) { section in
            section.element("p", [("class", "note")], text: "Sizes are log₂-binned: a bar counts values from its left edge up to, not including, its right edge. Fractions are binned in tenths, 1 in the last bin. Positions are box centres on an 8 × 8 grid over the frame, top row at the top.")
            for c in statistics.categories {
                section.element("section", [("class", "class"), ("id", "class-\(c.id)"), ("data-category", String(c.id))]) { block in
                    block.element("h3", text: c.name + (c.supercategory.map { " (\($0))" } ?? "") + " · \(Plot.count(c.instances)) instances")
                    block.element("div", [("class", "plots")]) { plots in
                        distributions(of: c, into: &plots)
                    }
                }
            }
        }
    }

    private func distributions(of c: DatasetStatistics.Category, into plots: inout Markup) {
        let perImage = c.instancesPerImage
        Histogram(counts: perImage, labels: .centres(perImage.indices.map(String.init)),
                  binName: { "\($0) instance\($0 == 1 ? "" : "s")" }, axisTitle: "instances of the class in an image")
            .draw(.category("instances-per-image", c.id), caption: "Instances per image",
                  description: "\(c.name): images by how many instances of the class they hold", into: &plots)

        let log2Edges = { (bins: Int) in (0...bins).map { Self.powerOfTwo($0) } }
        let areaMarkers = [Histogram.Marker(position: log2(Double(DatasetStatistics.smallArea)), label: "32²"),
                           .init(position: log2(Double(DatasetStatistics.mediumArea)), label: "96²")]
        // At least up to 2^14, so that both of COCO's thresholds show.
        let area = c.area + [Int](repeating: 0, count: max(0, 14 - c.area.count))
        Histogram(counts: area, labels: .edges(log2Edges(area.count)),
                  binName: { "area [\(Self.powerOfTwo($0)), \(Self.powerOfTwo($0 + 1))) px" },
                  axisTitle: "visible area, pixels (small \(c.small) · medium \(c.medium) · large \(c.large))", markers: areaMarkers)
            .draw(.category("area", c.id), caption: "Visible area",
                  description: "\(c.name): annotations by visible area, log2 bins, with COCO's small/medium/large thresholds", into: &plots)

        let sideMarkers = [Histogram.Marker(position: 5, label: "32"), .init(position: log2(96), label: "96")]
        Histogram(counts: c.bboxSide, labels: .edges(log2Edges(c.bboxSide.count)),
                  binName: { "longer box side [\(Self.powerOfTwo($0)), \(Self.powerOfTwo($0 + 1))) px" },
                  axisTitle: "longer bbox side max(w, h), pixels", markers: sideMarkers)
            .draw(.category("bbox-side", c.id), caption: "Box size",
                  description: "\(c.name): annotations by the longer side of the bbox, log2 bins", into: &plots)

        let tenths = (0...DatasetStatistics.fractionBins).map { Self.tenth($0) }
        let fractionName = { (what: String) in { (bin: Int) in "\(what) [\(Self.tenth(bin)), \(Self.tenth(bin + 1))\(bin == DatasetStatistics.fractionBins - 1 ? "]" : ")")" } }
        Histogram(counts: c.visibleFraction, labels: .edges(tenths), binName: fractionName("visible fraction"),
                  axisTitle: "visible fraction (area / amodal area)", markers: [.init(position: 5, label: "½")])
            .draw(.category("visible-fraction", c.id), caption: "Visible fraction",
                  description: "\(c.name): annotations by visible fraction; left of ½ is more than half hidden", into: &plots)
        Histogram(counts: c.inFrameFraction, labels: .edges(tenths), binName: fractionName("in-frame fraction"),
                  axisTitle: "in-frame fraction (1 = not cut by the frame)")
            .draw(.category("in-frame-fraction", c.id), caption: "In-frame fraction",
                  description: "\(c.name): annotations by the share of the object inside the frame", into: &plots)

        MatrixChart(values: c.heatmap, cellName: { row, column in "box centres in row \(row + 1), column \(column + 1) of 8" },
                    cellWidth: 20, cellHeight: 20, note: "box centres over the frame")
            .draw(.category("heatmap", c.id), caption: "Position",
                  description: "\(c.name): where box centres fall, 8 × 8 cells over the frame", into: &plots)
    }

    /// 2^k as a bin edge label: `1`, `2`, … `512`, `1k`, `2k`, … `1M`.
    static func powerOfTwo(_ k: Int) -> String {
        switch k {
        case ..<10: String(1 << k)
        case ..<20: "\(1 << (k - 10))k"
        default: "\(1 << (k - 20))M"
        }
    }

    /// k / 10 as `0`, `0.1`, … `1`.
    static func tenth(_ k: Int) -> String { k % 10 == 0 ? String(k / 10) : "0.\(k)" }
}
