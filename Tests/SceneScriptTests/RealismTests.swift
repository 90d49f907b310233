import Testing
import SceneModel
@testable import SceneScript

/// The `light` and `effect` statements, the paint and shadow functions and the part options
/// produce exactly the SceneModel values they document, drawing seeds as documented.
struct RealismSamplingTests {
    private func scene(_ text: String, seed: UInt64 = 0, index: Int = 0) throws -> Scene {
        try compile(text).sample(seed: seed, index: index)
    }

    @Test func lightWithEveryParameter() throws {
        let light = try scene("""
            classes a
            light direction: 120, elevation: 30, intensity: 0.8, color: #ffcc00, ambient: 0.4, specular: 0.25, shadow: shadow(6, blur: 3, opacity: 0.7, color: #102030)
            """).light
        let shadowColor = Color(red: 16.0 / 255, green: 32.0 / 255, blue: 48.0 / 255)
        let shadow = Shadow(distance: 6, blur: 3, opacity: 0.7, color: shadowColor)
        let expected = Light(direction: 120, elevation: 30, intensity: 0.8, color: Color(red: 1, green: 0.8, blue: 0),
                             ambient: 0.4, specular: 0.25, shadow: shadow)
        #expect(light == expected)
    }

    @Test func lightDefaultsAndNoLight() throws {
        #expect(try scene("classes a\nlight direction: 90").light == Light(direction: 90))
        #expect(try scene("classes a\nlight direction: 90, shadow: shadow(4)").light?.shadow == Shadow(distance: 4))
        #expect(try scene("classes a").light == nil)
        #expect(try scene("classes a").effects.isEmpty)
    }

    @Test func theLastLightExecutedWinsAndParametersAreRandom() throws {
        let text = """
            classes a
            light direction: 0
            repeat 3 as i { light direction: uniform(0, 360), elevation: 10 * i }
            """
        let probe = try StreamProbe(text, seed: 5, index: 2)
        var rng = probe.generator("uniform(0, 360)", context: probe.context("repeat", 2))
        let third = Distributions.uniform(0, 360, using: &rng)
        #expect(try scene(text, seed: 5, index: 2).light == Light(direction: third, elevation: 20))
        #expect(try scene(text, seed: 5, index: 3).light?.direction != third)
    }

    @Test func effectsInScriptOrderWithNoiseSeedsFromTheGenerator() throws {
        let text = """
            classes a
            effect brightness(1.2)
            effect noise(0.02)
            let x = uniform(0, 1)
            effect noise(sigma: 0.05)
            effect blur(1.5); effect motion_blur(angle: 30, length: 9); effect contrast(0.9)
            effect gamma(1.1); effect saturation(0.5); effect vignette(0.4); effect vignette(0.3, radius: 0.8)
            effect color_temperature(kelvin: 4000)
            """
        let effects = try scene(text, seed: 9, index: 1).effects
        let probe = try StreamProbe(text, seed: 9, index: 1)
        var rng = probe.generator("noise(0.02)")
        let first = rng.next()
        rng = probe.generator("noise(sigma: 0.05)")
        let second = rng.next()
        let expected: [Effect] = [
            .brightness(1.2), .gaussianNoise(sigma: 0.02, seed: first), .gaussianNoise(sigma: 0.05, seed: second),
            .gaussianBlur(sigma: 1.5), .motionBlur(angle: 30, length: 9), .contrast(0.9), .gamma(1.1), .saturation(0.5),
            .vignette(strength: 0.4, radius: 0.5), .vignette(strength: 0.3, radius: 0.8), .colorTemperature(kelvin: 4000),
        ]
        #expect(effects == expected)
    }

    @Test func texturesWithTheirParametersAndNoiseSeeds() throws {
        let (white, black) = (Color.white, Color.black)
        let text = """
            classes a
            background value_noise(#ffffff, #000000, scale: 20, angle: 10, octaves: 2)
            object a {
              circle(5, fill: stripes(#ffffff, #000000, scale: 4, angle: 45, duty: 0.3))
              circle(5, fill: checker(#ffffff, #000000))
              circle(5, fill: dots(foreground: #ffffff, background: #000000, radius: 0.4))
              circle(5, fill: perlin_noise(#ffffff, #000000))
            }
            """
        let scene = try scene(text, seed: 3, index: 0)
        let probe = try StreamProbe(text, seed: 3, index: 0)
        var valueStream = probe.generator("value_noise(#ffffff, #000000, scale: 20, angle: 10, octaves: 2)")
        var perlinStream = probe.generator("perlin_noise(#ffffff, #000000)")
        let (valueSeed, perlinSeed) = (valueStream.next(), perlinStream.next())
        let background = Paint.texture(Texture(.valueNoise(seed: valueSeed, octaves: 2), scale: 20, angle: 10, foreground: white, background: black))
        #expect(scene.background == background)
        let expected: [Paint] = [
            .texture(Texture(.stripes(duty: 0.3), scale: 4, angle: 45, foreground: white, background: black)),
            .texture(Texture(.checker, scale: 8, foreground: white, background: black)),
            .texture(Texture(.dots(radius: 0.4), scale: 8, foreground: white, background: black)),
            .texture(Texture(.perlinNoise(seed: perlinSeed, octaves: 4), scale: 32, foreground: white, background: black)),
        ]
        #expect(scene.instances[0].shapes.map(\.paint) == expected)
    }

    @Test func radialGradientsAreCentredOnTheRegion() throws {
        let scene = try scene("""
            canvas 200 x 100
            classes a
            background radial(#ffffff, #000000)
            object a at (50, 50) {
              circle(10, fill: radial(#ffffff, #000000, center: (-3, -4)))
              rectangle(6, 8, fill: radial(#ffffff, #000000, radius: 2.5))
            }
            """)
        let stops = [ColorStop(offset: 0, color: .white), ColorStop(offset: 1, color: .black)]
        let halfDiagonal: Double = (200.0 * 200 + 100 * 100).squareRoot() / 2
        let background = Paint.radialGradient(center: Point(100, 50), radius: halfDiagonal, stops: stops)
        #expect(scene.background == background)
        let expected: [Paint] = [
            .radialGradient(center: Point(-3, -4), radius: 10, stops: stops),
            .radialGradient(center: Point(0, 0), radius: 2.5, stops: stops),
        ]
        #expect(scene.instances[0].shapes.map(\.paint) == expected)
    }

    @Test func partOptions() throws {
        let parts = try shapes("""
            classes a
            object a at (10, 10) {
              rectangle(4, 4, outline: #ff0000, outline_width: 2.5, opacity: 0.5, shaded: false, casts_shadow: false)
              circle(3, outline: #00ff00)
              line((0, 0), (5, 5), stroke_width: 2, opacity: 0.25)
              circle(3)
            }
            """)
        #expect(parts[0].outline == Outline(color: Color(red: 1, green: 0, blue: 0), width: 2.5))
        #expect(parts[0].opacity == 0.5)
        #expect(!parts[0].isShaded && !parts[0].castsShadow)
        #expect(parts[0].transform == .translation(10, 10))
        #expect(parts[1].outline == Outline(color: Color(red: 0, green: 1, blue: 0), width: 1))
        #expect(parts[1].opacity == 1)
        #expect(parts[1].isShaded && parts[1].castsShadow)
        #expect(parts[2].opacity == 0.25)
        #expect(parts[2].outline == nil)
        let plain = Shape(geometry: .circle(radius: 3), transform: .translation(10, 10), paint: gray808080)
        #expect(parts[3] == plain)
    }

    @Test func texturesAndOptionsPassThroughTemplates() throws {
        let parts = try shapes("""
            classes a
            template tile(paint, edge = #000000) { rectangle(10, 10, fill: paint, outline: edge) }
            object a { tile(checker(#ffffff, #000000, scale: 2)) }
            """)
        let checker = Paint.texture(Texture(.checker, scale: 2, foreground: .white, background: .black))
        #expect(parts[0].paint == checker)
        #expect(parts[0].outline == Outline(color: .black, width: 1))
    }

    @Test func valuesReadBackInMessagesAndComparisons() throws {
        let program = try compile("""
            classes a
            let a = shadow(3)
            let b = shadow(distance: 3, blur: 2, opacity: 0.5, color: #000000)
            require a == b
            require stripes(#ffffff, #000000) != checker(#ffffff, #000000)
            """)
        _ = try program.sample(seed: 0, index: 0)
    }
}
