import Rendering
import SceneModel
import Testing

/// Out-of-range realism parameters (from a careless script or a wide distribution) may spoil
/// the picture but must neither crash, fail the render, nor move a label.
@Suite struct RealismRobustnessTests {
    private static let stops = [ColorStop(offset: 0, color: .white), ColorStop(offset: 1, color: .black)]

    private static let scenes: [Scene] = [
        scene([square(side: 10, at: 10, 10, paint: .radialGradient(center: Point(0, 0), radius: 0, stops: stops))]),
        scene([square(side: 10, at: 10, 10, paint: .radialGradient(center: Point(0, 0), radius: -5, stops: []))]),
        scene([square(side: 10, at: 10, 10, paint: .texture(Texture(.perlinNoise(seed: 1, octaves: 100), scale: 1e-9,
                                                                    foreground: .black, background: .white)))]),
        scene([square(side: 10, at: 10, 10, paint: .texture(Texture(.checker, scale: 0, foreground: .black, background: .white)))]),
        scene([square(side: 10, at: 10, 10)], light: Light(direction: .nan, shadow: Shadow(distance: .infinity, blur: 1e9))),
        scene([square(side: 10, at: 10, 10)], light: Light(direction: 10, elevation: -40, intensity: -2, ambient: 7,
                                                           specular: 5, shadow: Shadow(distance: 3, blur: 1e9, opacity: 9))),
        scene([square(side: 10, at: 10, 10)], effects: [
            .gaussianBlur(sigma: 1e9), .motionBlur(angle: .nan, length: 1e9), .brightness(.nan), .gamma(-1),
            .vignette(strength: .nan, radius: .infinity), .colorTemperature(kelvin: .nan),
            .gaussianNoise(sigma: .infinity, seed: 0), .contrast(-.infinity),
        ]),
    ]

    @Test(arguments: scenes)
    func labelsSurviveHostileParameters(scene: Scene) throws {
        var outlined = scene
        outlined.instances[0].shapes[0].outline = Outline(color: .black, width: .nan)
        outlined.instances[0].shapes[0].opacity = .nan
        for s in [scene, outlined] {
            let r = try SceneRenderer.render(s)
            #expect(pixels(r, id: 1) == block(5...14, 5...14))
            #expect(try SceneRenderer.amodalMasks(s).map(pixels) == [block(5...14, 5...14)])
        }
    }
}
