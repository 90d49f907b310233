import Dataset
import DatasetExport
import Foundation
import Testing

/// `tessera export --jobs N`: images are prepared on N threads and written in the dataset's
/// order, so every format writes the same bytes whatever N, and a damaged dataset fails with
/// the same error and writes nothing.
@Suite struct ParallelExportTests {
    /// Discs and plates over a `floor` (stuff), some too small for the 4-pixel minimum (the
    /// semantic mask's ignore value), in two splits.
    private static let scene = """
    canvas 96 x 64
    classes disc, plate
    stuff floor
    background #203040
    object floor at (48, 56) { rectangle(96, 16, fill: #606060) }
    repeat randint(20, 40) { object disc at (uniform(0, 96), uniform(0, 64)) { circle(uniform(1, 9), fill: #e0a020) } }
    repeat randint(3, 8) { object plate at (uniform(0, 96), uniform(0, 64)) rotate uniform(0, 90) { rectangle(uniform(6, 20), uniform(6, 20), fill: #c0c0c0) } }
    """

    private func render(_ name: String = #function) throws -> URL {
        let folder = try temporaryFolder(name).appendingPathComponent("dataset")
        let options = RenderOptions(count: 10, seed: 7, output: folder, jobs: 2, visibility: VisibilityFilter(minimumPixels: 4),
                                    split: try SplitPlan(parsing: "train=0.6,val=0.4"))
        _ = try DatasetRenderer(program: try compile(Self.scene), options: options).run()
        return folder
    }

    private func export(_ dataset: URL, _ format: ExportFormat, jobs: Int) throws -> URL {
        let out = dataset.deletingLastPathComponent().appendingPathComponent("\(format.rawValue)-\(jobs)")
        let options = ExportOptions(vocOverflow: .gray16, samplesPerShard: 3, vocVoidBand: format == .voc ? 3 : 0, jobs: jobs)
        try DatasetExporter.export(dataset, format: format, to: out, overwrite: false, options: options)
        return out
    }

    @Test func everyStillFormatWritesTheSameBytesWhateverTheJobs() throws {
        let dataset = try render()
        for format in ExportFormat.allCases where ![.youtubeVIS, .mot].contains(format) {
            let serial = try export(dataset, format, jobs: 1)
            #expect(try !filesBelow(serial).isEmpty)
            for jobs in [2, 3] {
                try expectIdentical(serial, try export(dataset, format, jobs: jobs))
            }
        }
    }

    @Test func aDamagedImageFailsTheSameWayWhateverTheJobs() throws {
        let dataset = try render()
        // The fourth image exported loses its instance mask; the images around it are whole.
        let document = try jsonObject(dataset.appendingPathComponent("annotations/instances_train.json"))
        let name = ((document["images"] as! [[String: Any]])[3]["file_name"] as! String)
        let mask = dataset.appendingPathComponent("masks/instance_ids").appendingPathComponent(name)
        try FileManager.default.removeItem(at: mask)
        for format in [ExportFormat.yoloSegmentation, .cocoPanoptic, .voc, .webdataset] {
            var messages: Set<String> = []
            for jobs in [1, 2, 3] {
                let out = dataset.deletingLastPathComponent().appendingPathComponent("\(format.rawValue)-\(jobs)")
                do {
                    _ = try export(dataset, format, jobs: jobs)
                    Issue.record("\(format.rawValue) --jobs \(jobs) exported a dataset with a missing mask")
                } catch let DatasetError.invalidDataset(message) {
                    #expect(message.contains(mask.path))
                    messages.insert(message)
                }
                #expect(!FileManager.default.fileExists(atPath: out.path), "nothing written for --jobs \(jobs)")
            }
            #expect(messages.count == 1, "one error whatever --jobs: \(messages)")
        }
    }
}
