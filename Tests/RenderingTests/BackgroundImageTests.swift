import Rendering
import SceneModel
import Testing

/// Background photographs: scaled to cover the canvas, centre-cropped, never in a mask.
@Suite struct BackgroundImageTests {
    /// Columns (or rows, when `vertical`) of texels in pairs: red, green, blue, white.
    static func bands(vertical: Bool) -> Bitmap {
        let colors: [[UInt8]] = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255, 255, 255, 255]]
        let (w, h) = vertical ? (2, 8) : (8, 2)
        var rgba: [UInt8] = []
        for y in 0..<h { for x in 0..<w { rgba += colors[(vertical ? y : x) / 2] } }
        return Bitmap(width: w, height: h, rgba: rgba)
    }

    @Test(arguments: [false, true])
    func photoCoversTheCanvasAndIsCentreCropped(vertical: Bool) throws {
        // 8 × 2 on 10 × 10: scale 5, shown 40 × 10 from x = −15, so the canvas sees texel
        // columns 3…4 (green, blue); red and white are cropped away.
        let s = Scene(width: 10, height: 10, categories: [], background: .solid(.black), instances: [],
                      backgroundImage: Self.bands(vertical: vertical))
        let image = try SceneRenderer.render(s).image
        func at(_ along: Int) -> (red: UInt8, green: UInt8, blue: UInt8) { vertical ? image.rgb(x: 5, y: along) : image.rgb(x: along, y: 5) }
        #expect(at(0) == (0, 255, 0))
        #expect(at(9) == (0, 0, 255))
        for i in 0..<10 { #expect(at(i).red == 0, "no red: the first band is cropped") }
    }

    @Test func photoNeverEntersAMask() throws {
        let shapes = [square(side: 6, at: 4, 4), square(side: 8, at: 12, 10, rotate: 30)]
        let plain = scene(width: 20, height: 20, shapes)
        var photographed = plain
        photographed.backgroundImage = Self.bands(vertical: false)
        let (a, b) = (try SceneRenderer.render(plain), try SceneRenderer.render(photographed))
        #expect(a.instanceIDs == b.instanceIDs)
        #expect(try SceneRenderer.amodalMasks(plain) == SceneRenderer.amodalMasks(photographed))
        #expect(b.image.rgb(x: 0, y: 19) != a.image.rgb(x: 0, y: 19))  // the photo is drawn
    }
}
