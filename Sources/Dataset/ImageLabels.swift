import Annotation
import Foundation
import Rendering
import SceneModel

/// The labels of one rendered image, derived from its instance raster.
///
/// The raster holds every drawn instance's id, labeled or not, so unlabeled objects hide
/// what is behind them; the written instance mask shows labeled ids only (unlabeled → 0).
struct ImageLabels {
    let width: Int
    let height: Int
    let instanceIDs: [UInt16]
    /// Category id per instance id (index 0 and unlabeled instances: 0).
    let categoryOfInstance: [UInt16]
    let categoryCount: Int
    /// The `attributes` object per instance id, `nil` for an instance without attributes
    /// (index 0: nil).
    let attributesOfInstance: [JSONValue?]

    /// Amodal masks per instance, in instance order (`amodal[k - 1]` for instance k).
    let amodal: [AmodalMask]

    init(scene: Scene, instanceIDs: [UInt16], amodal: [AmodalMask]) {
        self.amodal = amodal
        self.width = scene.width
        self.height = scene.height
        self.instanceIDs = instanceIDs
        var table = [UInt16](repeating: 0, count: scene.instances.count + 1)
        var attributes = [JSONValue?](repeating: nil, count: scene.instances.count + 1)
        for instance in scene.instances {
            table[instance.id] = UInt16(instance.categoryID ?? 0)
            if !instance.attributes.isEmpty { attributes[instance.id] = instance.attributes.json }
        }
        self.categoryOfInstance = table
        self.attributesOfInstance = attributes
        self.categoryCount = scene.categories.count
    }

    /// One annotation per labeled instance with at least one visible pixel that passes
    /// `filter`, in instance-id (drawing) order, with its occlusion facts, `z_order` and, for
    /// an object declared `with` attributes, `attributes`.
    /// With `.polygon`, `segmentation` holds the visible mask's outlines unless the mask has
    /// a hole; then, as with `.rle`, it is RLE. Annotation ids are 0 here; the ordered
    /// writer assigns them.
    func annotations(imageID: Int, filter: VisibilityFilter = .init(),
                     segmentation format: SegmentationFormat = .rle) -> [COCOAnnotation] {
        instanceIDs.withUnsafeBufferPointer { pixels in
            let measures = measureInstances(pixels: pixels, width: width, height: height,
                                            maxID: UInt16(categoryOfInstance.count - 1))
            return measures.compactMap { measure in
                let category = categoryOfInstance[Int(measure.instanceID)]
                guard category != 0, measure.area >= filter.minimumPixels else { return nil }
                let whole = amodal[Int(measure.instanceID) - 1]
                let occlusion = Occlusion(
                    instanceID: measure.instanceID, raster: pixels, width: width, height: height,
                    amodal: whole.pixels, amodalOriginX: whole.originX, amodalOriginY: whole.originY,
                    amodalWidth: whole.width, amodalHeight: whole.height)
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
                                          + (attributesOfInstance[Int(measure.instanceID)].map { [JSONMember("attributes", $0)] } ?? []))
            }
        }
    }

    /// The instance mask: 16-bit grey, value = instance id of a labeled instance, else 0.
    func instanceMaskPNG(settings: PNG.Settings) throws -> Data {
        // Usually every instance is labeled and the raster is the mask as it is.
        if !categoryOfInstance.dropFirst().contains(0) {
            return try PNG.encodeGray16(instanceIDs, width: width, height: height, settings: settings)
        }
        let labeledOnly = lookUp(UInt16.self) { id, category in category == 0 ? 0 : id }
        return try PNG.encodeGray16(labeledOnly, width: width, height: height, settings: settings)
    }

    /// The semantic mask: category id per pixel (0 = background or unlabeled); 8-bit grey,
    /// or 16-bit when the scene declares more than 255 categories.
    func semanticMaskPNG(settings: PNG.Settings) throws -> Data {
        if categoryCount <= 255 {
            let classes = lookUp(UInt8.self) { _, category in UInt8(truncatingIfNeeded: category) }
            return try PNG.encodeGray8(classes, width: width, height: height, settings: settings)
        }
        let classes = lookUp(UInt16.self) { _, category in category }
        return try PNG.encodeGray16(classes, width: width, height: height, settings: settings)
    }

    /// One value per pixel, `value(instance id, its category id)`, in raster order.
    private func lookUp<T>(_: T.Type, _ value: (UInt16, UInt16) -> T) -> [T] {
        instanceIDs.withUnsafeBufferPointer { ids in
            categoryOfInstance.withUnsafeBufferPointer { table in
                [T](unsafeUninitializedCapacity: ids.count) { out, initialized in
                    // Every id in the raster is an instance of the scene, so it indexes `table`.
                    for i in 0..<ids.count { out.initializeElement(at: i, to: value(ids[i], table[Int(ids[i])])) }
                    initialized = ids.count
                }
            }
        }
    }
}
