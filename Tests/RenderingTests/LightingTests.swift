import Rendering
import SceneModel
import Testing

private let grey = Paint.solid(rgbColor(0.6, 0.6, 0.6))

@Suite struct ShadowTests {
    /// Light travelling towards +x: the shadow of a flat square falls to its right.
    private let light = Light(direction: 0, shadow: Shadow(distance: 6, blur: 1.5, opacity: 0.6))

    private func flatSquare() -> Shape {
        var s = square(side: 10, at: 15, 15)   // covers [10, 20)²
        s.isShaded = false
        return s
    }

    @Test func shadowNeverEntersTheMasks() throws {
        let lit = scene(width: 40, height: 32, [flatSquare()], light: light)
        let r = try SceneRenderer.render(lit)
        #expect(pixels(r, id: 1) == block(10...19, 10...19))
        #expect(r.instanceIDs.filter { $0 != 0 }.count == 100)
        #expect(try SceneRenderer.amodalMasks(lit).map(pixels) == [block(10...19, 10...19)])
    }

    @Test func shadowDarkensTheBackgroundOnTheFarSideOnly() throws {
        let r = try SceneRenderer.render(scene(width: 40, height: 32, [flatSquare()], light: light))
        // Right of the square, inside the moved silhouette [16, 26) × [10, 20).
        for x in 21...24 { #expect(brightness(r, x, 15) < 3 * 255 - 60, "x = \(x)") }
        // Left of and above the square: untouched white.
        for x in 0...8 { #expect(brightness(r, x, 15) == 3 * 255, "x = \(x)") }
        for y in 0...5 { #expect(brightness(r, 15, y) == 3 * 255, "y = \(y)") }
        // The flat square itself keeps its paint: the shadow is drawn behind it.
        let inside = r.image.rgb(x: 15, y: 15)
        #expect(inside.red == 255 && inside.green == 0 && inside.blue == 0)
    }

    @Test func shadowFallsOnObjectsBehind() throws {
        var wall = square(side: 30, at: 20, 16, paint: .solid(rgbColor(0, 0, 1)))
        wall.castsShadow = false
        wall.isShaded = false
        let shapes = [wall, flatSquare()]
        let lit = try SceneRenderer.render(scene(width: 40, height: 32, shapes, light: light))
        let flat = try SceneRenderer.render(scene(width: 40, height: 32, shapes))
        #expect(lit.instanceIDs == flat.instanceIDs)
        #expect(flat.image.rgb(x: 23, y: 15).blue == 255)
        #expect(lit.image.rgb(x: 23, y: 15).blue < 200)
        // The wall casts no shadow of its own.
        #expect(brightness(lit, 37, 2) == 3 * 255)
    }

    @Test func castsShadowFalseCastsNothing() throws {
        var s = flatSquare()
        s.castsShadow = false
        let lit = try SceneRenderer.render(scene(width: 40, height: 32, [s], light: light))
        let flat = try SceneRenderer.render(scene(width: 40, height: 32, [s]))
        #expect(samples(lit) == samples(flat))
    }
}

@Suite struct ShadingTests {
    private let shapes = [
        square(side: 12, at: 10, 10, paint: grey),
        Shape(geometry: .circle(radius: 7), transform: .translation(22, 20), paint: grey),
        square(side: 9, at: 20, 8, rotate: 30, paint: grey),
    ]

    @Test(arguments: [0.0, 90, 225])
    func lightChangesThePictureButNotTheMasks(direction: Double) throws {
        let light = Light(direction: direction, elevation: 30, specular: 0.5, shadow: Shadow(distance: 3))
        let lit = scene(shapes, light: light)
        let flat = scene(shapes)
        let (a, b) = (try SceneRenderer.render(lit), try SceneRenderer.render(flat))
        #expect(a.instanceIDs == b.instanceIDs)
        #expect(try SceneRenderer.amodalMasks(lit) == SceneRenderer.amodalMasks(flat))
        #expect(samples(a) != samples(b))
    }

    @Test(arguments: [(0.0, true), (180.0, false)])
    func theSideFacingTheLightIsBrighter(direction: Double, isLeftLit: Bool) throws {
        let light = Light(direction: direction, elevation: 30, intensity: 1, ambient: 0.2)
        let r = try SceneRenderer.render(scene([square(side: 20, at: 16, 16, paint: grey)], light: light))
        let (left, right) = (brightness(r, 8, 16), brightness(r, 23, 16))
        #expect(isLeftLit ? left > right + 60 : right > left + 60)
        // Along the light axis only: the same column is equally lit at any height.
        #expect(brightness(r, 8, 9) == brightness(r, 8, 22))
    }

    @Test func anInstanceIsShadedAcrossItsWholeExtent() throws {
        // Two parts of one instance side by side along the light: the part nearer the light
        // is brighter, as on one object, not each lit like a separate one.
        let parts = [square(side: 10, at: 8, 16, paint: grey), square(side: 10, at: 24, 16, paint: grey)]
        let object = Scene(width: 32, height: 32, categories: [], background: .solid(.white),
                           instances: [Instance(id: 1, categoryID: 1, shapes: parts)],
                           light: Light(direction: 0, elevation: 30))
        let r = try SceneRenderer.render(object)
        #expect(brightness(r, 8, 16) > brightness(r, 24, 16) + 60)
        #expect(pixels(r, id: 1) == block(3...12, 11...20).union(block(19...28, 11...20)))
    }

    @Test(arguments: [rgbColor(0.6, 0.6, 0.6), rgbColor(0.9, 0.3, 0.1), Color(red: 0.8, green: 0.2, blue: 0.2, alpha: 0.5)])
    func aColourIsShadedAlikeAsAColourAndAsAGradient(color: Color) throws {
        // A colour is shaded as one gradient of shaded stops; the same colour as a gradient
        // paint is rendered and shaded pixel by pixel. Both are filled once, so they agree to
        // rounding everywhere, edges included, on the dark side (factors < 1) and the lit
        // side (> 1, where a saturated channel clamps at 1).
        let light = Light(direction: 0, elevation: 30, intensity: 1, ambient: 0.5)
        let flat = Paint.linearGradient(start: Point(-1, 0), end: Point(1, 0),
                                        stops: [ColorStop(offset: 0, color: color), ColorStop(offset: 1, color: color)])
        let circle = { (paint: Paint) in Shape(geometry: .circle(radius: 15), transform: .translation(20, 20), paint: paint) }
        let background = Paint.solid(rgbColor(0.2, 0.5, 0.3))
        let asColour = try SceneRenderer.render(scene(width: 40, height: 40, [circle(.solid(color))], background: background, light: light))
        let asGradient = try SceneRenderer.render(scene(width: 40, height: 40, [circle(flat)], background: background, light: light))
        for y in 0..<40 { for x in 0..<40 {
            let (a, b) = (asColour.image.rgb(x: x, y: y), asGradient.image.rgb(x: x, y: y))
            #expect(abs(Int(a.red) - Int(b.red)) <= 1 && abs(Int(a.green) - Int(b.green)) <= 1
                    && abs(Int(a.blue) - Int(b.blue)) <= 1, "pixel (\(x), \(y)): \(a) against \(b)")
        } }
        #expect(brightness(asColour, 8, 20) > brightness(asColour, 31, 20) + 30)
    }

    @Test func theTransparentPartsOfAPaintStayTransparentUnderLight() throws {
        // Stripes of red and nothing, a fully transparent colour, each at opacity 1 and 0.6:
        // where the paint is transparent the lit picture is the background.
        let light = Light(direction: 0, elevation: 30, specular: 0)
        let stripes = Paint.texture(Texture(.stripes(duty: 0.5), scale: 10, foreground: rgbColor(1, 0, 0),
                                            background: Color(red: 0, green: 0, blue: 0, alpha: 0)))
        for paint in [stripes, Paint.solid(Color(red: 0.8, green: 0.2, blue: 0.2, alpha: 0))] {
            for opacity in [1.0, 0.6] {
                var shape = square(side: 30, at: 20, 20, paint: paint)
                shape.opacity = opacity
                let background = Paint.solid(rgbColor(0.5, 0.5, 0.5))
                let lit = try SceneRenderer.render(scene(width: 40, height: 40, [shape], background: background, light: light))
                var transparent = 0
                for y in 6..<34 { for x in 6..<34 where lit.image.rgb(x: x, y: y).green > 100 {
                    #expect(lit.image.rgb(x: x, y: y) == (128, 128, 128), "pixel (\(x), \(y))")
                    transparent += 1
                } }
                #expect(transparent > 200)
            }
        }
    }

    @Test func unshadedShapesKeepTheirPaint() throws {
        var s = square(side: 20, at: 16, 16, paint: .solid(rgbColor(0.2, 0.4, 0.6)))
        s.isShaded = false
        let lit = try SceneRenderer.render(scene([s], light: Light(direction: 30)))
        let flat = try SceneRenderer.render(scene([s]))
        #expect(samples(lit) == samples(flat))
    }

    @Test func intensityAboveOneBrightens() throws {
        let paint = Paint.solid(rgbColor(0.4, 0.4, 0.4))
        let strong = Light(direction: 0, elevation: 60, intensity: 2, ambient: 0.5)
        let r = try SceneRenderer.render(scene([square(side: 20, at: 16, 16, paint: paint)], light: strong))
        #expect(r.image.rgb(x: 8, y: 16).red > 102 + 40)
    }

    @Test func specularHighlightBrightensTheLitSide() throws {
        let matte = Light(direction: 45, elevation: 40)
        var glossy = matte
        glossy.specular = 0.8
        let s = [Shape(geometry: .circle(radius: 12), transform: .translation(16, 16), paint: grey)]
        let a = try SceneRenderer.render(scene(s, light: matte)), b = try SceneRenderer.render(scene(s, light: glossy))
        #expect(a.instanceIDs == b.instanceIDs)
        #expect(brightness(b, 12, 12) > brightness(a, 12, 12) + 60)
        #expect(brightness(b, 24, 24) == brightness(a, 24, 24))
    }
}
