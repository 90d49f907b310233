/// The occlusion section: who hides whom, and how many instances are more than half hidden.
extension ReportPage {
    func occlusion(_ main: inout Markup) {
        section("occlusion", "Occlusion", into: &main) { section in
            let categories = statistics.categories
            section.element("div", [("class", "plots")]) { plots in
                // Rows: the hidden class; columns: the class hiding it, then unannotated occluders.
                let values = categories.map { c in categories.map { c.hiddenBy[$0.id] ?? 0 } + [c.hiddenByUnannotated] }
                let columns = categories.map(\.name) + ["unannotated"]
                MatrixChart(values: values, rowLabels: categories.map(\.name), columnLabels: columns,
                            cellName: { row, column in "\(categories[row].name) hidden by \(columns[column]), pixels" },
                            cellWidth: 56, cellHeight: 24, showsValues: true, note: "row: the hidden class · column: the class in front")
                    .draw(.init(kind: "occlusion-matrix"), caption: "Who hides whom (pixels)",
                          description: "Pixels of each class's amodal masks hidden by each class, from the annotations' occluders", into: &plots)
                BarChart(rows: categories.map { c in
                            .init(label: c.name, values: [c.instances > 0 ? 100 * Double(c.moreThanHalfHidden) / Double(c.instances) : 0])
                         } + [.init(label: "all classes", values: [statistics.annotations > 0
                                ? 100 * Double(statistics.moreThanHalfHidden) / Double(statistics.annotations) : 0])],
                         series: ["more than half hidden"], format: { Plot.number($0) + " %" }, maximum: 100)
                    .draw(.init(kind: "more-than-half-hidden"), caption: "Share more than half hidden",
                          description: "Per class, the percentage of instances with visible fraction below 0.5", into: &plots)
            }
            section.element("p", [("class", "note")], text: "Hidden pixels are summed from each annotation's occluders: an occluder takes the class of the annotation with its instance id in the same image; \"unannotated\" are occluders with no annotation (unlabeled objects, or labeled ones left out by --min-visible-*). A row adds up to Σ (amodal area − area) of the class.")
        }
    }
}
