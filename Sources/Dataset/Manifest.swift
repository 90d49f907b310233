import Annotation
import Foundation
import Rendering
import SceneScript

/// One output file as recorded in the manifest.
struct FileEntry: Sendable {
    var path: String
    var bytes: Int
    var sha256: String

    init(path: String, data: Data) {
        self.path = path
        self.bytes = data.count
        self.sha256 = sha256Hex(data)
    }
}

/// `manifest.json`: the provenance of a dataset.
///
/// Keys in order: `tool`, `version`, `scene` (`name`, `sha256` over all sources, `sources`
/// with each file's `path`, `sha256` and `text`), `seed`, `count`, `options` (those that
/// change output bytes: `png_level`, `png_filter`, `min_visible_pixels`,
/// `min_visible_fraction`, `segmentation`), `files` (`path`, `bytes`, `sha256`, in
/// image order, then `annotations.json`). The thread count is not recorded: it never
/// changes the output.
struct Manifest {
    let program: SceneProgram
    let options: RenderOptions
    var files: [FileEntry] = []

    init(program: SceneProgram, options: RenderOptions) {
        self.program = program
        self.options = options
    }

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

    func json() -> Data {
        let sources: [JSONValue] = program.sources.map { source in
            .object([JSONMember("name", .string(Self.recordedName(source))),
                     JSONMember("sha256", .string(sha256Hex(Data(source.text.utf8)))),
                     JSONMember("text", .string(source.text))])
        }
        let document = JSONValue.object([
            JSONMember("tool", .string("tessera")),
            JSONMember("version", .string(Tessera.version)),
            JSONMember("scene", .object([
                JSONMember("name", .string(program.name)),
                JSONMember("sha256", .string(Self.sceneHash(program.sources))),
                JSONMember("sources", .array(sources)),
            ])),
            JSONMember("seed", .uint(options.seed)),
            JSONMember("count", .int(options.count)),
            JSONMember("options", .object([
                JSONMember("png_level", .int(options.png.level)),
                JSONMember("png_filter", .string(options.png.fastFilter ? "sub" : "adaptive")),
                JSONMember("min_visible_pixels", .int(options.visibility.minimumPixels)),
                JSONMember("min_visible_fraction", .double(options.visibility.minimumFraction)),
                JSONMember("segmentation", .string(options.segmentation.rawValue)),
            ])),
            JSONMember("files", .array(files.map { file in
                .object([JSONMember("path", .string(file.path)), JSONMember("bytes", .int(file.bytes)),
                         JSONMember("sha256", .string(file.sha256))])
            })),
        ])
        return Data(document.jsonText.utf8) + Data("\n".utf8)
    }
}
