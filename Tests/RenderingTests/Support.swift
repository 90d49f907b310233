import Rendering
import SceneModel

/// A scene with one labeled instance per shape, drawn in order.
func scene(width: Int = 32, height: Int = 32, _ shapes: [Shape], background: Paint = .solid(.white),
           light: Light? = nil, effects: [Effect] = []) -> Scene {
    let instances = shapes.enumerated().map { Instance(id: $0.offset + 1, categoryID: 1, shapes: [$0.element]) }
    return Scene(width: width, height: height, categories: [Category(id: 1, name: "thing", supercategory: "object")],
                 background: background, instances: instances, light: light, effects: effects)
}

func square(side: Double, at x: Double, _ y: Double, rotate: Double = 0,
            paint: Paint = .solid(Color(red: 1, green: 0, blue: 0))) -> Shape {
    Shape(geometry: .rectangle(width: side, height: side),
          transform: AffineTransform.translation(x, y).concatenating(.rotation(degrees: rotate)),
          paint: paint)
}

/// The pixels (x, y) whose raster value is `id`.
func pixels(_ r: RenderedScene, id: UInt16) -> Set<[Int]> {
    var out = Set<[Int]>()
    for y in 0..<r.height { for x in 0..<r.width where r.instanceIDs[y * r.width + x] == id { out.insert([x, y]) } }
    return out
}

func block(_ xs: ClosedRange<Int>, _ ys: ClosedRange<Int>) -> Set<[Int]> {
    Set(xs.flatMap { x in ys.map { [x, $0] } })
}

/// The canvas pixels (x, y) of an amodal mask (the part inside the canvas; the rest is only
/// counted, `outsideArea`).
func pixels(_ mask: AmodalMask) -> Set<[Int]> {
    var out = Set<[Int]>()
    for y in 0..<mask.height { for x in 0..<mask.width where mask.pixels[y * mask.width + x] {
        out.insert([mask.originX + x, mask.originY + y])
    } }
    return out
}

func rgbColor(_ red: Double, _ green: Double, _ blue: Double) -> Color {
    Color(red: red, green: green, blue: blue)
}

/// Every 8-bit sample of the picture, row by row, in R, G, B order.
func samples(_ r: RenderedScene) -> [Double] {
    var out: [Double] = []
    for y in 0..<r.height { for x in 0..<r.width {
        let p = r.image.rgb(x: x, y: y)
        out += [Double(p.red), Double(p.green), Double(p.blue)]
    } }
    return out
}

func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

func variance(_ values: [Double]) -> Double {
    let m = mean(values)
    return values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
}

/// Brightness of pixel (x, y): the sum of its 8-bit channels.
func brightness(_ r: RenderedScene, _ x: Int, _ y: Int) -> Int {
    let p = r.image.rgb(x: x, y: y)
    return Int(p.red) + Int(p.green) + Int(p.blue)
}
