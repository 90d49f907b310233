import Dataset
import DatasetReading
@testable import DatasetTools
import Foundation
import Rendering
import Testing

/// End to end: the microscope's effects and grey sensors (docs/RENDERING.md, *Microscopy*)
/// change the pictures and never the labels, write grey PNGs of the sensor's depth, record it
/// in the manifest, and give the same bytes whatever the thread count.
@Suite struct MicroscopyDatasetTests {
    /// Nuclei on a dark field; the microscope's effects come after the objects, so a run
    /// without them places the same objects.
    private static func script(bits: Int, microscope: Bool) -> String {
        var text = """
            canvas 96 x 80
            sensor channels: 1, bits: \(bits)
            classes nucleus, dividing
            background gray(0.02)
            repeat 12 {
              let p = (uniform(0, 96), uniform(0, 80))
              if bernoulli(0.8) {
                object nucleus at p rotate uniform(0, 180) { ellipse(uniform(4, 10), uniform(3, 7), fill: radial(gray(uniform(0.2, 0.8)), gray(0.1))) }
              } else {
                object dividing at p { circle(3, fill: gray(1)) }
              }
            }
            """
        if microscope {
            text += """

                effect blur(1.2)
                effect haze(20, 0.3)
                effect flat_field(0.3, gradient: 0.2)
                effect detector(300, read_noise: 3, offset: 12)
                """
        }
        return text
    }

    private static func render(bits: Int, microscope: Bool, jobs: Int = 1) throws -> URL {
        let folder = try temporaryFolder("micro\(bits)\(microscope)\(jobs)")
        let options = RenderOptions(count: 4, seed: 3, output: folder, jobs: jobs)
        _ = try DatasetRenderer(program: try compile(script(bits: bits, microscope: microscope)), options: options).run()
        return folder
    }

    @Test(arguments: [8, 16])
    func theMicroscopeChangesThePicturesButNotTheLabels(bits: Int) throws {
        let plain = try filesBelow(Self.render(bits: bits, microscope: false))
        let seen = try filesBelow(Self.render(bits: bits, microscope: true))
        let masks = plain.keys.filter { $0.hasPrefix("masks/") }.sorted()
        #expect(masks.count == 8)
        for path in masks { #expect(plain[path] == seen[path], "\(path) differs") }
        // The annotations (not the info block, which names the scene's hash).
        func annotations(_ files: [String: Data]) throws -> Data {
            let document = try JSONSerialization.jsonObject(with: files["annotations/instances_default.json"]!) as! [String: Any]
            return try JSONSerialization.data(withJSONObject: document["annotations"]!, options: [.sortedKeys])
        }
        #expect(try annotations(plain) == annotations(seen))
        #expect(try annotations(plain).count > 1000)
        for index in 0..<4 {
            let path = String(format: "images/%06d.png", index)
            #expect(plain[path] != seen[path], "\(path) should change")
            let png = try PNG.decode(seen[path]!)
            #expect(png.channels == 1 && png.bitDepth == bits && png.width == 96 && png.height == 80)
        }
        let manifest = try JSONSerialization.jsonObject(with: seen["manifest.json"]!) as! [String: Any]
        let options = manifest["options"] as! [String: Any]
        #expect(options["image_channels"] as? Int == 1 && options["image_bit_depth"] as? Int == bits)
    }

    @Test func aSixteenBitImageIsStretchedForTheContactSheet() throws {
        // A dim 16-bit picture (a camera's few thousand counts): its high byte alone spans a
        // few grey levels; the stretch spans 0…255.
        let folder = try temporaryFolder("dim16")
        let dim = """
            canvas 96 x 80
            sensor channels: 1, bits: 16
            classes nucleus
            background gray(0.005)
            repeat 12 {
              object nucleus at (uniform(0, 96), uniform(0, 80)) { ellipse(uniform(4, 10), uniform(3, 7), fill: radial(gray(uniform(0.02, 0.05)), gray(0.01))) }
            }
            effect detector(3000, read_noise: 3, offset: 100)
            """
        _ = try DatasetRenderer(program: try compile(dim), options: RenderOptions(count: 1, seed: 3, output: folder, jobs: 1)).run()
        let image = COCOFileImageFixture.first(in: folder)
        let png = try PNG.decode(Data(contentsOf: folder.appendingPathComponent("images/000000.png")))
        #expect(png.bitDepth == 16)
        let highBytes = Set(png.samples.map { $0 >> 8 })
        let shown = try DatasetPreview.loadPicture("images/000000.png", root: folder, image: image)
        let levels = Set(stride(from: 0, to: shown.count, by: 3).map { shown[$0] })
        #expect(highBytes.count < 40, "the fixture should be dim: \(highBytes.count) high-byte levels")
        #expect(levels.count > 150 && levels.contains(0) && levels.contains(255), "\(levels.count) levels")
        // 8-bit pictures are shown as they are.
        let eight = try Self.render(bits: 8, microscope: true)
        let eightPNG = try PNG.decode(Data(contentsOf: eight.appendingPathComponent("images/000000.png")))
        let eightShown = try DatasetPreview.loadPicture("images/000000.png", root: eight, image: COCOFileImageFixture.first(in: eight))
        #expect(stride(from: 0, to: eightShown.count, by: 3).map { UInt16(eightShown[$0]) } == eightPNG.samples)
    }

    @Test func theStretchMapsPercentilesToBlackAndWhite() {
        var samples = [UInt16](repeating: 1000, count: 1000)
        for k in 0..<1000 { samples[k] = UInt16(1000 + k) }  // 1000…1999, uniform
        let shown = DatasetPreview.displayStretch(samples)
        #expect(shown[0] == 0 && shown[5] == 0 && shown[999] == 255 && shown[994] == 255)
        #expect(shown[500] > 120 && shown[500] < 135)
        #expect(zip(shown, shown.dropFirst()).allSatisfy { $0 <= $1 }, "monotonic")
        #expect(DatasetPreview.displayStretch([UInt16](repeating: 25_700, count: 9)) == [UInt8](repeating: 100, count: 9))
    }

    @Test func theSameBytesWhateverTheThreadCount() throws {
        try expectIdentical(Self.render(bits: 16, microscope: true, jobs: 1), Self.render(bits: 16, microscope: true, jobs: 3))
    }

    @Test func aGreyDatasetValidates() throws {
        let folder = try Self.render(bits: 16, microscope: true)
        let report = try DatasetValidator.validate(folder)
        #expect(report.faults.isEmpty, "\(report.faults)")
    }

    @Test func validateChecksTheImagesAgainstTheRecordedSensor() throws {
        let folder = try Self.render(bits: 16, microscope: false)
        let manifest = folder.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        #expect(text.contains("\"image_bit_depth\":16"))
        try text.replacingOccurrences(of: "\"image_bit_depth\":16", with: "\"image_bit_depth\":8")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let faults = try DatasetValidator.validate(folder).faults
        #expect(faults.contains { $0.contains("images/000000.png: grey at 16 bits, manifest.json's options say grey at 8 bits") }, "\(faults)")
    }

    @Test func aGreySensorIsNotWrittenAsJPEG() throws {
        let folder = try temporaryFolder()
        let options = RenderOptions(count: 1, seed: 0, output: folder, jobs: 1, imageFormat: .jpeg)
        #expect(throws: DatasetError.self) {
            try DatasetRenderer(program: try compile(Self.script(bits: 8, microscope: false)), options: options).run()
        }
    }

    @Test(arguments: [
        ("sensor channels: 3, bits: 16", "a 16-bit sensor must have one channel"),
        ("sensor channels: 2", "a sensor's channels must be the constant 1 or 3"),
        ("sensor bits: uniform(8, 16)", "a sensor's bits must be the constant 8 or 16"),
        ("sensor channels: 1\nsensor channels: 1", "the sensor is declared twice"),
    ])
    func badSensorsAreLocatedErrors(line: String, message: String) throws {
        #expect {
            try compile("classes a\n\(line)\n")
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("test.scene:")
        }
    }
}

/// The first image record of a rendered dataset's instances file.
enum COCOFileImageFixture {
    static func first(in folder: URL) -> COCOFile.Image {
        var found: COCOFile.Image?
        try? DatasetReader(folder).forEachImage { image, _ in found = image; return false }
        return found!
    }
}
