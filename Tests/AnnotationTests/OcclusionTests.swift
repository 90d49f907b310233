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

    /// The row-wise measure agrees with the definition, pixel by pixel, for windows that
    /// reach past every canvas edge (or lie wholly outside it) over rasters where occluders
    /// (background included) alternate along rows.
    @Test(arguments: [(-3, -2, 12, 9), (2, 1, 4, 3), (-6, 0, 3, 5), (0, 0, 8, 6), (9, 7, 3, 2)])
    func agreesWithTheDefinition(window: (x: Int, y: Int, width: Int, height: Int)) {
        let (width, height) = (8, 6)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: UInt64) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % n)
        }
        let raster = (0..<width * height).map { _ in UInt16(next(4)) }
        let amodal = (0..<window.width * window.height).map { _ in next(3) != 0 }
        let occlusion = raster.withUnsafeBufferPointer {
            Occlusion(instanceID: 1, raster: $0, width: width, height: height, amodal: amodal,
                      amodalOriginX: window.x, amodalOriginY: window.y, amodalWidth: window.width,
                      amodalHeight: window.height, amodalOutside: 5)
        }
        var mask = [Bool](repeating: false, count: width * height)
        var total = 5, visible = 0, hidden: [Int: Int] = [:]
        for wy in 0..<window.height {
            for wx in 0..<window.width {
                let (x, y) = (wx + window.x, wy + window.y)
                let isInside = x >= 0 && x < width && y >= 0 && y < height
                let front = isInside ? raster[y * width + x] : 0
                guard amodal[wy * window.width + wx] || (isInside && front == 1) else { continue }
                total += 1
                guard isInside else { continue }
                mask[y * width + x] = true
                if front == 1 { visible += 1 } else { hidden[Int(front), default: 0] += 1 }
            }
        }
        let area = mask.filter { $0 }.count
        #expect(occlusion.amodalArea == area)
        #expect(occlusion.amodalSegmentation == RLE(mask: mask, width: width, height: height))
        #expect(occlusion.visibleFraction == (area > 0 ? Double(visible) / Double(area) : 0))
        #expect(occlusion.inFrameFraction == Double(area) / Double(total))
        #expect(occlusion.occluders.map(\.instanceID) == hidden.keys.sorted())
        #expect(occlusion.occluders.map(\.pixels) == hidden.keys.sorted().map { hidden[$0]! })
        let xs = (0..<width * height).filter { mask[$0] }.map { $0 % width }
        let ys = (0..<width * height).filter { mask[$0] }.map { $0 / width }
        #expect(occlusion.amodalBBox == (area > 0 ? PixelBox(minX: xs.min()!, minY: ys.min()!, maxX: xs.max()!, maxY: ys.max()!) : nil))
    }
}
