import Annotation
import Foundation
import Rendering
import SceneScript

/// One output file as recorded in the manifest.
struct FileEntry: Sendable, Equatable {
    var path: String
    var bytes: Int
    var sha256: String

    init(path: String, bytes: Int, sha256: String) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }

    init(path: String, data: Data) {
        self.init(path: path, bytes: data.count, sha256: sha256Hex(data))
    }
}

/// `manifest.json`: the provenance of a dataset.
///
/// Keys in order: `tool`, `version`, `scene` (`name`, `sha256` over all sources, `sources`
/// with each file's `name`, `sha256` and `text`), `seed`, `count`, for a run of chosen images
/// `indices` (``ImageIndices/description``: `"17,40-59"`), `options` (those that
/// change output bytes: `png_level`, `png_filter`, `min_visible_pixels`,
/// `min_visible_fraction`, `segmentation`, `on_exhausted`, `parameters`: the scene's
/// parameters in force, name → value in declaration order, and in a focused run `focus`: the
/// focus file as read, ``FocusFile``), then for a shard `shard` (`index`, `count`, `first_image`,
/// `end_image`), then `files` (`path`, `bytes`, `sha256`, in image order, then
/// the instances files, `records.jsonl`, then a shard's `shard.records`), then `acceptance`
/// (``AcceptanceReport/json``), last because it is known only when every image is done.
/// The thread count is not recorded: it never changes the output.
enum Manifest {
    /// A source's name as recorded: its file name only, so that the same scene run from
    /// another folder (or by absolute path) writes the same bytes and no local path leaks.
    static func recordedName(_ source: SourceFile) -> String {
        URL(fileURLWithPath: source.path).lastPathComponent
    }

    /// SHA-256 over every source of the scene: for each, its file name, a newline, its UTF-8
    /// byte count, a newline and its text.
    static func sceneHash(_ sources: [SourceFile]) -> String {
        var bytes = Data()
        for source in sources {
            let text = Data(source.text.utf8)
            bytes.append(Data("\(recordedName(source))\n\(text.count)\n".utf8))
            bytes.append(text)
        }
        return sha256Hex(bytes)
    }

    /// The manifest object without `shard` and `files`: everything that identifies the whole
    /// dataset. Equal heads mean equal scene (scripts and the media files they name), seed,
    /// count, index set, options and tool version.
    /// - Throws: `DatasetError.io` when a media file cannot be read.
    static func head(program: SceneProgram, options: RenderOptions) throws -> [UInt8] {
        let sources: [JSONValue] = program.sources.map { source in
            .object([JSONMember("name", .string(recordedName(source))),
                     JSONMember("sha256", .string(sha256Hex(Data(source.text.utf8)))),
                     JSONMember("text", .string(source.text))])
        }
        let media: [JSONValue] = try program.mediaFiles.map { file in
            let data: Data
            do { data = try Data(contentsOf: file.url) } catch {
                throw DatasetError.io(path: file.url.path, reason: "cannot read this media file: \(AtomicFile.reason(error))")
            }
            return .object([JSONMember("path", .string(file.path)), JSONMember("bytes", .int(data.count)),
                             JSONMember("sha256", .string(sha256Hex(data)))])
        }
        let document = JSONValue.object([
            JSONMember("tool", .string("tessera")),
            JSONMember("version", .string(Tessera.version)),
            JSONMember("scene", .object([
                JSONMember("name", .string(program.name)),
                JSONMember("sha256", .string(sceneHash(program.sources))),
                JSONMember("sources", .array(sources)),
                JSONMember("media", .array(media)),
            ])),
            JSONMember("seed", .uint(options.seed)),
            JSONMember("count", .int(options.count)),
        ] + (options.clip.map { [JSONMember("clip", .object([JSONMember("frames", .int($0.frames)), JSONMember("fps", .double($0.fps))]))] } ?? [])
          + (options.indices.map { [JSONMember("indices", .string($0.description))] } ?? []) + [
            JSONMember("options", .object([
                JSONMember("image_format", .string(options.imageFormat.rawValue)),
                JSONMember("image_channels", .int(program.sensor.channels)),
                JSONMember("image_bit_depth", .int(program.sensor.bitDepth)),
            ] + (options.imageFormat == .jpeg ? [JSONMember("jpeg_quality", .int(options.jpegQuality))] : []) + [
                JSONMember("png_level", .int(options.png.level)),
                JSONMember("png_filter", .string(options.png.fastFilter ? "sub" : "adaptive")),
                JSONMember("min_visible_pixels", .int(options.visibility.minimumPixels)),
                JSONMember("min_visible_fraction", .double(options.visibility.minimumFraction)),
                JSONMember("segmentation", .string(options.segmentation.rawValue)),
                JSONMember("on_exhausted", .string(options.onExhausted.rawValue)),
                JSONMember("split", options.split.json),
                JSONMember("parameters", program.parametersJSON),
            ] + (options.focus.map { [JSONMember("focus", $0.file.json(withNotes: true))] } ?? []))),
        ])
        var bytes: [UInt8] = []
        document.appendJSON(to: &bytes)
        return bytes
    }

    /// The `files` entries of a manifest, one small object at a time when it has Tessera's
    /// layout (`…,"files":[{…},{…}]}`: entries hold no nested braces), so a manifest of
    /// millions of files is not held as one parsed document; otherwise the whole parse.
    static func files(in data: Data) -> AnySequence<[String: Any]>? {
        let bytes = [UInt8](data)
        let marker = Array(",\"files\":[".utf8)
        guard let start = bytes.firstRange(of: marker)?.upperBound else {
            let whole = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            return (whole?["files"] as? [[String: Any]]).map { AnySequence($0) }
        }
        var position = start
        return AnySequence(AnyIterator {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "{"),
                  let end = bytes[position...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
            let object = (try? JSONSerialization.jsonObject(with: Data(bytes[position...end]))) as? [String: Any]
            position = end + 1
            if position < bytes.count, bytes[position] == UInt8(ascii: ",") { position += 1 }
            return object ?? [:]
        })
    }

    /// The manifest object without its `files` (everything before them), parsed.
    static func head(in data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(headBytes(in: data)))) as? [String: Any]
    }

    /// The manifest's bytes without its `files` member (Tessera's layout: `…,"files":[…]}`),
    /// as a JSON object; the whole data otherwise.
    static func headBytes(in data: Data) -> [UInt8] {
        let bytes = [UInt8](data)
        guard let start = bytes.firstRange(of: Array(",\"files\":[".utf8))?.lowerBound else { return bytes }
        return Array(bytes[..<start]) + [UInt8(ascii: "}")]
    }

    /// The `shard` member's value.
    static func shardJSON(_ shard: Shard, range: Range<Int>) -> JSONValue {
        .object([JSONMember("index", .int(shard.index)), JSONMember("count", .int(shard.count)),
                 JSONMember("first_image", .int(range.lowerBound)), JSONMember("end_image", .int(range.upperBound))])
    }
}

/// Streams `manifest.json` to a hidden partial file and renames it when complete, so the
/// file list never has to be held in memory.
final class ManifestWriter {
    private let file: PartialFile
    private var buffer: [UInt8] = []
    private var fileCount = 0

    /// Starts the manifest: `head` (see `Manifest.head`) with `extra` members after it.
    init(url: URL, head: [UInt8], extra: [JSONMember] = []) throws {
        file = try PartialFile(url)
        buffer = Array(head.dropLast())
        for member in extra {
            buffer.append(UInt8(ascii: ","))
            member.appendJSON(to: &buffer)
        }
        buffer.append(contentsOf: ",\"files\":[".utf8)
    }

    func append(_ file: FileEntry) throws {
        if fileCount > 0 { buffer.append(UInt8(ascii: ",")) }
        fileCount += 1
        JSONValue.object([JSONMember("path", .string(file.path)), JSONMember("bytes", .int(file.bytes)),
                          JSONMember("sha256", .string(file.sha256))]).appendJSON(to: &buffer)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Ends the document, with `trailing` members after `files`, and moves it to its final name.
    func finish(trailing: [JSONMember] = []) throws {
        buffer.append(UInt8(ascii: "]"))
        for member in trailing {
            buffer.append(UInt8(ascii: ","))
            member.appendJSON(to: &buffer)
        }
        buffer.append(contentsOf: "}\n".utf8)
        try flush()
        try file.commit()
    }

    private func flush() throws {
        do { try file.handle.write(contentsOf: buffer) } catch {
            throw DatasetError.io(path: file.url.path, reason: AtomicFile.reason(error))
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
