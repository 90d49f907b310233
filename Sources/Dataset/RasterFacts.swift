import Annotation
import Rendering
import SceneModel
public import SceneScript

/// The rendered facts of one sampled attempt, measured from its instance raster: what a
/// requirement on the rendered picture asks (``SceneScript/RenderedFacts``).
///
/// Nothing is drawn until a requirement asks, and then only what it asks about: the visible
/// area or box of one instance comes from the raster's rows that instance may reach
/// (``SceneRenderer/instanceRaster(_:rows:outlines:)``; none when it lies off the canvas), until such
/// rows add up to the canvas height, after which the whole raster is drawn once and measured
/// in one pass. An instance's amodal mask is drawn only when a requirement first asks for its
/// occlusion facts (on the whole raster), and shared edges are counted in one pass on first
/// use. Every value is computed by the same code as the annotation of the same image
/// (``ImageLabels``: `measureInstances`, `Occlusion`), so a requirement sees exactly what the
/// instances file says. An accepted attempt hands its raster (when drawn) and amodal masks on
/// to be reused.
final class RasterFacts: RenderedFacts {
    let scene: Scene
    /// The attempt's text outlines, laid out once for every raster drawn of it, and handed on
    /// with it to the render.
    let outlines = TextOutlines()
    /// Front-most instance id per pixel (``SceneRenderer/instanceRaster(_:over:outlines:)``), once drawn.
    private var raster: [UInt16]?
    /// Visible area and box per instance id, from the whole raster.
    private var measures: [Int: InstanceMeasure] = [:]
    /// Visible area and box of single instances measured on their own rows (`nil`: none visible).
    private var measuredAlone: [Int: InstanceMeasure?] = [:]
    /// Rows drawn for single instances so far: at the canvas height the whole raster is cheaper.
    private(set) var rowsDrawn = 0
    private var amodal: [Int: AmodalMask] = [:]
    private var occlusions: [Int: OcclusionFacts] = [:]
    /// Shared edge length per unordered pair of ids, `min << 16 | max`; counted on first use.
    private var edges: [UInt32: Int]?

    /// The facts of `scene`, measured when first asked.
    init(scene: Scene) {
        self.scene = scene
    }

    /// The whole instance raster when a requirement had it drawn, for the render to reuse.
    var drawnInstanceIDs: [UInt16]? { raster }

    /// The whole instance raster, drawn on first use, with every instance's visible area and box.
    /// - Throws: `RenderError` from drawing the raster.
    func instanceIDs() throws -> [UInt16] {
        if let raster { return raster }
        let drawn = try SceneRenderer.instanceRaster(scene, outlines: outlines)
        let measured = drawn.withUnsafeBufferPointer {
            measureInstances(pixels: $0, width: scene.width, height: scene.height, maxID: UInt16(scene.instances.count))
        }
        for measure in measured { measures[Int(measure.instanceID)] = measure }
        raster = drawn
        return drawn
    }

    /// The visible area and box of instance `id`, or `nil` when no pixel of it is visible.
    private func measure(of id: Int) throws -> InstanceMeasure? {
        if raster != nil { return measures[id] }
        if let known = measuredAlone[id] { return known }
        let rows = try SceneRenderer.canvasRows(of: scene.instances[id - 1], width: scene.width, height: scene.height,
                                                outlines: outlines)
        var measure: InstanceMeasure?
        if !rows.isEmpty {
            guard rowsDrawn + rows.count < scene.height else {
                _ = try instanceIDs()
                return measures[id]
            }
            rowsDrawn += rows.count
            let band = try SceneRenderer.instanceRaster(scene, rows: rows, outlines: outlines)
            let measured = band.withUnsafeBufferPointer {
                measureInstances(pixels: $0, width: scene.width, height: rows.count, maxID: UInt16(scene.instances.count))
            }
            // The instance lies within its rows, so their raster holds all of its visible pixels.
            if var alone = measured.first(where: { Int($0.instanceID) == id }) {
                alone.bbox = PixelBox(minX: alone.bbox.minX, minY: alone.bbox.minY + rows.lowerBound,
                                      maxX: alone.bbox.maxX, maxY: alone.bbox.maxY + rows.lowerBound)
                measure = alone
            }
        }
        measuredAlone[id] = measure
        return measure
    }

    func visiblePixels(of id: Int) throws -> Int { try measure(of: id)?.area ?? 0 }

    func visibleBox(of id: Int) throws -> VisibleBox? {
        guard let box = try measure(of: id)?.bbox.cocoBBox else { return nil }
        return VisibleBox(x: box[0], y: box[1], width: box[2], height: box[3])
    }

    func occlusion(of id: Int) throws -> OcclusionFacts {
        if let known = occlusions[id] { return known }
        let whole = try amodalMask(of: id)
        let occlusion = try instanceIDs().withUnsafeBufferPointer { raster in
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
        if edges == nil { edges = countSharedEdges(try instanceIDs()) }
        let (low, high) = (UInt32(min(a, b)), UInt32(max(a, b)))
        return edges![low << 16 | high] ?? 0
    }

    /// Instance `id`'s amodal mask for the labels: the one drawn for a requirement, or drawn
    /// now and not kept.
    func labelAmodalMask(of id: Int) throws -> AmodalMask {
        try amodal[id] ?? SceneRenderer.amodalMask(scene.instances[id - 1], width: scene.width, height: scene.height,
                                                   outlines: outlines)
    }

    private func amodalMask(of id: Int) throws -> AmodalMask {
        if let known = amodal[id] { return known }
        let mask = try SceneRenderer.amodalMask(scene.instances[id - 1], width: scene.width, height: scene.height,
                                                outlines: outlines)
        amodal[id] = mask
        return mask
    }

    /// One pass over the raster: for each pair of 4-neighbour pixels with different non-zero
    /// ids, one unit of edge between those ids.
    private func countSharedEdges(_ raster: [UInt16]) -> [UInt32: Int] {
        var edges: [UInt32: Int] = [:]
        let (width, height) = (scene.width, scene.height)
        raster.withUnsafeBufferPointer { ids in
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
            let plan = try planClip(seed: seed, clip: index, settings: settings) { RasterFacts(scene: $0) }
            return try sampleFrame(seed: seed, clip: index, frame: 0, settings: settings, plan: plan)
        }
        return try sample(seed: seed, index: index, focus: focus) { RasterFacts(scene: $0) }
    }
}
