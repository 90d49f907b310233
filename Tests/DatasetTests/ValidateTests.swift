import Dataset
import DatasetTools
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
        #expect(report.images == 4 && report.files == 4 * 3 + 3 && report.annotations > 10)
    }

    /// A dataset that left images out is valid with them listed in the manifest, and only then.
    @Test func skippedImagesMustBeListedInTheManifest() throws {
        let folder = try temporaryFolder()
        try renderExhausting(into: folder, count: 9)
        #expect(try DatasetValidator.validate(folder).isValid)
        let url = folder.appendingPathComponent("manifest.json")
        let manifest = try String(contentsOf: url, encoding: .utf8)
        // Drop image 8 from the skipped list: it becomes a missing image.
        let entry = ",{\"index\":8,"
        let start = manifest.range(of: entry)!.lowerBound
        let end = manifest.range(of: "}}", range: start..<manifest.endIndex)!.upperBound
        try Data((String(manifest[..<start]) + String(manifest[end...])).utf8).write(to: url)
        #expect(try faults(folder) == ["annotations/: image 8 (id 9) is missing, and manifest.json does not list it as skipped"])
        // List image 2, which is written, as skipped.
        try Data(manifest.replacingOccurrences(of: "{\"index\":8,", with: "{\"index\":2,").utf8).write(to: url)
        #expect(try faults(folder) == [
            "images/000002.png: listed in manifest.json, but image 2 is listed as skipped",
            "masks/instance_ids/000002.png: listed in manifest.json, but image 2 is listed as skipped",
            "masks/semantic/000002.png: listed in manifest.json, but image 2 is listed as skipped",
            "annotations/: image id 3 is listed, but manifest.json lists image 2 as skipped",
            "annotations/: image 8 (id 9) is missing, and manifest.json does not list it as skipped",
        ])
    }

    @Test func findsADeletedFile() throws {
        let folder = try dataset()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("images/000002.png"))
        #expect(try faults(folder) == ["images/000002.png: missing (listed in manifest.json)"])
    }

    @Test func findsAFlippedMaskPixel() throws {
        let folder = try dataset()
        let url = folder.appendingPathComponent("masks/instance_ids/000001.png")
        var mask = try PNG.decode(Data(contentsOf: url))
        // Give one pixel of some instance to the background.
        let pixel = mask.samples.firstIndex { $0 != 0 }!
        let instance = mask.samples[pixel]
        mask.samples[pixel] = 0
        try PNG.encodeGray16(mask.samples, width: mask.width, height: mask.height).write(to: url)
        let found = try faults(folder)
        // A changed file: its size or, when the size happens to match, its SHA-256.
        #expect(found.contains { $0.hasPrefix("masks/instance_ids/000001.png: ") && ($0.contains("bytes") || $0.contains("SHA-256")) }, "\(found)")
        #expect(found.contains { $0.contains("pixels of instance \(instance)") })
        #expect(found.contains { $0.contains("RLE segmentation differs from the instance mask") })
    }

    /// A cut-off mask: validate, preview and export name the same cause (the decoder's), not
    /// "missing or not a PNG"; a file without the PNG signature is "not a PNG file".
    @Test func aDamagedMaskIsNamedWithItsCauseByEveryReader() throws {
        let folder = try dataset()
        let url = folder.appendingPathComponent("masks/instance_ids/000001.png")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        #expect(try faults(folder).contains { $0.hasPrefix("masks/instance_ids/000001.png: damaged PNG (") && $0.contains("truncated") })
        for arguments in [["preview", folder.path, "--out", folder.appendingPathComponent("p.png").path],
                          ["export", folder.path, "--format", "yolo-seg", "--out", try temporaryFolder("yolo").appendingPathComponent("out").path]] {
            let result = try runTessera(arguments)
            #expect(result.status == 65 && result.stderr.contains("\(url.path): damaged PNG (") && result.stderr.contains("truncated"),
                    "\(arguments[0]): \(result.stderr)")
        }
        try Data("GIF89a".utf8).write(to: url)
        #expect(try faults(folder).contains("masks/instance_ids/000001.png: not a PNG file (no PNG signature)"))

        // The picture itself, as preview reads it: named with its cause, as every reader names it.
        try bytes.write(to: url)
        let picture = folder.appendingPathComponent("images/000001.png")
        let original = try Data(contentsOf: picture)
        for (damage, cause) in [(original.prefix(original.count / 2), "damaged PNG ("), (Data(), "empty file, not a PNG")] {
            try damage.write(to: picture)
            let result = try runTessera(["preview", folder.path, "--out", folder.appendingPathComponent("p.png").path])
            #expect(result.status == 65 && result.stderr.contains("\(picture.path): \(cause)"),
                    "\(result.stderr)")
        }
        try FileManager.default.removeItem(at: picture)
        let gone = try runTessera(["preview", folder.path, "--out", folder.appendingPathComponent("p.png").path])
        #expect(gone.status == 65 && gone.stderr.contains("\(picture.path): missing"), "\(gone.stderr)")
    }

    @Test func findsADuplicatedAnnotationID() throws {
        let folder = try dataset()
        let url = folder.appendingPathComponent("annotations/instances_default.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "{\"id\":3,\"image_id\"", with: "{\"id\":2,\"image_id\"").utf8).write(to: url)
        let found = try faults(folder)
        #expect(found.contains("annotations/instances_default.json: annotation id 2 is used twice"))
        #expect(found.contains { $0.hasPrefix("annotations/instances_default.json: SHA-256") })
    }

    @Test func findsAMissingAnnotationAndWrongOcclusionFacts() throws {
        let folder = try dataset()
        let url = folder.appendingPathComponent("annotations/instances_default.json")
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        // Drop the first annotation; break the occlusion facts of the second.
        let first = lines.firstIndex { $0.hasPrefix("{\"id\":1,\"image_id\"") }!
        let instance = try #require(lines[first].firstMatch(of: /"mask_id":(\d+)/)).output.1
        lines.remove(at: first)
        lines[first] = lines[first].replacing(/"in_frame_fraction":[0-9.e-]+/, with: "\"in_frame_fraction\":7")
            .replacing(/"z_order":\d+/, with: "\"z_order\":999")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        let found = try faults(folder)
        #expect(found.contains { $0.contains("instance \(instance) has") && $0.contains("but no annotation") })
        #expect(found.contains { $0.contains("in_frame_fraction 7.0 is outside 0…1") })
        #expect(found.contains { $0.contains("z_order 999 is not its mask_id") })
        #expect(found.contains { $0.contains("annotation ids are not 1…") })
    }

    @Test func instancesLeftOutByTheVisibilityOptionsAreNoFault() throws {
        let folder = try temporaryFolder()
        let options = RenderOptions(count: 4, seed: 2, output: folder, jobs: 2, visibility: .init(minimumPixels: 150))
        _ = try DatasetRenderer(program: try compile(scene), options: options).run()
        let report = try DatasetValidator.validate(folder)
        #expect(report.isValid, "\(report.faults)")
    }

    /// A record that is not what Tessera writes stops the check: the typed reader names the
    /// file, the line and the field, and the command exits 65.
    @Test func aMalformedRecordStopsTheCheckNamingItsLine() throws {
        let folder = try dataset()
        let url = folder.appendingPathComponent("annotations/instances_default.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try Data(text.replacingOccurrences(of: #""file_name":"000001.png","#, with: "").utf8).write(to: url)
        let result = try runTessera(["validate", folder.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains(#"instances_default.json:5: Image lacks "file_name""#), "\(result.stderr)")
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
