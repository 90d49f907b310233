import Annotation
@testable import Dataset
@testable import DatasetTools
import Foundation
import Rendering
import SceneModel
import Testing

/// `tessera preview` on a dataset of one red square on black.
@Suite struct PreviewTests {
    /// A 64 × 48 canvas; the square covers pixels 8…31 × 8…31.
    private let scene = """
    canvas 64 x 48
    classes square
    background #000000
    object square at (20, 20) { rectangle(24, 24, fill: #ff0000) }
    """

    private func dataset(count: Int = 3, segmentation: SegmentationFormat = .rle) throws -> URL {
        let folder = try temporaryFolder()
        let options = RenderOptions(count: count, seed: 0, output: folder, jobs: 1, segmentation: segmentation)
        _ = try DatasetRenderer(program: try compile(scene), options: options).run()
        return folder
    }

    private func sheet(_ url: URL) throws -> PNG.Image { try PNG.decode(Data(contentsOf: url)) }

    private func pixel(_ image: PNG.Image, _ x: Int, _ y: Int) -> [Int] {
        (0..<3).map { Int(image.samples[3 * (y * image.width + x) + $0]) }
    }

    private func bytes(_ c: Color) -> [Int] { [c.red, c.green, c.blue].map { Int(($0 * 255).rounded()) } }

    /// Tile 0 of a sheet of 128 px tiles sits at (8, 8); the 64 × 48 image is scaled ×2 to
    /// 128 × 96 and centred, so image pixel (x, y) covers sheet pixel (8 + 2x, 24 + 2y).
    @Test func drawsTheSquareTintedAndBoxed() throws {
        let folder = try dataset()
        let out = folder.appendingPathComponent("sheet.png")
        let drawn = try DatasetPreview.write(folder, to: out, options: .init(count: 5, columns: 2, tileSize: 128))
        #expect(drawn == 3, "--count beyond the dataset clamps to its 3 images")
        let image = try sheet(out)
        // 2 columns × 128 + 3 gaps of 8; 2 rows × (128 + 18 caption) + 3 gaps.
        #expect((image.width, image.height, image.channels) == (280, 316, 3))

        let tint = bytes(ContactSheet.palette[0])
        let inside = pixel(image, 8 + 40, 24 + 40)  // image pixel (20, 20)
        for (channel, original) in [255, 0, 0].enumerated() where original != tint[channel] {
            #expect(abs(inside[channel] - tint[channel]) < abs(original - tint[channel]), "\(inside) towards \(tint)")
        }
        #expect(pixel(image, 8 + 112, 24 + 88) == [0, 0, 0], "image pixel (56, 44), background, unchanged")
        // bbox [8, 8, 24, 24]: edges at sheet x = 24, 72 and y = 40, 88.
        #expect(pixel(image, 48, 88) == tint)
        #expect(pixel(image, 71, 64) == tint)
        // The other tiles show the same image.
        #expect(pixel(image, 144 + 40, 24 + 40) == inside)
        #expect(pixel(image, 8 + 40, 24 + 154 + 40) == inside)
    }

    @Test func withoutLabelsTheSheetShowsThePictureAlone() throws {
        let folder = try dataset()
        let out = folder.appendingPathComponent("bare.png")
        try DatasetPreview.write(folder, to: out, options: .init(count: 1, columns: 1, tileSize: 128, showsLabels: false))
        let image = try sheet(out)
        // The red square untinted, its box edges (sheet x = 24, y = 88) not drawn, nothing
        // above the box where the class name went.
        #expect(pixel(image, 8 + 40, 24 + 40) == [255, 0, 0])
        #expect(pixel(image, 48, 88) == [0, 0, 0], "just below the square: the box line is not drawn")
        #expect(pixel(image, 71, 64) == [255, 0, 0])
        #expect(pixel(image, 30, 30) == [0, 0, 0])
    }

    @Test func polygonSegmentationGivesTheSameSheet() throws {
        let rle = try dataset(), polygon = try dataset(segmentation: .polygon)
        try DatasetPreview.write(rle, to: rle.appendingPathComponent("sheet.png"))
        try DatasetPreview.write(polygon, to: polygon.appendingPathComponent("sheet.png"))
        #expect(try sheet(rle.appendingPathComponent("sheet.png")) == sheet(polygon.appendingPathComponent("sheet.png")))
    }

    @Test func amodalOutlineOfARingIsItsOuterEdge() throws {
        // A 4 × 4 ring (pixels 2…5 × 1…4 without the middle 2 × 2) on a 10 × 8 mask.
        var mask = [Bool](repeating: false, count: 10 * 8)
        for y in 1...4 { for x in 2...5 where !((3...4).contains(x) && (2...3).contains(y)) { mask[y * 10 + x] = true } }
        let outlines = DatasetPreview.amodalOutlines(RLE(mask: mask, width: 10, height: 8))
        #expect(outlines == [[2, 1, 6, 1, 6, 5, 2, 5]])
    }

    @Test func refusesASheetTooTallForCairo() throws {
        // 8 rows of 4096 + 18 pixels pass 32767; 7 fit.
        let folder = try dataset(count: 8)
        let error = #expect(throws: DatasetError.self) {
            try DatasetPreview.write(folder, to: folder.appendingPathComponent("sheet.png"), options: .init(count: 8, columns: 1, tileSize: 4096))
        }
        #expect(error?.exitCode == 64 && error?.description.contains("--tile") == true)
        let layout = try DatasetPreview.Options(count: 7, columns: 1, tileSize: 4096).layout(imageCount: 7)
        #expect(layout.sheetSize(tileCount: 7).height == 7 * (4096 + 18) + 8 * 8)
    }

    @Test func cliWritesPreviewPNGInTheDatasetByDefault() throws {
        let folder = try dataset()
        let result = try runTessera(["preview", folder.path, "--tile", "64"])
        #expect(result.status == 0, "\(result.stderr)")
        let image = try sheet(folder.appendingPathComponent("preview.png"))
        // 3 images in one row (4 columns asked, 3 images): 3 × 64 + 4 × 8 wide.
        #expect((image.width, image.height) == (224, 64 + 18 + 16))
        #expect(try DatasetValidator.validate(folder).isValid, "preview.png beside the dataset is the user's file")
    }

    @Test func cliExitCodes() throws {
        let missing = try temporaryFolder().appendingPathComponent("nothing-here")
        let absent = try runTessera(["preview", missing.path])
        #expect(absent.status == 66)
        #expect(absent.stderr.contains("no such folder"))

        let folder = try dataset()
        let zero = try runTessera(["preview", folder.path, "--count", "0"])
        #expect(zero.status == 64)
        #expect(zero.stderr.contains("--count"))
        let tiny = try runTessera(["preview", folder.path, "--tile", "8"])
        #expect(tiny.status == 64)
        #expect(tiny.stderr.contains("--tile"))

        try Data("{\"info\":{}}\nnot json\n".utf8).write(to: folder.appendingPathComponent("annotations/instances_default.json"))
        let broken = try runTessera(["preview", folder.path])
        #expect(broken.status == 65)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("preview.png").path))
    }
}
