import Dataset
import DatasetExport
import Foundation
import Rendering
import Testing

/// A scene whose every label is known by hand (40 × 30 pixels, pixel-centre rule):
/// - rank 1, `floor` (stuff, id 3): rows 20…29, all columns; 352 pixels stay visible;
/// - rank 2, `disc` (id 1): columns 5…14, rows 7…12, 60 pixels;
/// - rank 3, `"big box"` (id 2): columns 26…33, rows 18…25, 64 pixels, of which the
///   unlabeled object hides 4 (row 18, columns 28…31): 60 visible, occluded;
/// - rank 4, `disc`: columns 2…3, rows 2…3, 4 pixels, left without annotation by a
///   minimum of 5 visible pixels (ignore value in the semantic mask);
/// - rank 5, unlabeled: columns 28…31, rows 17…18;
/// - rank 6, `disc`: columns 37…39, rows 3…6, 12 pixels, a quarter of it off the canvas.
let handLabeledScene = """
canvas 40 x 30
classes disc, "big box"
stuff floor
background #000000
object floor at (20, 25) { rectangle(40, 10, fill: #808080) }
object disc at (10, 10) { rectangle(10, 6, fill: #ff0000) }
object "big box" at (30, 22) { rectangle(8, 8, fill: #00ff00) }
object disc at (3, 3) { rectangle(2, 2, fill: #0000ff) }
object unlabeled at (30, 18) { rectangle(4, 2, fill: #ffffff) }
object disc at (39, 5) { rectangle(4, 4, fill: #ffff00) }
"""

/// 3000 `disc` instances of 2 × 2 pixels tiling rows 0…59 of a 200 × 64 canvas, over a
/// `floor` (stuff) whose rows 60…63 stay visible.
let tiledScene = """
canvas 200 x 64
classes disc
stuff floor
background #000000
object floor at (100, 32) { rectangle(200, 64, fill: #808080) }
repeat 30 as r { repeat 100 as c { object disc at (c * 2 + 1, r * 2 + 1) { rectangle(2, 2, fill: #ff0000) } } }
"""

/// Renders `count` images of `script` into a fresh folder and returns it.
func renderDataset(_ script: String, count: Int = 1, minimumPixels: Int = 1, name: String = #function) throws -> URL {
    let folder = try temporaryFolder(name).appendingPathComponent("dataset")
    let options = RenderOptions(count: count, seed: 0, output: folder, jobs: 1,
                                visibility: VisibilityFilter(minimumPixels: minimumPixels))
    _ = try DatasetRenderer(program: try compile(script), options: options).run()
    return folder
}

/// A decoded PNG of a dataset or an export.
func decodePNG(_ url: URL) throws -> PNG.Image {
    try PNG.decode(Data(contentsOf: url))
}

/// The IHDR colour type and bit depth of a PNG file, and its PLTE chunk's bytes (empty
/// without one), read from the chunk layout (PNG spec §5.3, §11.2).
func pngHeader(_ url: URL) throws -> (colorType: UInt8, bitDepth: UInt8, palette: [UInt8]) {
    let bytes = [UInt8](try Data(contentsOf: url))
    var offset = 8, palette: [UInt8] = []
    var colorType: UInt8 = 255, bitDepth: UInt8 = 0
    while offset + 8 <= bytes.count {
        let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
        let data = Array(bytes[offset + 8..<offset + 8 + length])
        if type == "IHDR" { (bitDepth, colorType) = (data[8], data[9]) }
        if type == "PLTE" { palette = data }
        offset += 12 + length
    }
    return (colorType, bitDepth, palette)
}

/// The VOC colour map, 256 colours as R, G, B bytes: the devkit's `labelcolormap`, written
/// out here from its bit rule independently of the exporter.
let vocColorMap: [UInt8] = (0..<256).flatMap { index -> [UInt8] in
    var (r, g, b, c) = (0, 0, 0, index)
    for j in 0..<8 {
        r |= (c & 1) << (7 - j)
        g |= (c >> 1 & 1) << (7 - j)
        b |= (c >> 2 & 1) << (7 - j)
        c >>= 3
    }
    return [UInt8(r), UInt8(g), UInt8(b)]
}
