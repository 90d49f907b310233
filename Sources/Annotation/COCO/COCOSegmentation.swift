/// The `segmentation` of a COCO annotation: compressed RLE or polygons
/// (cocodataset.org/#format-data).
public enum COCOSegmentation: Hashable, Sendable, JSONRenderable {
    /// `{"size":[h,w],"counts":"…"}`, column-major.
    case rle(RLE)
    /// `[[x1,y1,x2,y2,…], …]`, one polygon per part, in pixel-edge coordinates; readers fill
    /// each polygon and take the union.
    case polygons([PixelPolygon])

    public func appendJSON(to bytes: inout [UInt8]) {
        switch self {
        case .rle(let rle):
            rle.appendJSON(to: &bytes)
        case .polygons(let polygons):
            bytes.append(UInt8(ascii: "["))
            for (i, polygon) in polygons.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                polygon.appendJSON(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }
}
