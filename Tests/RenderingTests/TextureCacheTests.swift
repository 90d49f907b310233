@testable import Rendering
import SceneModel
import Testing

/// Issue 18 (seen by the fuzzer): a clip with 8192 textured sidewalks took 20 s, each
/// instance rasterising the same texture again. A texture is drawn once per (texture, frame)
/// in a picture and reused; the picture's bytes are those of drawing it every time.
@Suite struct TextureCacheTests {
    static let stripes = Texture(.stripes(duty: 0.3), scale: 7.3, angle: 30, foreground: .black,
                                 background: rgbColor(0.9, 0.8, 0.1))
    static let noise = Texture(.perlinNoise(seed: 5, octaves: 3), scale: 11, angle: 15,
                               foreground: rgbColor(0.1, 0.2, 0.7), background: .white)

    /// The picture of `scene` drawn with `textures`, as its pixel bytes.
    private func picture(_ scene: Scene, _ textures: TextureCache) throws -> [UInt8] {
        let image = try ImageSurface(width: scene.width, height: scene.height)
        try withContext(image) { cr in try SceneRenderer.drawPicture(scene, instances: 0..<scene.instances.count, cr, textures: textures,
                                                                 outlines: TextOutlines()) }
        return image.withPixelBytes { Array($0) }
    }

    @Test func identicalInstancesRasteriseTheirTextureOnce() throws {
        let shapes = (0..<500).map { _ in square(side: 40, at: 30, 20, rotate: 10, paint: .texture(Self.stripes)) }
        let cached = TextureCache(budget: 4 * 64 * 48)
        let uncached = TextureCache(budget: 0)
        let s = scene(width: 64, height: 48, shapes)
        #expect(try picture(s, cached) == picture(s, uncached))
        #expect(cached.rasterisations == 1)
        #expect(uncached.rasterisations == 500)
    }

    /// Same frame, windows of several sizes: a window inside a kept one is reused, a larger
    /// one replaces it; other textures and frames are their own. Bytes as without the cache.
    @Test func windowsInsideAKeptOneReuseIt() throws {
        var shapes: [Shape] = []
        for texture in [Self.stripes, Self.noise] {
            for side in [12.0, 30, 20, 44, 8, 44] {   // rasterised: 12, 30, 44 (20, 8 and 44 reused)
                shapes.append(square(side: side, at: 30, 24, rotate: 25, paint: .texture(texture)))
            }
            shapes.append(square(side: 10, at: 9.5, 40.25, paint: .texture(texture)))   // another frame
        }
        let s = scene(width: 64, height: 48, shapes, background: .texture(Self.noise))
        let cached = TextureCache(budget: 4 * 64 * 48)
        let uncached = TextureCache(budget: 0)
        #expect(try picture(s, cached) == picture(s, uncached))
        #expect(cached.rasterisations == 1 + 2 * 4)
        #expect(uncached.rasterisations == 1 + 2 * 7)
        // The real renderer takes the same path.
        let rendered = try SceneRenderer.render(s).image.withPixelBytes { Array($0) }
        #expect(rendered == (try picture(s, uncached)))
    }

    /// A texture pixel depends on its canvas position only, not on the window it is drawn in.
    @Test(arguments: [TextureCacheTests.stripes, TextureCacheTests.noise])
    func aTexturePixelIsTheSameInEveryWindow(texture: Texture) throws {
        let frame = AffineTransform.translation(17.25, 9.5).concatenating(.rotation(degrees: 33))
        let whole = try #require(try TextureRenderer.surface(texture, frame: frame, x0: 0, y0: 0, x1: 40, y1: 30))
        let part = try #require(try TextureRenderer.surface(texture, frame: frame, x0: 13, y0: 7, x1: 29, y1: 21))
        let (a, b) = (whole.withPixelBytes { Array($0) }, part.withPixelBytes { Array($0) })
        for y in 0..<part.height {
            let inWhole = (7 + y) * whole.stride + 13 * 4
            #expect(Array(a[inWhole..<inWhole + part.width * 4]) == Array(b[y * part.stride..<y * part.stride + part.width * 4]))
        }
    }

    /// Kept surfaces stay within the budget: with room for one window, distinct frames evict
    /// each other and every one is drawn.
    @Test func keptSurfacesStayWithinTheBudget() throws {
        let shapes = (0..<6).flatMap { k in
            [square(side: 10, at: 8 + 8 * Double(k), 20, paint: .texture(Self.stripes)),
             square(side: 10, at: 8 + 8 * Double(k), 20, paint: .texture(Self.stripes))]
        }
        let s = scene(width: 64, height: 48, shapes)
        let roomy = TextureCache(budget: 64 * 48)
        let tight = TextureCache(budget: 150)
        #expect(try picture(s, roomy) == picture(s, tight))
        #expect(roomy.rasterisations == 6)
        #expect(tight.rasterisations == 6)   // each pair shares its frame; one window fits
        let none = TextureCache(budget: 0)
        _ = try picture(s, none)
        #expect(none.rasterisations == 12)
    }
}

/// Stripes at angle 0 on an unrotated frame are computed for one row and copied: the copies
/// hold what each pixel's own samples give (angle 90 takes the general path, as a check).
@Suite struct RepeatedStripeRowTests {
    @Test(arguments: [0.0, 90.0])
    func copiedRowsMatchTheirOwnSamples(angle: Double) throws {
        let texture = Texture(.stripes(duty: 0.37), scale: 6.3, angle: angle, foreground: .black, background: .white)
        let frame = AffineTransform.translation(11.3, 7.7)
        let s = try #require(try TextureRenderer.surface(texture, frame: frame, x0: 3, y0: 2, x1: 40, y1: 30))
        let bytes = s.withPixelBytes { Array($0) }
        // Each pixel: the mean of 4 samples at ±¼ px of its centre, in pattern units.
        for y in 0..<s.height {
            for x in 0..<s.width {
                var sum = 0.0
                for (dx, dy) in [(-0.25, -0.25), (0.25, -0.25), (-0.25, 0.25), (0.25, 0.25)] {
                    let (px, py) = (Double(3 + x) + 0.5 + dx - 11.3, Double(2 + y) + 0.5 + dy - 7.7)
                    let u = (angle == 0 ? px : py) / 6.3
                    sum += u - u.rounded(.down) < 0.37 ? 1 : 0
                }
                let expected = Int((1 - sum / 4) * 255 + 0.5)   // foreground black: value 1 is 0
                let blue = Int(bytes[y * s.stride + 4 * x])
                #expect(abs(blue - expected) <= 1, "pixel (\(x), \(y))")
            }
        }
    }
}
