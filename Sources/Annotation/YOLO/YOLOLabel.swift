/// The lines of a YOLO label file (`labels/NNNNNN.txt`) as ultralytics reads them: one
/// object a line, `class x y …`, separated by single spaces, coordinates normalised by the
/// image's width (x) and height (y) to 0…1.
///
/// Numbers are written in plain decimal with ``decimals(width:height:)`` digits after the
/// point, rounded half up from the exact fraction, trailing zeros dropped: the bytes are a
/// function of the integers alone.
public enum YOLOLabel {
    /// Digits after the point: at least 6, and 3 more than the larger side has digits, so
    /// rounding moves a vertex by less than 5e-4 pixel, well under the 1/128-pixel inset of
    /// ``YOLOSegment``.
    public static func decimals(width: Int, height: Int) -> Int {
        max(6, String(max(width, height)).count + 3)
    }

    /// A detection line: `class cx cy w h`, the box's centre and size normalised.
    /// - Parameters:
    ///   - classIndex: The 0-based class index (the position of the category in `names`).
    ///   - bbox: The COCO `[x, y, w, h]` in integer pixels.
    ///   - width: The image width in pixels; `height` likewise.
    public static func detectionLine(classIndex: Int, bbox: [Int], width: Int, height: Int) -> [UInt8] {
        precondition(bbox.count == 4 && width > 0 && height > 0, "a box is [x, y, w, h] in an image with pixels")
        let decimals = decimals(width: width, height: height)
        var line: [UInt8] = Array(String(classIndex).utf8)
        for (numerator, denominator) in [(2 * bbox[0] + bbox[2], 2 * width), (2 * bbox[1] + bbox[3], 2 * height),
                                         (bbox[2], width), (bbox[3], height)] {
            line.append(UInt8(ascii: " "))
            appendDecimal(numerator, over: denominator, decimals: decimals, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// A segmentation line: `class x1 y1 x2 y2 …`, the segment's vertices normalised.
    public static func segmentationLine(classIndex: Int, segment: YOLOSegment, width: Int, height: Int) -> [UInt8] {
        var line: [UInt8] = []
        appendSegmentationLine(classIndex: classIndex, segment: segment, width: width, height: height, to: &line)
        return line
    }

    /// Appends ``segmentationLine(classIndex:segment:width:height:)`` to `bytes`.
    ///
    /// The digits go straight into the array's spare capacity (a crowd image's label file
    /// holds 100 000 numbers): one growth per line, no per-number copies.
    public static func appendSegmentationLine(classIndex: Int, segment: YOLOSegment, width: Int, height: Int,
                                              to bytes: inout [UInt8]) {
        precondition(width > 0 && height > 0, "an image has pixels")
        precondition(classIndex >= 0, "a class index is 0 or more")
        let decimals = decimals(width: width, height: height)
        let scale = powerOfTen(decimals)
        let units = YOLOSegment.unitsPerPixel
        let (xDenominator, yDenominator) = (units * width, units * height)
        let coordinates = segment.coordinates
        // Per number: a space, at most 19 integer digits, the point and `decimals` digits.
        let bound = 20 + coordinates.count * (21 + decimals) + 1
        let oldCount = bytes.count
        // Grown by appending (geometrically), not by reserveCapacity, which would reallocate
        // to the exact size on every line.
        bytes.append(contentsOf: repeatElement(0, count: bound))
        let end = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
            var at = oldCount
            at = writeInteger(UInt64(classIndex), minimumDigits: 1, into: buffer, at: at)
            for (k, value) in coordinates.enumerated() {
                precondition(value >= 0, "a non-negative coordinate")
                buffer[at] = UInt8(ascii: " ")
                at += 1
                let denominator = k & 1 == 0 ? xDenominator : yDenominator
                at = writeFixedPoint(rounded(value, over: denominator, scale: scale), scale: scale, decimals: decimals, into: buffer, at: at)
            }
            buffer[at] = UInt8(ascii: "\n")
            return at + 1
        }
        bytes.removeSubrange(end...)
    }

    /// Writes `scaled / scale` with `decimals` digits after the point, trailing zeros (and a
    /// bare point) dropped; returns the index after the last byte.
    @inline(__always)
    private static func writeFixedPoint(_ scaled: Int, scale: Int, decimals: Int,
                                        into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var at = writeInteger(UInt64(scaled / scale), minimumDigits: 1, into: buffer, at: start)
        var fraction = scaled % scale
        guard fraction > 0 else { return at }
        var digits = decimals
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        buffer[at] = UInt8(ascii: ".")
        at += 1
        return writeInteger(UInt64(fraction), minimumDigits: digits, into: buffer, at: at)
    }

    /// Writes `value` in decimal, zero-padded on the left to `minimumDigits`; returns the
    /// index after the last digit.
    @inline(__always)
    private static func writeInteger(_ value: UInt64, minimumDigits: Int,
                                     into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var count = 1
        var probe = value / 10
        while probe > 0 { count += 1; probe /= 10 }
        count = max(count, minimumDigits)
        var v = value
        var k = start + count
        while k > start {
            k -= 1
            buffer[k] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        }
        return start + count
    }

    /// Appends `numerator / denominator` (both ≥ 0, denominator > 0) in decimal with at most
    /// `decimals` digits after the point, rounded half up, trailing zeros dropped (`0.5`, `1`):
    /// the same digits as a segmentation line's numbers.
    static func appendDecimal(_ numerator: Int, over denominator: Int, decimals: Int, to bytes: inout [UInt8]) {
        precondition(numerator >= 0 && denominator > 0, "a non-negative fraction")
        let scale = powerOfTen(decimals)
        let scaled = rounded(numerator, over: denominator, scale: scale)
        let start = bytes.count
        // At most 19 integer digits, the point and `decimals` digits.
        bytes.append(contentsOf: repeatElement(0, count: 20 + decimals))
        let end = bytes.withUnsafeMutableBufferPointer { writeFixedPoint(scaled, scale: scale, decimals: decimals, into: $0, at: start) }
        bytes.removeSubrange(end...)
    }

    /// 10 to the power `decimals`.
    private static func powerOfTen(_ decimals: Int) -> Int {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        return scale
    }

    /// `numerator / denominator × scale` rounded half up (the fraction exact in integers).
    @inline(__always)
    private static func rounded(_ numerator: Int, over denominator: Int, scale: Int) -> Int {
        let (product, overflow) = numerator.multipliedReportingOverflow(by: 2 * scale)
        precondition(!overflow, "the fraction fits 64-bit arithmetic")
        return (product + denominator) / (2 * denominator)
    }
}
