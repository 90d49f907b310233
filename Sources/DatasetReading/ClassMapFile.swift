import Foundation

/// `classes.json` as read back: the class map of the semantic masks (docs/FORMATS.md; the
/// writer's type is `Annotation.ClassMap`).
public struct ClassMapFile: Decodable, Sendable, Equatable {
    /// 8 or 16: the bit depth of every semantic mask of the dataset.
    public var bitDepth: Int
    /// The value of pixels that no labeled thing or stuff covers: 0.
    public var backgroundValue: Int
    /// The value of pixels of instances left without an annotation: 255 or 65535.
    public var ignoreValue: Int
    /// Every category, things and stuff, in id order.
    public var categories: [Category]

    /// One category.
    public struct Category: Decodable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var supercategory: String
        /// 1 for a thing class, 0 for stuff.
        public var isthing: Int
        /// `[r, g, b]`, 0…255.
        public var color: [Int]
    }

    enum CodingKeys: String, CodingKey {
        case bitDepth = "bit_depth", backgroundValue = "background_value", ignoreValue = "ignore_value", categories
    }
}

extension DatasetReader {
    /// `classes.json`, or `nil` when the dataset has none (a version before it).
    /// - Throws: `DatasetReadError.malformed` naming the field when it is not a class map.
    public func classMap() throws(DatasetReadError) -> ClassMapFile? {
        let url = url(DatasetFiles.classes)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(ClassMapFile.self, from: data, JSONDecoder(), url: url)
    }
}
