import Annotation
import Foundation
import SceneModel
import SceneScript

extension RecordedValue {
    /// The value as JSON: numbers, strings, Booleans and arrays as they are.
    var json: JSONValue {
        switch self {
        case let .int(v): return .int(v)
        case let .double(v): return .double(v)
        case let .bool(v): return .bool(v)
        case let .string(v): return .string(v)
        case let .list(items): return .array(items.map(\.json))
        }
    }
}

extension [RecordedField] {
    /// The fields as one JSON object, in their order.
    var json: JSONValue { .object(map { JSONMember($0.name, $0.value.json) }) }
}

extension SceneProgram {
    /// The values in force of the program's parameters, in declaration order: the
    /// manifest's `options.parameters` and each `records.jsonl` line's `parameters`.
    var parametersJSON: JSONValue { .object(parameters.map { JSONMember($0.name, $0.value.json) }) }
}

/// `records.jsonl`: one JSON object per written image, in index order, each on its own line:
///
/// ```
/// {"image_id":18,"index":17,"split":"train","attempts":3,"stratum":"tiny","values":{"hour":19.25},"parameters":{"size":128}}
/// ```
///
/// Keys in order: `image_id` (the COCO image id), `index`, `split` (the instances file that
/// lists the image, ``SplitPlan``), `attempts` (the accepted attempt's
/// number, from 1), `stratum` (only when the scene has quotas), `focus_bins` (only in a
/// focused run, `render --focus`: per factor of the focus, the image's count per bin, the
/// last for none — docs/FORMATS.md, *Focus files*), `values` (the script's
/// `record`s, in the order they ran), `parameters` (the values in force, as in the manifest).
/// Images left out (``ExhaustedPolicy/skip``) have no line. Streamed to a hidden partial
/// file and renamed when complete, like the instances files.
final class RecordsFile {
    private let file: PartialFile
    private let parameters: [UInt8]
    private var buffer: [UInt8] = []

    /// - Parameter parameters: the `parameters` object's JSON text.
    init(url: URL, parameters: [UInt8]) throws {
        file = try PartialFile(url)
        self.parameters = parameters
    }

    /// The line of one image, without its newline.
    /// - Parameter values: the `values` object's JSON text (the record log's `V` line).
    static func line(index: Int, split: String, report: SampleReport, values: [UInt8], parameters: [UInt8]) -> [UInt8] {
        var bytes = Array("{\"image_id\":\(index + 1),\"index\":\(index),".utf8)
        JSONMember("split", .string(split)).appendJSON(to: &bytes)
        bytes += Array(",\"attempts\":\(report.attempts)".utf8)
        if let stratum = report.stratum {
            bytes.append(UInt8(ascii: ","))
            JSONMember("stratum", .string(stratum)).appendJSON(to: &bytes)
        }
        if let bins = report.focusBins {
            bytes += Array(",\"focus_bins\":".utf8)
            JSONValue.array(bins.map { .array($0.map(JSONValue.int)) }).appendJSON(to: &bytes)
        }
        bytes += Array(",\"values\":".utf8) + values + Array(",\"parameters\":".utf8) + parameters
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    func append(index: Int, split: String, report: SampleReport, values: [UInt8]) throws {
        buffer += Self.line(index: index, split: split, report: report, values: values, parameters: parameters)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Moves the file to its final name and returns its manifest entry.
    func finish() throws -> FileEntry {
        try flush()
        try file.commit()
        do { return try FileEntry(path: file.url.lastPathComponent, contentsOf: file.url) } catch {
            throw DatasetError.io(path: file.url.path, reason: AtomicFile.reason(error))
        }
    }

    private func flush() throws {
        do { try file.handle.write(contentsOf: buffer) } catch {
            throw DatasetError.io(path: file.url.path, reason: AtomicFile.reason(error))
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
