import Annotation
import Rendering
import SceneModel
public import SceneScript

/// The rendered facts of one sampled attempt, measured from its instance raster: what a
/// requirement on the rendered picture asks (``SceneScript/RenderedFacts``).
///
/// The raster is drawn once, when the attempt is measured; visible areas and boxes come from
/// one pass over it; an instance's amodal mask is drawn only when a requirement first asks
/// for its occlusion facts, and shared edges are counted in one pass on first use. Every
/// value is computed by the same code as the annotation of the same image (``ImageLabels``:
/// `measureInstances`, `Occlusion`), so a requirement sees exactly what the instances files
/// says. An accepted attempt hands its raster and amodal masks on to be reused.
final class RasterFacts: RenderedFacts {
    let scene: Scene
    /// Front-most instance id per pixel (``SceneRenderer/instanceRaster(_:over:)``).
    let instanceIDs: [UInt16]
    private let measures: [Int: InstanceMeasure]
    private var amodal: [Int: AmodalMask] = [:]
    private var occlusions: [Int: OcclusionFacts] = [:]
    /// Shared edge length per unordered pair of ids, `min << 16 | max`; counted on first use.
    private var edges: [UInt32: Int]?

    /// Draws the instance raster of `scene` and measures every instance's visible area and box.
    /// - Throws: `RenderError` from drawing the raster.
    init(scene: Scene) throws {
        self.scene = scene
        instanceIDs = try SceneRenderer.instanceRaster(scene)
        let measured = instanceIDs.withUnsafeBufferPointer {
            measureInstances(pixels: $0, width: scene.width, height: scene.height, maxID: UInt16(scene.instances.count))
        }
        var measures: [Int: InstanceMeasure] = [:]
        for measure in measured { measures[Int(measure.instanceID)] = measure }
        self.measures = measures
    }

    func visiblePixels(of id: Int) throws -> Int { measures[id]?.area ?? 0 }

    func visibleBox(of id: Int) throws -> VisibleBox? {
        guard let box = measures[id]?.bbox.cocoBBox else { return nil }
        return VisibleBox(x: box[0], y: box[1], width: box[2], height: box[3])
    }

    func occlusion(of id: Int) throws -> OcclusionFacts {
        if let known = occlusions[id] { return known }
        let whole = try amodalMask(of: id)
        let occlusion = instanceIDs.withUnsafeBufferPointer { raster in
            Occlusion(instanceID: UInt16(id), raster: raster, width: scene.width, height: scene.height,
                      amodal: whole.pixels, amodalOriginX: whole.originX, amodalOriginY: whole.originY,
                      amodalWidth: whole.width, amodalHeight: whole.height, amodalOutside: whole.outsideArea)
        }
        let facts = OcclusionFacts(amodalArea: occlusion.amodalArea, visibleFraction: occlusion.visibleFraction,
                                   inFrameFraction: occlusion.inFrameFraction,
                                   hiddenBy: occlusion.occluders.map { (instance: $0.instanceID, pixels: $0.pixels) })
        occlusions[id] = facts
        return facts
    }

    func sharedEdge(between a: Int, and b: Int) throws -> Int {
        if edges == nil { edges = countSharedEdges() }
        let (low, high) = (UInt32(min(a, b)), UInt32(max(a, b)))
        return edges![low << 16 | high] ?? 0
    }

    /// Instance `id`'s amodal mask for the labels: the one drawn for a requirement, or drawn
    /// now and not kept.
    func labelAmodalMask(of id: Int) throws -> AmodalMask {
        try amodal[id] ?? SceneRenderer.amodalMask(scene.instances[id - 1], width: scene.width, height: scene.height)
    }

    private func amodalMask(of id: Int) throws -> AmodalMask {
        if let known = amodal[id] { return known }
        let mask = try SceneRenderer.amodalMask(scene.instances[id - 1], width: scene.width, height: scene.height)
        amodal[id] = mask
        return mask
    }

    /// One pass over the raster: for each pair of 4-neighbour pixels with different non-zero
    /// ids, one unit of edge between those ids.
    private func countSharedEdges() -> [UInt32: Int] {
        var edges: [UInt32: Int] = [:]
        let (width, height) = (scene.width, scene.height)
        instanceIDs.withUnsafeBufferPointer { ids in
            func add(_ p: UInt16, _ q: UInt16) {
                guard p != q, p != 0, q != 0 else { return }
                edges[UInt32(min(p, q)) << 16 | UInt32(max(p, q)), default: 0] += 1
            }
            for y in 0..<height {
                let row = y * width
                for x in 0..<width {
                    let id = ids[row + x]
                    if x + 1 < width { add(id, ids[row + x + 1]) }
                    if y + 1 < height { add(id, ids[row + width + x]) }
                }
            }
        }
        return edges
    }
}

extension SceneProgram {
    /// Samples image `index` as a render does: each attempt that reaches a requirement on
    /// rendered facts is measured from its instance raster (amodal masks drawn on demand).
    /// The way for a library user to sample a scene with rendered requirements;
    /// ``SceneProgram/sample(seed:index:)`` cannot draw. For a clip script (a `clip`
    /// statement) it is frame 0 of clip `index`, planned over all the clip's frames so that
    /// every requirement, those over the clip included, is checked as a render checks it.
    /// - Throws: as ``SceneProgram/sample(seed:index:measuring:)`` (``ExhaustedAttempts``,
    ///   `ScriptError`), and `RenderError` from drawing a raster.
    /// - Parameter focus: re-weights which attempts are kept (``SceneScript/SampleFocus``);
    ///   still images only.
    public func sampleMeasured(seed: UInt64, index: Int, focus: (any SampleFocus)? = nil) throws -> Sample {
        if let settings = clip {
            let plan = try planClip(seed: seed, clip: index, settings: settings) { try RasterFacts(scene: $0) }
            return try sampleFrame(seed: seed, clip: index, frame: 0, settings: settings, plan: plan)
        }
        return try sample(seed: seed, index: index, focus: focus) { try RasterFacts(scene: $0) }
    }
}
