/// The names of a dataset's files, relative to its folder: the one place both the writer
/// (`Dataset.OutputLayout`) and the reader take them from. See docs/FORMATS.md.
public enum DatasetFiles {
    public static let annotations = "annotations.json"
    public static let manifest = "manifest.json"
    /// The class map of the semantic masks: every category, things and stuff, with its colour.
    public static let classes = "classes.json"
    /// One line per written image: attempts, recorded values, parameters.
    public static let records = "records.jsonl"
    /// A finished shard's record log, which `tessera merge` reads.
    public static let shardRecords = "shard.records"
    /// The folders that hold per-image files.
    public static let imageFolders = ["images", "masks/instance", "masks/semantic"]

    /// The instance mask of the image whose `file_name` is `imageFileName`
    /// (`images/000017.png` → `masks/instance/000017.png`).
    public static func instanceMask(forImage imageFileName: String) -> String {
        "masks/instance/\(stem(imageFileName)).png"
    }

    /// The semantic mask of the image whose `file_name` is `imageFileName`.
    public static func semanticMask(forImage imageFileName: String) -> String {
        "masks/semantic/\(stem(imageFileName)).png"
    }

    /// The file name without folder and extension.
    static func stem(_ path: String) -> Substring {
        let name = path.split(separator: "/").last ?? Substring(path)
        guard let dot = name.lastIndex(of: ".") else { return name }
        return name[..<dot]
    }
}
