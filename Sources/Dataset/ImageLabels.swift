import Annotation
import Foundation
import Rendering
import SceneModel
import SceneScript

/// The labels of one rendered image, derived from its instance raster.
///
/// The raster holds every drawn instance's id — things, stuff and unlabeled objects — so each
/// hides what is behind it; the written instance mask shows the ids of things only (stuff and
/// unlabeled → 0), and only things get annotations.
struct ImageLabels {
    let width: Int
    let height: Int
    let instanceIDs: [UInt16]
    /// Category id per instance id (index 0 and unlabeled instances: 0).
    let categoryOfInstance: [UInt16]
    /// Per instance id: whether it is an instance of a thing class (index 0, stuff and
    /// unlabeled instances: false).
    let isThingInstance: [Bool]
    let categoryCount: Int
    /// The `attributes` object per instance id, `nil` for an instance without attributes
    /// (index 0: nil).
    let attributesOfInstance: [JSONValue?]

    /// The track id per instance id, `nil` outside a clip (index 0: nil).
    let trackOfInstance: [Int?]

    /// The amodal mask of instance k (1-based), drawn when an annotation needs it and dropped
    /// after: only visible things get one, and no more than one is held at a time, so memory
    /// does not grow with the number of instances.
    let amodalMask: (Int) throws -> AmodalMask
    /// The image's text outlines, laid out once for its picture, raster and amodal masks
    /// (``Rendering/TextOutlines/layouts`` counts them).
    let outlines: TextOutlines

    /// - Parameters:
    ///   - amodalMask: draws (or hands over an already drawn) amodal mask of an instance, by
    ///     id; defaults to ``SceneRenderer/amodalMask(_:width:height:outlines:)``.
    ///   - outlines: the text outlines the image was drawn with, for the default `amodalMask`.
    init(scene: Scene, instanceIDs: [UInt16], amodalMask: ((Int) throws -> AmodalMask)? = nil,
         outlines: TextOutlines = TextOutlines()) {
        self.outlines = outlines
        self.amodalMask = amodalMask ?? { id in
            try SceneRenderer.amodalMask(scene.instances[id - 1], width: scene.width, height: scene.height, outlines: outlines)
        }
        self.width = scene.width
        self.height = scene.height
        self.instanceIDs = instanceIDs
        var table = [UInt16](repeating: 0, count: scene.instances.count + 1)
        var isThing = [Bool](repeating: false, count: scene.instances.count + 1)
        var attributes = [JSONValue?](repeating: nil, count: scene.instances.count + 1)
        for instance in scene.instances {
            table[instance.id] = UInt16(instance.categoryID ?? 0)
            isThing[instance.id] = instance.categoryID.map { scene.categories[$0 - 1].isThing } ?? false
            if !instance.attributes.isEmpty { attributes[instance.id] = instance.attributes.json }
        }
        var tracks = [Int?](repeating: nil, count: scene.instances.count + 1)
        for instance in scene.instances { tracks[instance.id] = instance.trackID }
        self.trackOfInstance = tracks
        self.categoryOfInstance = table
        self.isThingInstance = isThing
        self.attributesOfInstance = attributes
        self.categoryCount = scene.categories.count
    }

    /// Renders `sample`'s scene (over `backdrop`, see ``SceneRenderer/render(_:instanceIDs:over:outlines:)``)
    /// and makes its labels, reusing what its attempt drew for a requirement (the instance
    /// raster, amodal masks, text outlines): each text is laid out once for all the image's
    /// rasters.
    /// - Throws: `RenderError` from drawing.
    static func render(_ sample: Sample, over backdrop: Backdrop? = nil) throws -> (RenderedScene, ImageLabels) {
        let scene = sample.scene
        let measured = sample.facts as? RasterFacts
        let outlines = measured?.outlines ?? TextOutlines()
        let rendered = try SceneRenderer.render(scene, instanceIDs: measured?.drawnInstanceIDs, over: backdrop, outlines: outlines)
        let labels = ImageLabels(scene: scene, instanceIDs: rendered.instanceIDs, amodalMask: measured?.labelAmodalMask,
                                 outlines: outlines)
        return (rendered, labels)
    }

    /// One annotation per instance of a thing class with at least one visible pixel that passes
    /// `filter`, in instance-id (drawing) order, with its occlusion facts, `z_order` and, for
    /// an object declared `with` attributes, `attributes`.
    /// With `.polygon`, `segmentation` holds the visible mask's outlines unless the mask has
    /// a hole; then, as with `.rle`, it is RLE. Annotation ids are 0 here; the ordered
    /// writer assigns them.
    /// - Throws: what drawing an amodal mask throws (`RenderError`).
    func annotations(imageID: Int, filter: VisibilityFilter = .init(),
                     segmentation format: SegmentationFormat = .rle) throws -> [COCOAnnotation] {
        try instanceIDs.withUnsafeBufferPointer { pixels in
            let measures = measureInstances(pixels: pixels, width: width, height: height,
                                            maxID: UInt16(categoryOfInstance.count - 1))
            return try measures.compactMap { measure in
                let category = categoryOfInstance[Int(measure.instanceID)]
                guard isThingInstance[Int(measure.instanceID)], measure.area >= filter.minimumPixels else { return nil }
                let whole = try amodalMask(Int(measure.instanceID))
                let occlusion = Occlusion(
                    instanceID: measure.instanceID, raster: pixels, width: width, height: height,
                    amodal: whole.pixels, amodalOriginX: whole.originX, amodalOriginY: whole.originY,
                    amodalWidth: whole.width, amodalHeight: whole.height, amodalOutside: whole.outsideArea)
                guard occlusion.visibleFraction >= filter.minimumFraction else { return nil }
                let segmentation: COCOSegmentation
                if format == .polygon, let outlines = PixelPolygon.outlines(
                    of: measure.instanceID, in: pixels, width: width, height: height, within: measure.bbox) {
                    segmentation = .polygons(outlines)
                } else {
                    segmentation = .rle(RLE(encoding: measure.instanceID, in: pixels, width: width, height: height,
                                            within: measure.bbox))
                }
                return COCOAnnotation(id: 0, imageID: imageID, categoryID: Int(category), instance: measure,
                                      segmentation: segmentation,
                                      extra: occlusion.jsonMembers + [JSONMember("z_order", .int(Int(measure.instanceID)))]
                                          + (attributesOfInstance[Int(measure.instanceID)].map { [JSONMember("attributes", $0)] } ?? [])
                                          + (trackOfInstance[Int(measure.instanceID)].map { [JSONMember("track_id", .int($0))] } ?? []))
            }
        }
    }

    /// A clip frame's `unannotated_tracks` (docs/FORMATS.md, *Video*): every thing with a track
    /// that this frame places with some amodal pixel inside the canvas but that has no
    /// annotation in `annotated` (no visible pixel, or left out by the visibility filter), in
    /// drawing order, as `{"track_id", "category_id", "amodal_bbox", "amodal_area",
    /// "visible_fraction", "in_frame_fraction"}` — what a tracking format that keeps hidden
    /// objects (MOTChallenge) needs of them. Objects wholly off the canvas are not listed.
    /// - Throws: what drawing an amodal mask throws (`RenderError`).
    func unannotatedTracks(annotated: [COCOAnnotation]) throws -> [JSONValue] {
        let annotatedIDs = Set(annotated.map(\.instanceID))
        return try instanceIDs.withUnsafeBufferPointer { pixels in
            try (1..<categoryOfInstance.count).compactMap { id -> JSONValue? in
                guard isThingInstance[id], let track = trackOfInstance[id], !annotatedIDs.contains(id) else { return nil }
                // Drawn on demand, one at a time, like the annotations' (only tracked things here).
                let whole = try amodalMask(id)
                let occlusion = Occlusion(
                    instanceID: UInt16(id), raster: pixels, width: width, height: height,
                    amodal: whole.pixels, amodalOriginX: whole.originX, amodalOriginY: whole.originY,
                    amodalWidth: whole.width, amodalHeight: whole.height, amodalOutside: whole.outsideArea)
                guard occlusion.amodalArea > 0, let box = occlusion.amodalBBox else { return nil }
                return .object([
                    JSONMember("track_id", .int(track)), JSONMember("category_id", .int(Int(categoryOfInstance[id]))),
                    JSONMember("amodal_bbox", .array(box.cocoBBox.map { .int($0) })), JSONMember("amodal_area", .int(occlusion.amodalArea)),
                    JSONMember("visible_fraction", .double(occlusion.visibleFraction)),
                    JSONMember("in_frame_fraction", .double(occlusion.inFrameFraction)),
                ])
            }
        }
    }

    /// The instance mask: 16-bit grey, value = instance id of a thing, else 0.
    func instanceMaskPNG(settings: PNG.Settings) throws -> Data {
        // Usually every instance is a thing and the raster is the mask as it is.
        if !isThingInstance.dropFirst().contains(false) {
            return try PNG.encodeGray16(instanceIDs, width: width, height: height, settings: settings)
        }
        let thingsOnly = lookUp(isThingInstance.indices.map { isThingInstance[$0] ? UInt16($0) : 0 })
        return try PNG.encodeGray16(thingsOnly, width: width, height: height, settings: settings)
    }

    /// The semantic mask: per pixel, the category id of the front-most thing or stuff; the
    /// ignore value where that is a thing without an annotation in `annotations` (left out by
    /// the visibility filter); 0 for background and unlabeled objects. 8-bit grey, or 16-bit
    /// past 254 categories (``ClassMap/bitDepth(categoryCount:)``).
    func semanticMaskPNG(annotations: [COCOAnnotation], settings: PNG.Settings) throws -> Data {
        let bitDepth = ClassMap.bitDepth(categoryCount: categoryCount)
        let ignore = UInt16(ClassMap.ignoreValue(bitDepth: bitDepth))
        var value = categoryOfInstance
        var isAnnotated = [Bool](repeating: false, count: value.count)
        for annotation in annotations { isAnnotated[annotation.instanceID] = true }
        for id in value.indices where isThingInstance[id] && !isAnnotated[id] { value[id] = ignore }
        if bitDepth == 8 {
            return try PNG.encodeGray8(lookUp(value.map { UInt8(truncatingIfNeeded: $0) }), width: width, height: height, settings: settings)
        }
        return try PNG.encodeGray16(lookUp(value), width: width, height: height, settings: settings)
    }

    /// `table[id]` for each pixel's instance id, in raster order.
    private func lookUp<T>(_ table: [T]) -> [T] {
        instanceIDs.withUnsafeBufferPointer { ids in
            table.withUnsafeBufferPointer { table in
                [T](unsafeUninitializedCapacity: ids.count) { out, initialized in
                    // Every id in the raster is an instance of the scene, so it indexes `table`.
                    for i in 0..<ids.count { out.initializeElement(at: i, to: table[Int(ids[i])]) }
                    initialized = ids.count
                }
            }
        }
    }
}
