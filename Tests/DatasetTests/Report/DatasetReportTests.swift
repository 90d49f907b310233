import Dataset
import DatasetReading
@testable import DatasetTools
import Foundation
import Testing

/// `DatasetReport` on a small rendered dataset: every plot is in the page, the page is the
/// same bytes for the same dataset wherever it lies, dataset text is escaped, and bad input
/// fails before anything is written (the Python interop test loads the page in Chromium).
@Suite struct DatasetReportTests {
    /// Discs and plates that overlap, a requirement, and a recorded string.
    private let scene = """
    canvas 64 x 48
    classes disc: round, plate
    background #203040
    repeat randint(1, 3) { object disc at (uniform(8, 56), uniform(8, 40)) { circle(uniform(4, 12), fill: #e0a020) } }
    object plate at (uniform(8, 56), uniform(8, 40)) { rectangle(uniform(6, 20), uniform(6, 20), fill: #c0c0c0) }
    require uniform(0, 1) < 0.7
    record mood = choice("calm", "busy")
    """

    private func dataset(count: Int = 5, name: String = #function) throws -> URL {
        let folder = try temporaryFolder(name).appendingPathComponent("dataset")
        let options = RenderOptions(count: count, seed: 3, output: folder, jobs: 1)
        _ = try DatasetRenderer(program: try compile(scene), options: options).run()
        return folder
    }

    private func page(_ root: URL, options: DatasetReport.Options = .init()) throws -> String {
        ReportPage(try ReportContent(root, options: options)).html
    }

    /// The `id`s of the elements that carry `data-plot`.
    private func plotIDs(_ html: String) -> [String] {
        html.matches(of: /<figure class="plot" id="([^"]+)" data-plot=/).map { String($0.output.1) }.sorted()
    }

    @Test func everyPlotIsThere() throws {
        let html = try page(try dataset())
        var expected = ["plot-class-counts", "plot-occlusion-matrix", "plot-more-than-half-hidden",
                        "plot-requirement-acceptance", "plot-attempts-per-image", "plot-recorded-labels-0"]
        for id in [1, 2] {
            expected += ["instances-per-image", "area", "bbox-side", "visible-fraction", "in-frame-fraction", "heatmap"].map { "plot-\($0)-\(id)" }
        }
        #expect(plotIDs(html) == expected.sorted())
        #expect(html.contains("<span data-figure=\"images\">5</span>"))
        #expect(html.contains("class=\"verdict valid\""))
        #expect(html.contains("record mood = choice(&quot;calm&quot;, &quot;busy&quot;)"), "the scene script, escaped")
        #expect(html.matches(of: /<img src="data:image\/png;base64,/).count == 5)
    }

    @Test func plotsAreIdentifiedByCategoryAndCarryExactValues() throws {
        let root = try dataset()
        let statistics = try DatasetStatistics(root)
        let html = try page(root)
        for category in statistics.categories {
            #expect(html.contains("id=\"plot-heatmap-\(category.id)\" data-plot=\"heatmap\" data-category=\"\(category.id)\""))
            #expect(html.contains("data-row=\"\(category.name)\" data-series=\"instances\" data-value=\"\(category.instances)\""))
            #expect(html.contains("<span data-figure=\"instances\" data-category=\"\(category.id)\">\(category.instances)</span>"))
        }
    }

    @Test func sameDatasetSameBytesWhereverItLies() throws {
        let root = try dataset()
        let first = root.deletingLastPathComponent().appendingPathComponent("first.html")
        let second = root.deletingLastPathComponent().appendingPathComponent("second.html")
        try DatasetReport.write(root, to: first)
        try DatasetReport.write(root, to: second)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))

        let copy = try temporaryFolder().appendingPathComponent("elsewhere")
        try FileManager.default.copyItem(at: root, to: copy)
        try DatasetReport.write(copy, to: copy.appendingPathComponent("report.html"))
        #expect(try Data(contentsOf: first) == Data(contentsOf: copy.appendingPathComponent("report.html")))
    }

    @Test func datasetTextCannotBecomeMarkup() throws {
        let root = try dataset()
        var content = try ReportContent(root, options: .init())
        let hostile = "<script>alert(\"x\")</script><img src=x onerror='alert(1)'>"
        content.statistics.categories[0].name = hostile
        content.statistics.categories[0].supercategory = "\"><svg onload=alert(2)>"
        content.manifest.scene.sources[0].text += "\n# </code></pre><script>alert(3)</script>"
        let html = ReportPage(content).html
        #expect(html.range(of: "<script", options: .caseInsensitive) == nil)
        #expect(html.range(of: "<img src=x", options: .caseInsensitive) == nil)
        #expect(html.range(of: "<svg onload", options: .caseInsensitive) == nil)
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;"))
        #expect(html.contains("data-row=\"&lt;script&gt;alert(&quot;x&quot;)"), "in attributes too")
        #expect(html.contains("# &lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;"))
        #expect(plotIDs(html) == plotIDs(try page(root)), "the same plots")
    }

    @Test func aFaultyDatasetIsReportedNotRefused() throws {
        let root = try dataset()
        // Change one byte of the manifest's own record of a file: validation finds it.
        let reader = try DatasetReader(root)
        var firstFile: ManifestFile?
        try reader.forEachFile { firstFile = $0; return false }
        let path = try #require(firstFile).path
        var bytes = try Data(contentsOf: root.appendingPathComponent(path))
        bytes.append(0)
        try bytes.write(to: root.appendingPathComponent(path))
        let summary = try DatasetReport.write(root, to: root.appendingPathComponent("report.html"))
        #expect(summary.faultCount == 1)
        let html = try String(contentsOf: root.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("class=\"verdict invalid\""))
        #expect(html.contains("<li>\(path): "))
    }

    @Test func badInputFailsBeforeWritingAndLeavesNothing() throws {
        let root = try dataset(count: 2)
        let folder = root.deletingLastPathComponent()
        let output = folder.appendingPathComponent("report.html")
        func failure(_ root: URL, _ output: URL, _ options: DatasetReport.Options = .init()) -> DatasetError? {
            #expect(throws: DatasetError.self) { try DatasetReport.write(root, to: output, options: options) }
        }
        #expect(failure(folder.appendingPathComponent("none"), output)?.exitCode == 66)
        let notADataset = failure(folder, output)
        #expect(notADataset?.exitCode == 65 && notADataset?.description.contains(DatasetFiles.manifest) == true)
        let outputIsAFolder = failure(root, folder)
        #expect(outputIsAFolder?.exitCode == 64 && outputIsAFolder?.description.contains("--out") == true)
        #expect(failure(root, folder.appendingPathComponent("missing/report.html"))?.exitCode == 74)
        #expect(failure(root, root.appendingPathComponent(DatasetFiles.manifest))?.exitCode == 64)
        #expect(failure(root, output, .init(sampleCount: 101))?.exitCode == 64)
        #expect(failure(root, URL(fileURLWithPath: "/proc/tessera-report.html"))?.exitCode == 74)
        #expect(!FileManager.default.fileExists(atPath: output.path))

        // A report that fails half-way (a sample's mask is gone) leaves the old one as it was.
        try DatasetReport.write(root, to: output)
        let before = try Data(contentsOf: output)
        var firstImage: COCOFile.Image?
        try DatasetReader(root).forEachImage { image, _ in firstImage = image; return false }
        try FileManager.default.removeItem(at: root.appendingPathComponent(DatasetFiles.instanceMask(forImage: try #require(firstImage).fileName)))
        #expect(failure(root, output)?.exitCode == 65)
        #expect(try Data(contentsOf: output) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".partial") }.isEmpty)
    }

    @Test func gallerySpreadsItsSamplesEvenly() {
        #expect(ReportGallery.positions(count: 12, of: 5) == [0, 1, 2, 3, 4])
        #expect(ReportGallery.positions(count: 3, of: 10) == [0, 3, 6])
        #expect(ReportGallery.positions(count: 4, of: 100_000) == [0, 25_000, 50_000, 75_000])
        #expect(ReportGallery.positions(count: 0, of: 10).isEmpty && ReportGallery.positions(count: 12, of: 0).isEmpty)
    }

    @Test func cliWritesTheReportAndSaysSo() throws {
        let root = try dataset(count: 2)
        let result = try runTessera(["report", root.path, "--samples", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("report.html: 2 images") && result.stdout.contains("dataset valid"))
        let html = try String(contentsOf: DatasetReport.defaultOutput(for: root), encoding: .utf8)
        #expect(html.matches(of: /<img src="data:/).count == 1)
        #expect(try DatasetValidator.validate(root).isValid, "report.html beside the dataset is the user's file")
        #expect(try runTessera(["report", root.path, "--tile", "8"]).status == 64)
    }
}
