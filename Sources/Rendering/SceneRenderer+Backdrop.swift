internal import CCairo
public import SceneModel

/// What the frames of a clip share at the back: the picture and the instance raster after the
/// background and the first ``depth`` instances, drawn once and copied into every frame.
///
/// Drawing is painter's order on both rasters, so the state after a prefix of the drawing
/// depends on that prefix alone (and each shape sets all the context state it draws with —
/// source, fill rule, stroke style, font — so a fresh context goes on exactly as the old one
/// would have); a frame whose canvas, background, photograph, light and first
/// `depth` instances equal those the backdrop was drawn from (the caller decides that, e.g.
/// `ClipPlan.backdropDepth`) gets from ``SceneRenderer/render(_:instanceIDs:over:outlines:)`` the very
/// bytes it would get drawn whole.
///
/// Memory: ``bytesPerPixel`` per canvas pixel, kept as Swift arrays (immutable, so one
/// backdrop serves any number of threads).
public struct Backdrop: Sendable {
    /// Instances drawn into the backdrop: `scene.instances[..<depth]`.
    public let depth: Int
    public let width: Int
    public let height: Int
    /// The picture's surface bytes (`CAIRO_FORMAT_RGB24`, `stride` bytes a row), before effects.
    let picture: [UInt8]
    /// The instance raster's surface bytes (same layout), ids as the raster encodes them.
    let raster: [UInt8]

    /// Bytes a backdrop keeps per canvas pixel: the picture and the raster, 4 each.
    public static let bytesPerPixel = 8
}

extension SceneRenderer {
    /// Draws the backdrop of `scene`: its background and photograph, then its first `depth`
    /// instances (shadows, shading and all), into the picture; the same instances into the
    /// instance raster.
    /// - Throws: `RenderError` as ``render(_:instanceIDs:over:outlines:)`` does.
    /// - Complexity: what drawing those instances into both rasters costs, once.
    public static func backdrop(of scene: Scene, depth: Int) throws -> Backdrop {
        precondition((0...scene.instances.count).contains(depth))
        let picture = try ImageSurface(width: scene.width, height: scene.height)
        let outlines = TextOutlines()
        try withContext(picture) { cr in try drawPicture(scene, instances: 0..<depth, cr, outlines: outlines) }
        let raster = try ImageSurface(width: scene.width, height: scene.height)
        try drawRaster(scene, instances: 0..<depth, into: raster, outlines: outlines)
        return Backdrop(depth: depth, width: scene.width, height: scene.height,
                        picture: picture.withPixelBytes { Array($0) }, raster: raster.withPixelBytes { Array($0) })
    }

    /// A surface of `scene`'s canvas holding `bytes` (a backdrop's copy of one), or a
    /// zero-filled one when `bytes` is `nil`.
    static func surface(_ scene: Scene, holding bytes: [UInt8]?) throws -> ImageSurface {
        let surface = try ImageSurface(width: scene.width, height: scene.height)
        if let bytes {
            surface.withMutablePixelBytes { target in
                precondition(target.count == bytes.count)
                bytes.withUnsafeBytes { target.copyMemory(from: $0) }
            }
        }
        return surface
    }
}
