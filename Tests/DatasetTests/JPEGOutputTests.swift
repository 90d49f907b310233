import Dataset
import Foundation
import ImageFiles
import Rendering
import Testing

/// `--image-format jpeg`: the images become baseline JPEGs; masks, labels and layout rules stay.
@Suite struct JPEGOutputTests {
    private func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test func jpegRunHasThePNGRunsMasksAndLabels() throws {
        let root = try temporaryFolder()
        let (jpeg, png, again) = (root.appendingPathComponent("jpeg"), root.appendingPathComponent("png"), root.appendingPathComponent("again"))
        let common = ["render", "scenes/shapes.scene", "--count", "3", "--seed", "5", "--quiet"]
        for (out, extra) in [(jpeg, ["--image-format", "jpeg", "--jpeg-quality", "85"]), (png, []),
                             (again, ["--image-format", "jpeg", "--jpeg-quality", "85", "--jobs", "1"])] {
            let result = try runTessera(common + extra + ["--out", out.path])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let jpegFiles = try filesBelow(jpeg), pngFiles = try filesBelow(png)
        #expect(jpegFiles.keys.filter { $0.hasPrefix("images/") }.sorted() == ["images/000000.jpg", "images/000001.jpg", "images/000002.jpg"])
        for (path, data) in pngFiles where path.hasPrefix("masks/") { #expect(jpegFiles[path] == data, "\(path)") }
        // Deterministic bytes, whatever the thread count.
        #expect(try filesBelow(again) == jpegFiles)

        // The JPEG decodes to the PNG's size and is close to its pixels.
        for index in 0..<3 {
            let decoded = try ImageFile.decode(jpegFiles["images/00000\(index).jpg"]!)
            let reference = try ImageFile.decode(pngFiles["images/00000\(index).png"]!)
            #expect(decoded.width == reference.width && decoded.height == reference.height)
            let difference = zip(decoded.rgba, reference.rgba).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            #expect(Double(difference) / Double(3 * decoded.width * decoded.height) < 4, "mean difference of image \(index)")
        }

        let jpegCOCO = try json(jpeg.appendingPathComponent("annotations/instances_default.json")), pngCOCO = try json(png.appendingPathComponent("annotations/instances_default.json"))
        #expect((jpegCOCO["images"] as! [[String: Any]]).map { $0["file_name"] as! String } == ["000000.jpg", "000001.jpg", "000002.jpg"])
        #expect(try JSONSerialization.data(withJSONObject: jpegCOCO["annotations"]!, options: .sortedKeys)
            == JSONSerialization.data(withJSONObject: pngCOCO["annotations"]!, options: .sortedKeys))
        let options = try json(jpeg.appendingPathComponent("manifest.json"))["options"] as! [String: Any]
        #expect(options["image_format"] as? String == "jpeg" && options["jpeg_quality"] as? Int == 85)
        let pngOptions = try json(png.appendingPathComponent("manifest.json"))["options"] as! [String: Any]
        #expect(pngOptions["image_format"] as? String == "png" && pngOptions["jpeg_quality"] == nil)

        let validation = try runTessera(["validate", jpeg.path])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")

        // --overwrite with PNG removes the numbered JPEGs too.
        let overwrite = try runTessera(common + ["--overwrite", "--out", jpeg.path])
        #expect(overwrite.status == 0, "\(overwrite.stderr)")
        #expect(try filesBelow(jpeg).keys.filter { $0.hasSuffix(".jpg") }.isEmpty)
    }

    @Test(arguments: [(["--image-format", "jpeg", "--jpeg-quality", "0"], "--jpeg-quality must be 1…100, got 0"),
                      (["--image-format", "jpeg", "--jpeg-quality", "101"], "--jpeg-quality must be 1…100, got 101"),
                      (["--jpeg-quality", "80"], "--jpeg-quality 80 applies only to --image-format jpeg"),
                      (["--image-format", "gif"], "--image-format")])
    func badFlagsAreUsageErrorsNamingTheFlag(arguments: [String], message: String) throws {
        let result = try runTessera(["render", "--count", "1", "--out", try temporaryFolder().path] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
