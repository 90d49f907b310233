import Annotation
import Testing

@Suite struct OcclusionUnitTests {
    /// A visible pixel the amodal raster missed (Cairo's clipping at the canvas edge can round
    /// one sample differently) still counts as amodal: visible ⊆ amodal always holds.
    @Test func visiblePixelsAreAlwaysAmodal() {
        // 4×1 canvas: instance 2 in front at x = 0, instance 1 visible at x = 1 and 2; its
        // amodal raster covers x = 0 and 1 but missed x = 2.
        let raster: [UInt16] = [2, 1, 1, 0]
        let amodal = [true, true, false, false]
        let occlusion = raster.withUnsafeBufferPointer {
            Occlusion(instanceID: 1, raster: $0, width: 4, height: 1, amodal: amodal,
                      amodalOriginX: 0, amodalOriginY: 0, amodalWidth: 4, amodalHeight: 1)
        }
        #expect(occlusion.amodalArea == 3)
        #expect(occlusion.amodalSegmentation.decodeMask() == [true, true, true, false])
        #expect(occlusion.visibleFraction == 2.0 / 3.0)
        #expect(occlusion.occluders.map(\.instanceID) == [2] && occlusion.occluders.map(\.pixels) == [1])
        #expect(occlusion.inFrameFraction == 1)
    }
}
