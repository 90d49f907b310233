extension RLE {
    /// Encodes the mask of the pixels equal to `value` in a label raster.
    ///
    /// - Parameters:
    ///   - value: The instance (or category) id whose pixels form the mask.
    ///   - pixels: Row-major raster without padding: pixel (x, y) at `y * width + x`, origin
    ///     top-left, y down.
    ///   - width: Raster width in pixels.
    ///   - height: Raster height in pixels.
    ///   - box: The region to read, usually the instance's tight box from
    ///     ``measureInstances(pixels:width:height:maxID:)``. Pixels outside it count as 0,
    ///     so the result is the mask clipped to the box. `nil` reads the whole raster.
    /// - Returns: The RLE of size `[height, width]` (the whole raster, not the box).
    /// - Complexity: O(box area + number of runs); the runs outside the box are added
    ///   arithmetically.
    public init(
        encoding value: UInt16, in pixels: UnsafeBufferPointer<UInt16>, width: Int, height: Int,
        within box: PixelBox? = nil
    ) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "the raster holds width × height pixels")
        let start = box.map { $0.minY * width + $0.minX } ?? 0
        self = RLE.encodeRuns(width: width, height: height, box: box, stride: width) { pixels[start + $0] == value }
    }

    /// Encodes the mask of the pixels equal to `value` in a label raster held in an array.
    ///
    /// Same contract as ``init(encoding:in:width:height:within:)`` with an
    /// `UnsafeBufferPointer`.
    public init(
        encoding value: UInt16, in pixels: [UInt16], width: Int, height: Int,
        within box: PixelBox? = nil
    ) {
        self = pixels.withUnsafeBufferPointer {
            RLE(encoding: value, in: $0, width: width, height: height, within: box)
        }
    }

    /// Encodes a mask held over a window of the raster: the pixels inside `box` that are set
    /// in `window` (pixels outside `box` count as 0).
    ///
    /// - Parameters:
    ///   - width: Raster width in pixels.
    ///   - height: Raster height in pixels.
    ///   - box: The region to read; it lies inside both the raster and the window.
    ///   - window: Row-major without padding, `windowWidth` pixels a row; its (0, 0) is raster
    ///     pixel (`windowOriginX`, `windowOriginY`).
    /// - Returns: The RLE of size `[height, width]` (the whole raster, not the box).
    /// - Complexity: O(box area + number of runs).
    public init(width: Int, height: Int, within box: PixelBox, window: UnsafeBufferPointer<Bool>,
                windowOriginX: Int, windowOriginY: Int, windowWidth: Int) {
        precondition(box.minX >= windowOriginX && box.minY >= windowOriginY && box.maxX < windowOriginX + windowWidth
                     && (box.maxY - windowOriginY + 1) * windowWidth <= window.count, "the box lies inside the window")
        let start = (box.minY - windowOriginY) * windowWidth + box.minX - windowOriginX
        self = RLE.encodeRuns(width: width, height: height, box: box, stride: windowWidth) { window[start + $0] }
    }

    /// Encodes a binary mask given row-major (`mask[y * width + x]`, origin top-left, y down).
    ///
    /// - Complexity: O(width × height).
    public init(mask: [Bool], width: Int, height: Int) {
        precondition(width >= 0 && height >= 0 && mask.count == width * height,
                     "the mask holds width × height pixels")
        self = mask.withUnsafeBufferPointer { mask in
            RLE.encodeRuns(width: width, height: height, box: nil, stride: width) { mask[$0] }
        }
    }

    /// Decodes to a binary mask, row-major (`mask[y * width + x]`, origin top-left, y down).
    ///
    /// - Complexity: O(width × height).
    public func decodeMask() -> [Bool] {
        var mask = [Bool](repeating: false, count: width * height)
        var position = 0
        for (j, count) in counts.enumerated() {
            let end = position + Int(count)
            if j % 2 == 1 {
                for t in position..<end {
                    mask[(t % height) * width + t / height] = true
                }
            }
            position = end
        }
        return mask
    }

    /// The one encoder behind every public initializer: walks `box` (or the whole raster)
    /// column by column and adds the zero runs outside it arithmetically.
    ///
    /// `isSet` receives the index of a pixel of the box in a row-major buffer of `stride`
    /// elements a row whose index 0 is the box's top-left pixel.
    @inline(__always)
    private static func encodeRuns(
        width: Int, height: Int, box: PixelBox?, stride: Int, isSet: (Int) -> Bool
    ) -> RLE {
        var runs = RunBuilder()
        guard width > 0, height > 0 else {
            return RLE(unchecked: height, width: width, counts: runs.finish())
        }
        let region = box ?? PixelBox(minX: 0, minY: 0, maxX: width - 1, maxY: height - 1)
        precondition(region.minX >= 0 && region.minY >= 0 && region.maxX < width
                     && region.maxY < height, "the box lies inside the raster")
        let below = height - 1 - region.maxY
        runs.appendZeros(region.minX * height + region.minY)
        for x in region.minX...region.maxX {
            if x > region.minX { runs.appendZeros(below + region.minY) }
            var index = x - region.minX
            for _ in region.minY...region.maxY {
                runs.append(isSet(index))
                index += stride
            }
        }
        runs.appendZeros(below + (width - 1 - region.maxX) * height)
        return RLE(unchecked: height, width: width, counts: runs.finish())
    }
}

/// Accumulates alternating runs the way `rleEncode` emits them: a run is closed only when the
/// value changes, so the only possible empty run is the leading run of 0s.
private struct RunBuilder {
    private var counts: [UInt32] = []
    private var isSet = false
    private var run = 0

    @inline(__always)
    mutating func append(_ bit: Bool) {
        if bit == isSet {
            run += 1
        } else {
            counts.append(UInt32(run))
            run = 1
            isSet = bit
        }
    }

    @inline(__always)
    mutating func appendZeros(_ n: Int) {
        guard n > 0 else { return }
        if isSet {
            counts.append(UInt32(run))
            run = n
            isSet = false
        } else {
            run += n
        }
    }

    consuming func finish() -> [UInt32] {
        counts.append(UInt32(run))
        return counts
    }
}
