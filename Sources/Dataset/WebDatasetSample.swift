public import Foundation

/// One image as a WebDataset sample (docs/FORMATS.md, "WebDataset"): four tar members that
/// share the key `NNNNNN` (the image's file stem), which the `webdataset` library groups
/// into one sample by the name up to the first dot:
///
/// ```
/// NNNNNN.png            the RGB image, as in images/ (NNNNNN.jpg with --image-format jpeg)
/// NNNNNN.instance.png   the 16-bit instance mask, as in masks/instance_ids/
/// NNNNNN.semantic.png   the semantic mask, as in masks/semantic/
/// NNNNNN.json           {"image": …, "record": …, "annotations": [ … ]}
/// ```
///
/// The JSON holds the image's COCO `images` record and its `records.jsonl` line exactly as
/// the dataset's files hold them, and its COCO annotations without their dataset-wide `id`
/// (a sample stands alone; `mask_id` links each to the instance mask). The same image gives
/// the same bytes whether it comes from `tessera export --format webdataset` or from
/// `tessera render … --out -`.
public enum WebDatasetSample {
    /// Appends the sample's members to `archive`.
    /// - Parameters:
    ///   - imageFileName: The image's file name, `NNNNNN.png` or `NNNNNN.jpg`: its stem is
    ///     the key, its extension the image member's.
    public static func append(imageFileName: String, image: some Collection<UInt8>, instanceMask: some Collection<UInt8>,
                              semanticMask: some Collection<UInt8>, json: [UInt8], to archive: inout [UInt8]) {
        let key = imageFileName.split(separator: ".", maxSplits: 1).first.map(String.init) ?? imageFileName
        TarArchive.appendMember(named: imageFileName, contents: image, to: &archive)
        TarArchive.appendMember(named: key + ".instance.png", contents: instanceMask, to: &archive)
        TarArchive.appendMember(named: key + ".semantic.png", contents: semanticMask, to: &archive)
        TarArchive.appendMember(named: key + ".json", contents: json, to: &archive)
    }

    /// The sample's JSON: `{"image":IMAGE,"record":RECORD,"annotations":[…]}` and a newline.
    /// - Parameters:
    ///   - image: The COCO `images` record's JSON text.
    ///   - record: The image's `records.jsonl` line, without its newline.
    ///   - annotations: The COCO annotation records' JSON text, each starting with its `id`
    ///     member (`{"id":17,…`), which is left out.
    public static func json(image: [UInt8], record: [UInt8], annotations: [[UInt8]]) -> [UInt8] {
        var text = Array("{\"image\":".utf8) + image + Array(",\"record\":".utf8) + record + Array(",\"annotations\":[".utf8)
        for (k, annotation) in annotations.enumerated() {
            if k > 0 { text.append(UInt8(ascii: ",")) }
            text += withoutID(annotation)
        }
        text += Array("]}\n".utf8)
        return text
    }

    /// `{"id":N,REST` → `{REST`. Tessera writes `id` first in every annotation.
    static func withoutID(_ annotation: [UInt8]) -> ArraySlice<UInt8> {
        let open = Array("{\"id\":".utf8)
        guard annotation.starts(with: open),
              let comma = annotation[open.count...].firstIndex(of: UInt8(ascii: ",")) else { return annotation[...] }
        var rest = annotation[comma...]
        rest[rest.startIndex] = UInt8(ascii: "{")
        return rest
    }
}
