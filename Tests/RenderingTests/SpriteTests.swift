import Rendering
import SceneModel
import Testing

/// Sprite masks: the pixels whose centre maps into a texel with alpha ≥ 128, after the
/// sprite's transform. The truth is worked out by hand from a bitmap whose alpha is a known
/// rectangle of texels.
@Suite struct SpriteTests {
    /// 8 × 8 texels; opaque red on texels [2, 6) × [1, 5) (texel (2, 1) has alpha exactly 128,
    /// the threshold); texel (7, 7) has alpha 127, just below it; the rest is transparent.
    static let bitmap: Bitmap = {
        var rgba = [UInt8](repeating: 0, count: 4 * 64)
        func set(_ x: Int, _ y: Int, alpha: UInt8) { rgba.replaceSubrange((4 * (y * 8 + x))..<(4 * (y * 8 + x) + 4), with: [255, 0, 0, alpha]) }
        for y in 1..<5 { for x in 2..<6 { set(x, y, alpha: 255) } }
        set(2, 1, alpha: 128)
        set(7, 7, alpha: 127)
        return Bitmap(width: 8, height: 8, rgba: rgba)
    }()

    private func spriteScene(width: Double, height: Double, _ transform: AffineTransform) -> Scene {
        scene(width: 40, height: 40, [Shape(geometry: .sprite(Self.bitmap, width: width, height: height), transform: transform,
                                            paint: .solid(.black))])
    }

    private func masks(_ s: Scene) throws -> (visible: Set<[Int]>, amodal: Set<[Int]>) {
        (pixels(try SceneRenderer.render(s), id: 1), pixels(try SceneRenderer.amodalMasks(s)[0]))
    }

    // Texels [2, 6) × [1, 5) of a 16 × 16 sprite (2 pixels per texel) centred on the origin
    // are the local box [−4, 4) × [−6, 2).
    @Test func translatedSpriteMaskIsItsOpaqueTexels() throws {
        let (visible, amodal) = try masks(spriteScene(width: 16, height: 16, .translation(16, 16)))
        #expect(visible == block(12...19, 10...17))
        #expect(amodal == visible)
    }

    @Test func rotationBy90DegreesTurnsTheMask() throws {
        // Clockwise on screen: local (x, y) → (−y, x), so the box becomes (−2, 6] × [−4, 4).
        let (visible, amodal) = try masks(spriteScene(width: 16, height: 16, AffineTransform.translation(16, 16).concatenating(.rotation(degrees: 90))))
        #expect(visible == block(14...21, 12...19))
        #expect(amodal == visible)
    }

    @Test func unevenScaleStretchesTexels() throws {
        // 24 × 8: texels are 3 × 1 pixels; the box is [−6, 6) × [−3, 1).
        let (visible, amodal) = try masks(spriteScene(width: 24, height: 8, .translation(16, 16)))
        #expect(visible == block(10...21, 13...16))
        #expect(amodal == visible)
    }

    @Test func amodalMaskReachesPastTheCanvas() throws {
        // Centred at (36, 2): the box [32, 40) × [−4, 4) is half above the canvas.
        let s = spriteScene(width: 16, height: 16, .translation(36, 2))
        let (visible, amodal) = try masks(s)
        #expect(amodal == block(32...39, 0...3))
        #expect(visible == block(32...39, 0...3))
        // Rows −4…−1 lie above the canvas: counted, not kept.
        #expect(try SceneRenderer.amodalMasks(s)[0].outsideArea == 32)
    }

    @Test func pictureShowsTheImageAndTheBackgroundThroughIt() throws {
        let rendered = try SceneRenderer.render(spriteScene(width: 16, height: 16, .translation(16, 16)))
        #expect(rendered.image.rgb(x: 16, y: 14) == (255, 0, 0))  // inside the opaque texels
        #expect(rendered.image.rgb(x: 10, y: 20) == (255, 255, 255))  // transparent: white background
    }
}
