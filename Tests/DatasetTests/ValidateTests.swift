import Dataset
import Foundation
import Rendering
import Testing

/// `tessera validate` on a real dataset, intact and broken in the ways that matter.
@Suite struct ValidateTests {
    private let scene = """
    canvas 80 x 60
    classes disc, plate
    background #102030
    repeat 5 {
      object disc at (uniform(0, width), uniform(0, height)) { circle(uniform(5, 18), fill: #e0a040) }
      object plate at (uniform(0, width), uniform(0, height)) rotate uniform(0, 90) { rectangle(uniform(6, 26), uniform(6, 26), fill: #c0c0c0) }
    }
    """

    private func dataset() throws -> URL {
        let folder = try temporaryFolder()
        _ = try DatasetRenderer(program: try compile(scene), options: RenderOptions(count: 4, seed: 2, output: folder, jobs: 2)).run()
        return folder
    }

    private func faults(_ folder: URL) throws -> [String] {
        try DatasetValidator.validate(folder).faults
    }

    @Test func anIntactDatasetIsValid() throws {
        let report = try DatasetValidator.validate(try dataset())
        #expect(report.isValid, "\(report.faults)")
        #expect(report.images == 4 && report.files == 4 * 3 + 1 && report.annotations > 10)
    }

    @Test func findsADeletedFile() throws {
        let folder = try dataset()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("images/000002.png"))
        #expect(try faults(folder) == ["images/000002.png: missing (listed in manifest.json)"])
    }

    @Test func findsAFlippedMaskPixel() throws {
        let folder = try dataset()
        let url = folder.appendingPathComponent("masks/instance/000001.png")
        var mask = try PNG.decode(Data(contentsOf: url))
        // Give one pixel of some instance to the background.
        let pixel = mask.samples.firstIndex { $0 != 0 }!
        let instance = mask.samples[pixel]
        mask.samples[pixel] = 0
        try PNG.encodeGray16(mask.samples, width: mask.width, height: mask.height).write(to: url)
        let found = try faults(folder)
        #expect(found.contains { $0.hasPrefix("masks/instance/000001.png: SHA-256") })
        #expect(found.contains { $0.contains("pixels of instance \(instance)") })
        #expect(found.contains { $0.contains("RLE segmentation differs from the instance mask") })
    }

    @Test func findsADuplicatedAnnotationID() throws {
        let folder = try dataset()
        let url = folder.appendingPathComponent("annotations.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "{\"id\":3,\"image_id\"", with: "{\"id\":2,\"image_id\"").utf8).write(to: url)
        let found = try faults(folder)
        #expect(found.contains("annotations.json: annotation id 2 is used twice"))
        #expect(found.contains { $0.hasPrefix("annotations.json: SHA-256") })
    }

    @Test func theCommandExitsNonZeroOnFaultsAndNamesThem() throws {
        let folder = try dataset()
        let valid = try runTessera(["validate", folder.path])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.hasPrefix("valid: 4 images"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("masks/semantic/000003.png"))
        let broken = try runTessera(["validate", folder.path])
        #expect(broken.status == 65)
        #expect(broken.stderr.contains("masks/semantic/000003.png: missing"))
        #expect(try runTessera(["validate", folder.appendingPathComponent("nope").path]).status == 66)
    }
}
