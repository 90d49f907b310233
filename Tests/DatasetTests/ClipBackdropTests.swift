import Dataset
import Rendering
import SceneModel
import SceneScript
import Testing

/// A lit clip whose back is still (a textured road, a kerb with an outline, a translucent sign,
/// and a still car, all shadowed), with a car driving in front and a still post drawn after it.
private func clip(camera: String = "", background: String = "linear(#102030, #405060, angle: 90)", frames: Int = 6) -> String {
    """
    canvas 80 x 56
    classes car
    stuff road, post
    clip frames: \(frames), fps: 3
    light direction: 45, elevation: 40, shadow: shadow(4, blur: 2, opacity: 0.5)
    background \(background)
    object road at (40, 44) { rectangle(80, 24, fill: checker(#505050, #404040, scale: 6)) }
    object road at (40, 31) { rectangle(80, 3, fill: #a0a0a0, outline: #202020, outline_width: 1.5) }
    object post at (60, 12) { circle(6, fill: #c03030, opacity: 0.6) }
    object car at (20, 38) { rounded_rectangle(14, 7, 2, fill: #3070c0) }
    object car at (5 + 12 * time, 42) { rectangle(12, 6, fill: #e0e030) }
    object post at (70, 40) { rectangle(2, 20, fill: #303030) }
    \(camera)
    """
}

@Suite struct ClipBackdropTests {
    private func plan(_ text: String) throws -> (SceneProgram, ClipSettings, ClipPlan) {
        let program = try compile(text)
        let settings = try #require(program.clip)
        return (program, settings, try program.planClip(seed: 5, clip: 0, settings: settings) { _ in preconditionFailure() })
    }

    @Test func theStillInstancesAtTheBackAreTheBackdrop() throws {
        // The four still instances before the moving car; the post after it is still too, but
        // is drawn over the car, so it is drawn with every frame.
        #expect(try plan(clip()).2.backdropDepth == 4)
        // A still camera leaves the backdrop as it is; a moving one moves everything.
        #expect(try plan(clip(camera: "camera zoom: 1.1, rotate: 3")).2.backdropDepth == 4)
        #expect(try plan(clip(camera: "camera pan: (2 * time, 0)")).2.backdropDepth == 0)
        // A background that changes leaves nothing to share; nor does a clip of one frame.
        #expect(try plan(clip(background: "hsv(20 * time, 0.5, 0.5)")).2.backdropDepth == nil)
        #expect(try plan(clip(frames: 1)).2.backdropDepth == nil)
    }

    /// Every frame drawn over a backdrop of any depth up to the plan's is the frame drawn whole:
    /// the same picture bytes and the same instance raster.
    @Test(arguments: ["", "camera zoom: 1.1, rotate: 3"])
    func framesOverTheBackdropAreTheFramesDrawnWhole(camera: String) throws {
        let (program, settings, plan) = try plan(clip(camera: camera))
        let depth = try #require(plan.backdropDepth)
        let first = try program.sampleFrame(seed: 5, clip: 0, frame: 0, settings: settings, plan: plan).scene
        for frame in 0..<settings.frames {
            let scene = try program.sampleFrame(seed: 5, clip: 0, frame: frame, settings: settings, plan: plan).scene
            let whole = try SceneRenderer.render(scene)
            for k in 0...depth {
                let over = try SceneRenderer.render(scene, over: try SceneRenderer.backdrop(of: first, depth: k))
                #expect(over.instanceIDs == whole.instanceIDs, "frame \(frame), depth \(k)")
                #expect(over.image.withPixelBytes { Array($0) } == whole.image.withPixelBytes { Array($0) }, "frame \(frame), depth \(k)")
            }
        }
    }
}
