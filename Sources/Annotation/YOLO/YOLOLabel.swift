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
        precondition(width > 0 && height > 0, "an image has pixels")
        let decimals = decimals(width: width, height: height)
        let units = YOLOSegment.unitsPerPixel
        var line: [UInt8] = Array(String(classIndex).utf8)
        line.reserveCapacity(segment.coordinates.count * (decimals + 3))
        let (xDenominator, yDenominator) = (units * width, units * height)
        for (k, value) in segment.coordinates.enumerated() {
            line.append(UInt8(ascii: " "))
            appendDecimal(value, over: k % 2 == 0 ? xDenominator : yDenominator, decimals: decimals, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// Appends `numerator / denominator` (both ≥ 0, denominator > 0) in decimal with at most
    /// `decimals` digits after the point, rounded half up, trailing zeros dropped (`0.5`, `1`).
    static func appendDecimal(_ numerator: Int, over denominator: Int, decimals: Int, to bytes: inout [UInt8]) {
        precondition(numerator >= 0 && denominator > 0, "a non-negative fraction")
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let (product, overflow) = numerator.multipliedReportingOverflow(by: 2 * scale)
        precondition(!overflow, "the fraction fits 64-bit arithmetic")
        let scaled = (product + denominator) / (2 * denominator)
        // Digits straight into the bytes: a label file of a crowd image holds 100 000 numbers.
        bytes.appendJSONInteger(UInt64(scaled / scale))
        var fraction = scaled % scale
        guard fraction > 0 else { return }
        var digits = decimals
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        bytes.appendJSONInteger(UInt64(fraction), minimumDigits: digits)
    }
}
