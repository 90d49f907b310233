import Annotation
import Foundation
public import SceneScript

/// One scene parameter and the values a sweep gives it (`--vary NAME=V1,V2,…`).
public struct SweepVariation: Sendable, Equatable {
    /// The `param` to vary.
    public var parameter: String
    /// The values as written, each read as `--set NAME=VALUE` reads it; distinct.
    public var values: [String]

    public init(parameter: String, values: [String]) {
        self.parameter = parameter
        self.values = values
    }

    /// Parses `NAME=V1,V2,…` (values may not hold a comma).
    /// - Throws: `DatasetError.usage` naming `source`: no `=`, no name, no value, an empty
    ///   value, a value twice, a value that cannot name a folder.
    public init(parsing text: String, source: String = "--vary") throws {
        func failure(_ problem: String) -> DatasetError {
            DatasetError.usage("\(source) \(text): \(problem); write \(source) NAME=V1,V2,… (one parameter, its values separated by commas)")
        }
        guard let equals = text.firstIndex(of: "=") else { throw failure("no '='") }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw failure("no parameter name") }
        let values = text[text.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard values != [""] else { throw failure("no values") }
        var seen = Set<String>()
        for value in values {
            guard !value.isEmpty else { throw failure("an empty value") }
            guard !value.contains("/"), !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw failure("the value '\(value)' cannot be part of a folder name (no '/' or control characters)")
            }
            guard seen.insert(value).inserted else { throw failure("the value '\(value)' is listed twice") }
        }
        self.init(parameter: name, values: values)
    }

    /// The folder of the dataset for `value`, inside the sweep's folder: `NAME=VALUE`.
    public func folder(for value: String) -> String { "\(parameter)=\(value)" }

    /// The override that sets `value`, named as `source` would give it.
    func override(_ value: String, source: String) -> ParameterOverride {
        ParameterOverride(name: parameter, text: value, origin: "\(source) \(parameter)=\(value)")
    }
}

/// A sweep: one dataset per value of one scene parameter, each rendered with the same
/// options (seed, count, indices, …) into `OUT/NAME=VALUE/`, and `OUT/sweep.json` naming them.
///
/// Every dataset is an ordinary render: it validates, resumes and is byte-identical to
/// `render --set NAME=VALUE` with the same options. `sweep.json` is written last and
/// atomically: its presence says that every dataset it lists is finished.
public struct DatasetSweep: Sendable {
    /// One value's dataset.
    public struct Member: Sendable {
        public var value: String
        /// Relative to the sweep's folder.
        public var folder: String
        /// The scene compiled with this value.
        public var program: SceneProgram
    }

    public static let indexFile = "sweep.json"

    public let variation: SweepVariation
    public let members: [Member]
    /// The options every dataset is rendered with; `output` is the sweep's folder.
    public let options: RenderOptions

    /// Compiles the scene once per value, before anything is rendered, so a value the
    /// parameter does not allow stops the sweep before it starts.
    /// - Parameters:
    ///   - overrides: other parameters' values (`--set`), given to every dataset; they may not
    ///     name the varied parameter.
    ///   - source: the flag to name in errors.
    ///   - compile: compiles the scene with these overrides (the varied one last).
    /// - Throws: `DatasetError.usage` naming `source` for no values, a parameter the scene
    ///   does not have or a value it does not allow (from ``SceneScript/ParameterError``),
    ///   or options that do not validate; whatever `compile` throws otherwise.
    public init(variation: SweepVariation, options: RenderOptions, overrides: [ParameterOverride] = [],
                source: String = "--vary", compile: ([ParameterOverride]) throws -> SceneProgram) throws {
        try options.validate()
        guard !variation.values.isEmpty else {
            throw DatasetError.usage("\(source) \(variation.parameter)=…: no values; a sweep needs at least one")
        }
        if let clash = overrides.first(where: { $0.name == variation.parameter }) {
            throw DatasetError.usage("\(clash.origin) sets '\(variation.parameter)', which \(source) varies; leave one of them out")
        }
        var members: [Member] = []
        for value in variation.values {
            let program: SceneProgram
            do { program = try compile(overrides + [variation.override(value, source: source)]) } catch let error as ParameterError {
                throw DatasetError.usage(error.message)
            }
            // `1` and `1.0`, `#FF0000` and `#ff0000`: different text, the same value.
            let inForce = program.parameters.first { $0.name == variation.parameter }?.value
            if let same = members.first(where: { member in
                member.program.parameters.first { $0.name == variation.parameter }?.value == inForce
            }) {
                throw DatasetError.usage("\(source) \(variation.parameter)=…: '\(value)' is the same value as '\(same.value)'; list each value once")
            }
            members.append(Member(value: value, folder: variation.folder(for: value), program: program))
        }
        self.variation = variation
        self.members = members
        self.options = options
    }

    /// The options of `member`'s dataset.
    public func options(of member: Member) -> RenderOptions {
        var options = options
        options.output = self.options.output.appendingPathComponent(member.folder)
        return options
    }

    /// Renders every value's dataset in turn, then writes `sweep.json`.
    ///
    /// The sweep's folder must hold nothing (but dot-files), unless `options.overwrite`
    /// (each dataset is replaced; `sweep.json` is removed first and written again at the end;
    /// other files are left alone) or `options.resume` (each dataset resumes as `render
    /// --resume` does; a `sweep.json` already there must be this sweep's).
    /// - Parameters:
    ///   - progress: called with the member being rendered and its progress.
    ///   - finished: called with each member and its summary as soon as its dataset is done.
    /// - Returns: each dataset's summary, in value order.
    /// - Throws: `DatasetError`, as ``DatasetRenderer/run(progress:)`` does, naming the dataset's folder.
    @discardableResult
    public func run(progress: (Member, RenderProgress) -> Void = { _, _ in },
                    finished: (Member, RenderSummary) -> Void = { _, _ in }) throws -> [RenderSummary] {
        let root = options.output
        let layout = OutputLayout(root: root, imageCount: options.count)
        let lock = try layout.lock()
        defer { withExtendedLifetime(lock) {} }
        let index = indexURL
        let expected = indexBytes()
        if options.resume {
            if let found = try? Data(contentsOf: index), found != expected {
                throw DatasetError.usage("cannot resume in '\(root.path)': its \(Self.indexFile) is of another sweep (\(difference(found)))\nhelp: repeat the original command with --resume, or pass --overwrite to start again")
            }
        } else if options.overwrite {
            if FileManager.default.fileExists(atPath: index.path) {
                do { try FileManager.default.removeItem(at: index) } catch {
                    throw DatasetError.io(path: index.path, reason: AtomicFile.reason(error))
                }
            }
        } else if !layout.isEmpty {
            throw DatasetError.outputNotEmpty(path: root.path)
        }
        var summaries: [RenderSummary] = []
        for member in members {
            let renderer = DatasetRenderer(program: member.program, options: options(of: member))
            do {
                summaries.append(try renderer.run { progress(member, $0) })
                finished(member, summaries[summaries.count - 1])
            } catch {
                throw DatasetError.appendingNote(to: error, "while rendering '\(member.folder)' of the sweep in '\(root.path)'")
            }
        }
        try AtomicFile.write(expected, to: index)
        return summaries
    }

    private var indexURL: URL { options.output.appendingPathComponent(Self.indexFile) }

    /// `sweep.json`: `tool`, `version`, `scene` (`name`, `sha256` over its sources, as in
    /// the manifest), `parameter`, `seed`, `count`, `indices` when given, then `datasets`:
    /// `value` and `folder` per value, in the order given. One line.
    func indexBytes() -> Data {
        let program = members[0].program
        var members: [JSONMember] = [
            JSONMember("tool", .string("tessera")),
            JSONMember("version", .string(Tessera.version)),
            JSONMember("scene", .object([JSONMember("name", .string(program.name)),
                                         JSONMember("sha256", .string(Manifest.sceneHash(program.sources)))])),
            JSONMember("parameter", .string(variation.parameter)),
            JSONMember("seed", .uint(options.seed)),
            JSONMember("count", .int(options.count)),
        ]
        if let indices = options.indices { members.append(JSONMember("indices", .string(indices.description))) }
        members.append(JSONMember("datasets", .array(self.members.map {
            .object([JSONMember("value", .string($0.value)), JSONMember("folder", .string($0.folder))])
        })))
        var bytes: [UInt8] = []
        JSONValue.object(members).appendJSON(to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return Data(bytes)
    }

    /// Names the fields in which the `sweep.json` found differs from this sweep's.
    private func difference(_ found: Data) -> String {
        let there = (try? JSONSerialization.jsonObject(with: found)) as? [String: Any] ?? [:]
        let here = (try? JSONSerialization.jsonObject(with: indexBytes())) as? [String: Any] ?? [:]
        let keys = ["version", "scene", "parameter", "seed", "count", "indices", "datasets"]
        func canonical(_ value: Any?) -> Data? {
            value.flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: .sortedKeys) }
        }
        let differing = keys.filter { canonical(there[$0]) != canonical(here[$0]) }
        return differing.isEmpty ? "it is not this sweep's" : differing.joined(separator: ", ") + " differ"
    }
}
