import Foundation

/// A parameter file: one JSON object of parameter name → value (a number, a string or a
/// Boolean), the values for a scene's `param`s, as `tessera render --params FILE` reads it.
///
/// ```json
/// {"hour": 19, "weather": "rain", "size": 128, "headlights": true}
/// ```
///
/// Numbers keep the text JSON gives them (`19`, `0.25`), so they are checked against the
/// parameter's type as `--set` values are: `19` fits an Int or a Double parameter, `19.5` only
/// a Double. A colour is a string (`"#ff8800"`).
public enum ParameterFile {
    /// One `name: value` of the file, the value as text.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var text: String
    }

    /// The file's entries, sorted by name (a JSON object's members have no order, so none
    /// may reach the output).
    /// - Throws: `DatasetError.usage` naming the file (and the key, for a value that is
    ///   null, an object or an array) when it cannot be read or is not such an object.
    public static func entries(at url: URL) throws -> [Entry] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DatasetError.usage("\(url.path): cannot read this parameter file: \(AtomicFile.reason(error))")
        }
        return try entries(in: data, path: url.path)
    }

    /// The entries of a parameter file's bytes; `path` names it in errors.
    public static func entries(in data: Data, path: String) throws -> [Entry] {
        let decoded: [String: ParameterFileValue]
        do { decoded = try JSONDecoder().decode([String: ParameterFileValue].self, from: data) } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw DatasetError.usage("\(path): parameter '\(context.codingPath[0].stringValue)' is \(context.debugDescription); give a number, a string or true/false")
        } catch {
            throw DatasetError.usage("\(path): not a JSON object of parameter names to values (numbers, strings, true/false), e.g. {\"hour\": 19}")
        }
        return decoded.keys.sorted().map { Entry(name: $0, text: decoded[$0]!.text) }
    }
}

/// A parameter file's value, read strictly: JSON `true` is no number and `1` no Boolean.
private struct ParameterFileValue: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "null")
        } else if let bool = try? container.decode(Bool.self) {
            text = bool ? "true" : "false"
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else if let double = try? container.decode(Double.self) {
            text = "\(double)"
        } else if let string = try? container.decode(String.self) {
            text = string
        } else {
            let isArray = (try? decoder.unkeyedContainer()) != nil
            throw DecodingError.dataCorruptedError(in: container, debugDescription: isArray ? "an array" : "an object")
        }
    }
}
