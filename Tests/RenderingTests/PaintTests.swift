import Rendering
import SceneModel
import Testing

@Suite struct OutlineTests {
    /// The documented rule: an outline of width w on an axis-aligned rectangle grows its mask
    /// by w/2 on every side (pixel-centre rule on the stroked path, mitred corners).
    @Test(arguments: [2, 4, 6])
    func outlineWidensTheMaskByHalfItsWidth(width: Int) throws {
        var s = square(side: 10, at: 15, 15)   // covers [10, 20)²
        s.outline = Outline(color: .black, width: Double(width))
        let grown = 10 - width / 2 ... 19 + width / 2
        let sc = scene([s])
        let r = try SceneRenderer.render(sc)
        #expect(pixels(r, id: 1) == block(grown, grown))
        #expect(try SceneRenderer.amodalMasks(sc).map(pixels) == [block(grown, grown)])
        // The picture shows the outline colour on the outer ring and the paint inside.
        let ring = r.image.rgb(x: 10 - width / 2, y: 15), inside = r.image.rgb(x: 15, y: 15)
        #expect(ring.red == 0 && ring.green == 0 && ring.blue == 0)
        #expect(inside.red == 255 && inside.green == 0)
    }

    @Test func outlineOnARotatedShapeOnlyAddsPixels() throws {
        var s = square(side: 12, at: 16, 16, rotate: 30)
        let plain = try SceneRenderer.render(scene([s]))
        s.outline = Outline(color: .black, width: 3)
        let outlined = try SceneRenderer.render(scene([s]))
        let (inner, outer) = (pixels(plain, id: 1), pixels(outlined, id: 1))
        #expect(inner.isStrictSubset(of: outer))
    }

    @Test(arguments: [Geometry.circle(radius: 5), .regularPolygon(sides: 3, radius: 6), .ellipse(radiusX: 2, radiusY: 7)])
    func amodalMaskHoldsTheWholeOutline(geometry: Geometry) throws {
        // Thick outlines (and a sharp triangle's mitred corners) reach well past the
        // geometry's bounding radius; the amodal mask must still hold all of them.
        let s = Shape(geometry: geometry, transform: .translation(20, 20), paint: .solid(.white),
                      outline: Outline(color: .black, width: 7))
        let sc = scene(width: 40, height: 40, [s])
        let visible = pixels(try SceneRenderer.render(sc), id: 1)
        #expect(try SceneRenderer.amodalMasks(sc).map(pixels) == [visible])
        #expect(visible.count > 150)
    }

    @Test func zeroWidthOutlineChangesNothing() throws {
        var s = square(side: 10, at: 15, 15)
        let plain = try SceneRenderer.render(scene([s]))
        s.outline = Outline(color: .black, width: 0)
        let outlined = try SceneRenderer.render(scene([s]))
        #expect(outlined.instanceIDs == plain.instanceIDs && samples(outlined) == samples(plain))
    }
}

@Suite struct OpacityTests {
    @Test func halfTransparentShapeStillOwnsItsPixels() throws {
        var front = square(side: 10, at: 15, 15, paint: .solid(rgbColor(0, 0, 1)))
        front.opacity = 0.5
        let back = square(side: 10, at: 10, 10)
        let r = try SceneRenderer.render(scene([back, front]))
        #expect(pixels(r, id: 2) == block(10...19, 10...19))
        #expect(pixels(r, id: 1) == block(5...14, 5...14).subtracting(block(10...19, 10...19)))
        // Over white: half blue; over the red square: half red, half blue.
        let overWhite = r.image.rgb(x: 17, y: 17), overRed = r.image.rgb(x: 12, y: 12)
        #expect(abs(Int(overWhite.red) - 128) <= 1 && overWhite.blue == 255)
        #expect(abs(Int(overRed.red) - 128) <= 1 && overRed.green == 0 && abs(Int(overRed.blue) - 128) <= 1)
    }
}

@Suite struct GradientAndTextureTests {
    @Test func radialGradientRunsFromCentreToRadius() throws {
        let paint = Paint.radialGradient(center: Point(0, 0), radius: 10,
                                         stops: [ColorStop(offset: 0, color: .white), ColorStop(offset: 1, color: .black)])
        // The shape's origin at the centre of pixel (16, 16).
        let r = try SceneRenderer.render(scene([square(side: 30, at: 16.5, 16.5, paint: paint)]))
        #expect(brightness(r, 16, 16) >= 3 * 254)
        #expect(brightness(r, 2, 2) == 0)   // beyond the radius: padded with the last stop
        let halfway = r.image.rgb(x: 21, y: 16)   // 5 px from the centre
        #expect(abs(Int(halfway.red) - 128) <= 2 && halfway.red == halfway.blue)
    }

    @Test func checkerCellsAreExactOnTheCanvasGrid() throws {
        let checker = Paint.texture(Texture(.checker, scale: 4, foreground: .black, background: .white))
        let r = try SceneRenderer.render(scene(width: 16, height: 16, [], background: checker))
        for y in 0..<16 { for x in 0..<16 {
            let isForeground = (x / 4 + y / 4) % 2 == 0
            #expect(brightness(r, x, y) == (isForeground ? 0 : 3 * 255), "(\(x), \(y))")
        } }
        #expect(r.instanceIDs.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [0.25, 0.5, 0.75])
    func stripesCoverTheirDuty(duty: Double) throws {
        let stripes = Paint.texture(Texture(.stripes(duty: duty), scale: 8, angle: 90, foreground: .black, background: .white))
        let r = try SceneRenderer.render(scene(width: 32, height: 32, [], background: stripes))
        let dark = samples(r).filter { $0 == 0 }.count
        #expect(Double(dark) / Double(32 * 32 * 3) == duty)
        // Rotated 90°: the stripes run along x, so every row is one colour.
        for y in 0..<32 { #expect(brightness(r, 0, y) == brightness(r, 31, y)) }
    }

    @Test func dotsAreForegroundAtCellCentres() throws {
        let dots = Paint.texture(Texture(.dots(radius: 0.3), scale: 10, foreground: .black, background: .white))
        let r = try SceneRenderer.render(scene(width: 30, height: 30, [], background: dots))
        #expect(brightness(r, 5, 5) == 0 && brightness(r, 15, 25) == 0)
        #expect(brightness(r, 0, 0) == 3 * 255 && brightness(r, 10, 5) == 3 * 255)
    }

    private static let noises: [Texture.Pattern] = [
        .valueNoise(seed: 1, octaves: 1), .valueNoise(seed: 1, octaves: 4),
        .perlinNoise(seed: 1, octaves: 1), .perlinNoise(seed: 1, octaves: 4),
    ]

    private func noiseScene(_ pattern: Texture.Pattern) -> Scene {
        let texture = Texture(pattern, scale: 8, angle: 20, foreground: .black, background: .white)
        return scene(width: 48, height: 48, [square(side: 30, at: 24, 24, rotate: 10, paint: .texture(texture))])
    }

    private func reseeded(_ pattern: Texture.Pattern) -> Texture.Pattern {
        switch pattern {
        case let .valueNoise(seed, octaves): return .valueNoise(seed: seed + 1, octaves: octaves)
        case let .perlinNoise(seed, octaves): return .perlinNoise(seed: seed + 1, octaves: octaves)
        default: return pattern
        }
    }

    @Test(arguments: noises)
    func noiseIsDeterministicPerSeed(pattern: Texture.Pattern) throws {
        let a = try SceneRenderer.render(noiseScene(pattern))
        let b = try SceneRenderer.render(noiseScene(pattern))
        let c = try SceneRenderer.render(noiseScene(reseeded(pattern)))
        #expect(samples(a) == samples(b))
        #expect(samples(a) != samples(c))
        // Textures never touch the raster.
        #expect(a.instanceIDs == c.instanceIDs)
        // A real pattern: many distinct grey levels, spread over the range.
        let inside = (14..<34).flatMap { y in (14..<34).map { x in brightness(a, x, y) } }
        #expect(Set(inside).count > 30)
        #expect(variance(inside.map(Double.init)) > 500)
    }

    @Test func textureMovesWithItsShape() throws {
        let texture = Paint.texture(Texture(.perlinNoise(seed: 5, octaves: 3), scale: 6, angle: 33,
                                            foreground: .black, background: .white))
        let a = try SceneRenderer.render(scene(width: 48, height: 48, [square(side: 16, at: 12, 12, paint: texture)]))
        let b = try SceneRenderer.render(scene(width: 48, height: 48, [square(side: 16, at: 31, 27, paint: texture)]))
        for y in 4..<20 { for x in 4..<20 { #expect(a.image.rgb(x: x, y: y) == b.image.rgb(x: x + 19, y: y + 15)) } }
    }
}
