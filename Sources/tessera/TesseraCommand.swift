import ArgumentParser
import Dataset
import DatasetExport
import DatasetTools
import Foundation
import SceneScript

/// The `tessera` command: parses arguments, calls the library, sets the exit code.
/// Exit codes: 0 ok, 64 usage, 65 script error, 66 missing input, 70 internal, 74 I/O.
@main
struct TesseraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Turn scene scripts into pixel-exact labeled image datasets.",
        version: Tessera.version,
        subcommands: [Render.self, Sweep.self, Check.self, Merge.self, Validate.self, Preview.self, Stats.self, Report.self, Compare.self, Export.self],
        defaultSubcommand: Render.self)

    /// Runs the command line, after catching a mistyped subcommand: `render` is the default,
    /// so `tessera valdiate out` would otherwise be read as `render` of a scene 'valdiate'.
    /// A first argument that is no file and is close to a subcommand's name is a usage error
    /// (exit 64) that names the subcommand meant.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.map { $0._commandName }
        if let first = arguments.first, !first.hasPrefix("-"), !names.contains(first),
           !FileManager.default.fileExists(atPath: first),
           let meant = names.contains(first.lowercased()) ? first.lowercased() : closestName(to: first.lowercased(), among: names) {
            let message = "error: unknown subcommand '\(first)'; did you mean '\(meant)'?"
                + " (subcommands: \(names.joined(separator: ", ")); a scene is a file path)"
            exit(withError: fail(message, exitCode: 64))
        }
        HeapSettings.keepFreedMemory()
        main(arguments)
    }
}

/// Options shared by commands that read a scene.
struct SceneOptions: ParsableArguments {
    @Argument(help: "The scene script. Default: the built-in scene 'shapes'.")
    var scene: String?

    @Option(name: .customLong("templates"), help: "A folder to search for imported templates (repeatable).")
    var templateFolders: [String] = []

    @Option(name: .customLong("set"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "Set the scene's parameter NAME (a 'param' of the script) to VALUE (repeatable; a later one wins, and wins over --params).",
        valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @Option(name: .customLong("params"), help: ArgumentHelp(
        "A JSON object of parameter values, e.g. {\"hour\": 19, \"weather\": \"rain\"}.", valueName: "FILE"))
    var parameterFile: String?

    /// The parameter overrides, `--params` first so that `--set` wins, each with the flag
    /// that gave it for error messages.
    func overrides() throws -> [ParameterOverride] {
        var overrides: [ParameterOverride] = []
        if let parameterFile {
            let entries: [ParameterFile.Entry]
            do { entries = try ParameterFile.entries(at: URL(fileURLWithPath: parameterFile)) } catch let error as DatasetError {
                throw fail(naming: "--params", error)
            }
            overrides += entries.map { ParameterOverride(name: $0.name, text: $0.text, origin: "--params \(parameterFile)", kind: $0.kind) }
        }
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw fail("error: --set '\(assignment)': expected NAME=VALUE, e.g. --set hour=19", exitCode: 64)
            }
            overrides.append(ParameterOverride(name: String(assignment[..<equals]), text: String(assignment[assignment.index(after: equals)...]),
                                               origin: "--set \(assignment)"))
        }
        return overrides
    }

    /// Compiles the scene with the parameter overrides of `--params` and `--set`, or exits
    /// with the right code and message (64 for an override that does not fit).
    func load() throws -> SceneProgram {
        try load(overrides: try overrides())
    }

    /// Compiles the scene with exactly `overrides` (a sweep's: `--set`'s and its value).
    func load(overrides: [ParameterOverride]) throws -> SceneProgram {
        do {
            if let scene {
                return try SceneLoader.compile(path: scene, templateFolders: templateFolders, overrides: overrides)
            }
            return try SceneLoader.compileDefault(overrides: overrides)
        } catch let error as SceneLoader.Failure {
            throw fail(error.message, exitCode: error.exitCode)
        } catch let error as ParameterError {
            throw fail("error: \(error.message)", exitCode: 64)
        }
    }
}

/// Runs `body`, turning a `DatasetError` into its message and exit code and any other error
/// into exit 70 (internal).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatasetError {
        throw fail(error.description, exitCode: error.exitCode)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw fail("error: \(error)", exitCode: 70)
    }
}

/// Writes a report's JSON (`--json FILE`) atomically, with a final newline; the folder
/// must exist.
func writeJSONReport(_ bytes: [UInt8], to path: String) throws {
    try AtomicFile.write(Data(bytes + [UInt8(ascii: "\n")]), to: URL(fileURLWithPath: path), creatingFolders: false)
}

/// Prints `message` on standard error and returns the exit code to throw.
func fail(_ message: String, exitCode: Int32) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode(exitCode)
}

/// Reports `error`, about the input file of `flag`, as `error: FLAG …` with its exit code
/// (64 usage, 66 no such file, 74 a failed read).
func fail(naming flag: String, _ error: DatasetError) -> ExitCode {
    let message = error.description
    return fail("error: \(flag) " + (message.hasPrefix("error: ") ? message.dropFirst("error: ".count) : Substring(message)),
                exitCode: error.exitCode)
}

/// The options of `render` that also shape each dataset of a `sweep`.
struct RenderArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Number of images: the run is images 0 ..< N (with --indices, the whole run they are taken from; it also sets how many digits file names have).")
    var count: Int = 16

    @Option(parsing: .unconditional, help: ArgumentHelp("Render only these images of the run, e.g. 17,40-59 (indices from 0, ranges inclusive, each below --count); each is byte-identical to the same image of the whole run.",
                               valueName: "LIST"))
    var indices: String?

    @Option(parsing: .unconditional, help: "The run's seed: image i is a pure function of (script, seed, i, version).")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores; fewer when that many images of a huge canvas would not fit in half the memory). Never changes the output.")
    var jobs: Int?

    @Option(name: .customLong("png-level"), parsing: .unconditional, help: "zlib level for PNG files: 0 (store), 1 (default: fastest; run-length, or Huffman-only for noisy pictures), 2 … 9 (zlib's string matching: slower; smaller on clean pictures, often not on noisy ones).")
    var pngLevel: Int = 1

    @Option(name: .customLong("image-format"), help: "File format of the RGB images: png or jpeg (images/NNNNNN.jpg). Masks are always PNG.")
    var imageFormat: ImageFormat = .png

    @Option(name: .customLong("jpeg-quality"), parsing: .unconditional, help: "JPEG quality 1…100 with --image-format jpeg (default 90).")
    var jpegQuality: Int?

    @Option(name: .customLong("min-visible-pixels"), parsing: .unconditional, help: "Annotate only instances with at least this many visible pixels.")
    var minVisiblePixels: Int = 1

    @Option(name: .customLong("min-visible-fraction"), parsing: .unconditional, help: "Annotate only instances with visible_fraction (area / amodal_area) at least this, 0…1.")
    var minVisibleFraction: Double = 0

    @Option(help: "How each annotation's segmentation is written: rle (COCO compressed RLE) or polygon (one polygon per part; a mask with a hole stays RLE).")
    var segmentation: SegmentationFormat = .rle

    @Option(name: .customLong("on-exhausted"), help: "When every sampling attempt of an image fails the scene's requirements: fail (stop the run with the error) or skip (leave the image out, list it in manifest.json and go on).")
    var onExhausted: ExhaustedPolicy = .fail

    @Option(parsing: .unconditional, help: ArgumentHelp("Divide the images into splits, one COCO file each (annotations/instances_NAME.json), e.g. train=0.8,val=0.1,test=0.1: each split gets within one image of its share, by a fixed rule on the index (docs/FORMATS.md). Default: one split, 'default'.",
                                                        valueName: "NAME=SHARE,…"))
    var split: String?

    @Option(parsing: .unconditional, help: "Frames per clip: makes clips (--count clips, frame f at time = f / fps), overriding the script's 'clip frames:'.")
    var frames: Int?

    @Option(parsing: .unconditional, help: "Frames per second of the clips, overriding the script's 'clip … fps:'.")
    var fps: Double?

    @Flag(help: "Replace the dataset already in the output folder: only what a Tessera run wrote (its manifest or record log lists it); a file of yours at a dataset path is refused, exit 64.")
    var overwrite = false

    @Flag(help: "Continue the interrupted run in the output folder (or start it); the result is identical to an uninterrupted run.")
    var resume = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    /// The render options for `output`, checked.
    /// - Throws: `DatasetError.usage` naming the flag.
    func options(output: String, shard: Shard?) throws -> RenderOptions {
        if let jpegQuality, imageFormat != .jpeg {
            throw DatasetError.usage("--jpeg-quality \(jpegQuality) applies only to --image-format jpeg")
        }
        let options = RenderOptions(
            count: count, seed: seed, output: URL(fileURLWithPath: output), jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, png: .init(level: pngLevel),
            imageFormat: imageFormat, jpegQuality: jpegQuality ?? 90,
            overwrite: overwrite, resume: resume,
            visibility: .init(minimumPixels: minVisiblePixels, minimumFraction: minVisibleFraction),
            segmentation: segmentation, shard: shard, onExhausted: onExhausted,
            indices: try indices.map { try ImageIndices(parsing: $0) },
            split: try split.map { try SplitPlan(parsing: $0) } ?? .single)
        try options.validate()
        return options
    }

    /// `options` with the clip settings of `program` as `--frames` and `--fps` override them.
    /// - Throws: `DatasetError.usage` naming the flag.
    func clipOptions(_ options: RenderOptions, program: SceneProgram) throws -> RenderOptions {
        var options = options
        if let script = program.clip {
            options.clip = ClipSettings(frames: frames ?? script.frames, fps: fps ?? script.fps)
        } else if let frames, let fps {
            options.clip = ClipSettings(frames: frames, fps: fps)
        } else if frames != nil || fps != nil {
            throw DatasetError.usage("\(frames != nil ? "--frames" : "--fps") needs \(frames != nil ? "--fps" : "--frames") too: the scene declares no 'clip frames: N, fps: F'")
        }
        try options.validate()
        return options
    }
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a scene into a COCO dataset (images, instance and semantic masks, annotations, manifest).")

    @OptionGroup var sceneOptions: SceneOptions

    @Option(help: "Output folder; '-' streams the images to standard output as one WebDataset tar (docs/FORMATS.md, \"WebDataset\") and writes no files.")
    var out: String = "output"

    @Option(parsing: .unconditional, help: ArgumentHelp("Render only shard K of N (K counted from 0): a contiguous slice of the images, for `tessera merge`.",
                               valueName: "K/N"))
    var shard: String?

    @Option(name: .customLong("shard-count"), parsing: .unconditional, help: "The number of shards when the shard index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job).")
    var shardCount: Int?

    @OptionGroup var arguments: RenderArguments

    @Option(name: .customLong("format"), parsing: .singleValue,
            help: ArgumentHelp("Also write the finished dataset in another format, as `tessera export` does (with the export options below): \(ExportFormat.names.joined(separator: ", ")); into DIR, by default OUT-FORMAT beside the dataset. Repeatable. With --out -, only webdataset (the stream's own format).",
                               valueName: "FORMAT[=DIR]"))
    var formats: [String] = []

    @OptionGroup(title: "Export options (with --format)") var exportArguments: ExportArguments

    @Option(help: ArgumentHelp("Re-weight which sampled images the run keeps by a focus file (written by `tessera compare --focus-out`, or by hand): more of the bins with more weight. Still images only. docs/FORMATS.md, \"Focus files\".", valueName: "FILE"))
    var focus: String?

    /// `options` with the focus of `--focus`, checked against `program`.
    /// - Throws: `DatasetError.usage` naming `--focus`, the file and the key.
    func focused(_ options: RenderOptions, program: SceneProgram) throws -> RenderOptions {
        guard let focus else { return options }
        var options = options
        do {
            options.focus = try FocusSampler(file: FocusFile.read(URL(fileURLWithPath: focus)), path: focus, program: program,
                                             visibility: options.visibility)
        } catch let DatasetError.usage(message) {
            throw DatasetError.usage(message.hasPrefix("--focus") ? message : "--focus \(message)")
        } catch let error as DatasetError {
            throw fail(naming: "--focus", error)
        }
        try options.validate()
        return options
    }

    /// `--format FORMAT[=DIR]`, parsed: each export and its folder.
    /// - Throws: `DatasetError.usage` naming `--format`.
    func exports() throws -> [(format: ExportFormat, folder: URL)] {
        var result: [(format: ExportFormat, folder: URL)] = []
        for item in formats {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let format = ExportFormat(rawValue: parts[0]) else {
                throw DatasetError.usage("--format \(item): unknown format '\(parts[0])'; the formats are: \(ExportFormat.names.joined(separator: ", "))")
            }
            if out == "-" {
                guard format == .webdataset, parts.count == 1 else {
                    throw DatasetError.usage("--format \(item): --out - streams WebDataset samples and writes no folder; write other formats with a folder as --out, or with tessera export")
                }
                continue
            }
            guard parts.count == 1 || !parts[1].isEmpty else { throw DatasetError.usage("--format \(item): DIR is empty") }
            let folder = URL(fileURLWithPath: parts.count == 2 ? parts[1] : out + "-" + format.rawValue).standardizedFileURL
            let dataset = URL(fileURLWithPath: out).standardizedFileURL.path
            guard folder.path != dataset, !folder.path.hasPrefix(dataset + "/") else {
                throw DatasetError.usage("--format \(item): '\(folder.path)' is the dataset folder or inside it; an export needs a folder of its own")
            }
            guard !dataset.hasPrefix(folder.path + "/") else {
                throw DatasetError.usage("--format \(item): '\(folder.path)' holds the dataset folder '\(dataset)'; an export's folders could replace it: give the export a folder of its own")
            }
            guard !ExportFolder.holdsDataset(folder) else {
                throw DatasetError.usage("--format \(item): '\(folder.path)' holds a Tessera dataset; give the export a folder of its own")
            }
            guard !result.contains(where: { $0.folder.path == folder.path }) else {
                throw DatasetError.usage("--format \(item): '\(folder.path)' is named by two exports")
            }
            // Checked before rendering, so a long run does not end in a refused export.
            if !(arguments.overwrite || arguments.resume),
               let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path), entries.contains(where: { !$0.hasPrefix(".") }) {
                throw DatasetError.usage("--format \(item): '\(folder.path)' is not empty; pass --overwrite to replace what an earlier export wrote there")
            }
            result.append((format, folder))
        }
        return result
    }

    /// The options, with the shard from `--shard`, else from the scheduler's environment.
    func options(announcingShard: Bool = false) throws -> RenderOptions {
        var resolved: Shard?
        if let shard {
            resolved = try Shard(parsing: shard)
        } else if let (assigned, source) = try Shard.fromEnvironment(ProcessInfo.processInfo.environment, shardCount: shardCount) {
            if arguments.indices != nil {
                throw DatasetError.usage("--indices and the shard from \(source) exclude each other: --indices names the images to render; unset \(source), or give each job its own --indices")
            }
            resolved = assigned
            if announcingShard && !arguments.quiet { FileHandle.standardError.write(Data("shard \(assigned) (from \(source))\n".utf8)) }
        }
        return try arguments.options(output: out, shard: resolved)
    }

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out must name a folder, got an empty string") }
        if shardCount != nil, shard == nil, ProcessInfo.processInfo.environment["JOB_COMPLETION_INDEX"] == nil {
            throw ValidationError("--shard-count goes with a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, which is not set; for a shard by hand use --shard K/N")
        }
        if let shardCount, shard != nil {
            throw ValidationError("--shard-count \(shardCount) goes with JOB_COMPLETION_INDEX; --shard K/N already names the count")
        }
        do {
            let options = try options()
            let exports = try exports()
            if !exports.isEmpty, options.shard != nil {
                throw DatasetError.usage("--format: a shard is part of a dataset; export the merged dataset (tessera merge, then tessera export)")
            }
            if out == "-", exportArguments.isAnyGiven {
                throw ValidationError("--out - streams one WebDataset tar and writes no export; --samples-per-shard, --voc-overflow and --voc-void-band apply to --format exports written to folders")
            }
            try exportArguments.validate(formats: exports.map(\.format))
        } catch let DatasetError.usage(message) {
            throw ValidationError(message)
        }
    }

    func run() throws {
        let program = try sceneOptions.load()
        if out == "-" { return try stream(program) }
        // Known before rendering: the video formats need clips, which the script or --frames makes.
        let makesClips = program.clip != nil || arguments.frames != nil
        for (format, _) in try reportingErrors({ try exports() }) {
            if [.youtubeVIS, .mot].contains(format) && !makesClips {
                throw fail("error: --format \(format.rawValue) exports clips, and the scene makes still images (no 'clip frames: N, fps: F', no --frames)", exitCode: 64)
            }
            // What the export would refuse after rendering (VOC's class limits), refused first.
            try reportingErrors { try format.checkClasses(program.categories.map { (name: $0.name, isThing: $0.isThing) }) }
        }
        try reportingErrors {
            let options = try focused(try arguments.clipOptions(try options(announcingShard: true), program: program), program: program)
            let reporter = ProgressReporter(total: options.images.count, isQuiet: arguments.quiet,
                                             showsAcceptance: !program.requirements.isEmpty || options.focus != nil)
            let summary = try DatasetRenderer(program: program, options: options).run(progress: reporter.update)
            reporter.finish(summary, output: out, requestedJobs: options.jobs)
            if !arguments.quiet, !program.requirements.isEmpty || options.focus != nil, let acceptance = summary.acceptance {
                FileHandle.standardError.write(Data(AcceptanceSummary.text(acceptance, unit: options.clip == nil ? "image" : "clip", focus: options.focus?.file, focusPath: focus).utf8))
            }
            for (format, folder) in try exports() {
                let start = Date()
                var exportOptions = exportArguments.options
                exportOptions.jobs = options.jobs
                let exported = try DatasetExporter.export(URL(fileURLWithPath: out), format: format, to: folder,
                                                          overwrite: arguments.overwrite || arguments.resume,
                                                          options: exportOptions)
                if !arguments.quiet {
                    FileHandle.standardError.write(Data(("exported \(exported.images) images as \(format.rawValue) "
                        + String(format: "in %.2f s into ", Date().timeIntervalSince(start)) + folder.path + "\n").utf8))
                }
            }
        }
    }

    /// `--out -`: the WebDataset tar on standard output, nothing on disk, no progress. A
    /// reader that stops reading (a closed pipe) ends the run at once with status 141, as a
    /// process killed by SIGPIPE would report it through a shell: `webdataset`'s `pipe:` URLs
    /// accept that status.
    private func stream(_ program: SceneProgram) throws {
        signal(SIGPIPE, SIG_IGN)
        try reportingErrors {
            do {
                try DatasetStream(program: program, options: try focused(try arguments.clipOptions(try options(), program: program), program: program))
                    .run(to: StandardOutput.write)
            } catch is StandardOutput.Closed {
                Foundation.exit(141)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Standard output written with `write(2)`, whole buffers, retried on interruption.
enum StandardOutput {
    /// The reader closed the pipe (`EPIPE`).
    struct Closed: Error {}

    static func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { throw Closed() }
                    throw DatasetError.io(path: "standard output", reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
    }
}

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render one dataset per value of one scene parameter, all else equal: OUT/NAME=VALUE/ for each value, and OUT/sweep.json naming them.",
        discussion: "Each dataset is what `render --set NAME=VALUE` with the same options writes: same seed, same images, only what depends on the parameter changes. One parameter per sweep. With --resume each dataset continues (or is found finished); with --overwrite each is replaced.")

    @OptionGroup var sceneOptions: SceneOptions

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("The parameter to vary and its values, separated by commas (values may not hold commas or '/'). Give it once: a sweep varies one factor.",
                               valueName: "NAME=V1,V2,…"))
    var vary: [String] = []

    @Option(help: "The sweep's folder: one dataset per value in OUT/NAME=VALUE/, and OUT/sweep.json.")
    var out: String

    @OptionGroup var arguments: RenderArguments

    func variation() throws -> SweepVariation {
        guard vary.count == 1 else {
            throw DatasetError.usage(vary.isEmpty ? "--vary NAME=V1,V2,… is required: the parameter to sweep and its values"
                : "--vary is given \(vary.count) times; a sweep varies one parameter (sweep the others in separate sweeps)")
        }
        return try SweepVariation(parsing: vary[0])
    }

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out must name a folder, got an empty string") }
        do {
            _ = try variation()
            _ = try arguments.options(output: out, shard: nil)
        } catch let DatasetError.usage(message) {
            throw ValidationError(message)
        }
    }

    func run() throws {
        try reportingErrors {
            let sweep = try DatasetSweep(variation: try variation(), options: try arguments.options(output: out, shard: nil),
                                         overrides: try sceneOptions.overrides()) {
                let program = try sceneOptions.load(overrides: $0)
                if program.clip != nil || arguments.frames != nil || arguments.fps != nil {
                    throw DatasetError.usage("sweep does not make clips yet: render each value with 'tessera render --set NAME=VALUE' instead")
                }
                return program
            }
            var reporter: ProgressReporter?
            var current: String?
            try sweep.run { member, progress in
                if current != member.folder {
                    current = member.folder
                    reporter = ProgressReporter(total: sweep.options.images.count, isQuiet: arguments.quiet,
                                                showsAcceptance: !member.program.requirements.isEmpty)
                }
                reporter?.update(progress)
            } finished: { member, summary in
                reporter?.finish(summary, output: sweep.options(of: member).output.path, requestedJobs: sweep.options.jobs)
            }
            if !arguments.quiet {
                FileHandle.standardError.write(Data("swept \(sweep.variation.parameter) over \(sweep.members.count) value(s): \(out)/\(DatasetSweep.indexFile)\n".utf8))
            }
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and check a scene script, sample image 0 (frame 0 of clip 0 for a clip scene) and summarize what it drew.")

    @OptionGroup var sceneOptions: SceneOptions

    @Option(parsing: .unconditional, help: "The seed to sample image 0 with.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Also sample images 0 ..< N (drawing only what requirements on rendered facts need) and print each requirement's acceptance rate, the expected attempts per image and the spread of each recorded value.",
        valueName: "N"))
    var samples: Int?

    func validate() throws {
        if let samples, samples < 1 || samples > 10_000_000 {
            throw ValidationError("--samples must be between 1 and 10000000, got \(samples)")
        }
    }

    func run() throws {
        let program = try sceneOptions.load()
        do {
            print(try SceneSummary(program: program, seed: seed).text)
            if let samples {
                var records = RecordedDistribution(program: program)
                let report = try AcceptanceReport.estimate(program: program, seed: seed, samples: samples,
                                                           jobs: ProcessInfo.processInfo.activeProcessorCount, records: &records)
                print(AcceptanceSummary.estimateText(report, attemptLimit: program.attemptLimit, clip: program.clip), terminator: "")
                if !records.fields.isEmpty { print(RecordedSummary.text(records), terminator: "") }
            }
        } catch let error as ScriptError {
            throw fail(error.rendered(), exitCode: 65)
        } catch {
            throw fail("error: \(error)", exitCode: 70)
        }
    }
}

extension SegmentationFormat: ExpressibleByArgument {}
extension ImageFormat: ExpressibleByArgument {}
extension ExhaustedPolicy: ExpressibleByArgument {}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join finished shards (render --shard K/N) into one dataset, identical to a single run's.")

    @Argument(help: "The shard folders, in any order.")
    var shards: [String]

    @Option(help: "Output folder for the merged dataset.")
    var out: String

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out must name a folder, got an empty string") }
        guard !shards.contains(where: \.isEmpty) else { throw ValidationError("a shard folder is an empty string") }
    }

    @Flag(help: "Replace the dataset already in the output folder: only what a Tessera run wrote (its manifest or record log lists it); a file of yours at a dataset path is refused, exit 64.")
    var overwrite = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            let start = Date()
            let summary = try DatasetMerger.merge(shards: shards.map { URL(fileURLWithPath: $0) },
                                                  into: URL(fileURLWithPath: out), overwrite: overwrite)
            if !quiet {
                let skipped = summary.skipped > 0 ? " (\(summary.skipped) left out)" : ""
                let line = "merged \(summary.shards) shards: \(summary.images) images\(skipped), "
                    + String(format: "%d annotations in %.2f s into ", summary.annotations, Date().timeIntervalSince(start))
                FileHandle.standardError.write(Data((line + out + "\n").utf8))
            }
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a dataset against its manifest (files, sizes, SHA-256) and the label contract (ids, masks agree with annotations).",
        discussion: "Exit status: 0 valid, 65 faults found (each printed) or no readable manifest.json or instances file, 66 no such folder.")

    @Argument(help: "The dataset folder (holding manifest.json and annotations/).")
    var dataset: String

    @Option(name: .customLong("max-faults"), parsing: .unconditional, help: "Print at most this many faults.")
    var maxFaults: Int = 50

    func validate() throws {
        guard !dataset.isEmpty else { throw ValidationError("the dataset folder is an empty string") }
        guard maxFaults >= 1 else { throw ValidationError("--max-faults must be at least 1, got \(maxFaults)") }
    }

    func run() throws {
        let report = try reportingErrors {
            try DatasetValidator.validate(URL(fileURLWithPath: dataset), maximumFaults: maxFaults)
        }
        let counts = "\(report.imageCount), \(report.annotations) annotations, \(report.files) files"
        guard report.isValid else {
            var lines = report.faults.map { "\(dataset): \($0)" }
            if report.faultCount > report.faults.count { lines.append("… and \(report.faultCount - report.faults.count) more") }
            lines.append("invalid: \(report.faultCount) fault\(report.faultCount == 1 ? "" : "s") in \(counts)")
            throw fail(lines.joined(separator: "\n"), exitCode: 65)
        }
        print("valid: \(counts)")
    }
}

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a contact sheet (PNG) of a dataset's first images with their labels overlaid; for clips, a strip of a clip's frames or an animated PNG.",
        discussion: "Each annotated instance's visible mask is tinted, its bbox outlined and its class named; a dashed line outlines the amodal mask where the object is partly hidden. With --clip, the sheet shows that clip's frames, each object coloured and numbered by its track; --animate writes every frame of the clip as an animated PNG (APNG) or GIF. See docs/PREVIEW.md.")

    @Argument(help: "The dataset folder (holding annotations/, images/ and masks/).")
    var dataset: String

    @Option(help: "The PNG to write. Default: DATASET/preview.png (with --animate: no sheet unless --out is given).")
    var out: String?

    @Option(parsing: .unconditional, help: "Number of images, from the first (with --clip: frames of the clip).")
    var count: Int = 12

    @Option(parsing: .unconditional, help: "Tiles per row.")
    var columns: Int = 4

    @Option(parsing: .unconditional, help: "Side of a tile in pixels; images are scaled to fit, aspect kept.")
    var tile: Int = 256

    @Option(parsing: .unconditional, help: "Preview the clip with this index (0-based, as in images/CCCCCC/) of a dataset of clips.")
    var clip: Int?

    @Option(parsing: .unconditional, help: "With --clip: show frames 0, K, 2K, … Default: as many as --count allows over the whole clip.")
    var step: Int?

    @Option(help: "Write every frame of the clip (--clip, default 0) with its labels as an animation to this file: an animated PNG (APNG) for .png or .apng, a GIF for .gif (colours quantised, see docs/PREVIEW.md).")
    var animate: String?

    @Flag(help: "Draw the pictures alone: no tint, box, outline or class name (to compare them with real images), on the sheet and in --animate's frames. The caption stays.")
    var noLabels = false

    var options: DatasetPreview.Options { .init(count: count, columns: columns, tileSize: tile, showsLabels: !noLabels) }
    var clipSelection: DatasetPreview.ClipSelection { .init(clip: clip ?? 0, step: step) }

    func validate() throws {
        do {
            try options.validate()
            try clipSelection.validate()
        } catch let DatasetError.usage(message) {
            throw ValidationError(message)
        }
        if step != nil, clip == nil { throw ValidationError("--step picks frames of a clip; give --clip too") }
        if let animate, DatasetPreview.AnimationFormat(fileName: animate) == nil {
            throw ValidationError("--animate writes an animated PNG (name the file .png or .apng) or a GIF (.gif), got '\(animate)'")
        }
        if let animate, let out, URL(fileURLWithPath: animate).standardizedFileURL == URL(fileURLWithPath: out).standardizedFileURL {
            throw ValidationError("--animate and --out name the same file '\(out)'; the sheet would replace the animation")
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: dataset)
        try reportingErrors {
            if let animate {
                let output = URL(fileURLWithPath: animate)
                let frames = try DatasetPreview.writeAnimation(root, clip: clipSelection, to: output, tileSize: tile,
                                                               format: DatasetPreview.AnimationFormat(fileName: animate) ?? .apng,
                                                               showsLabels: !noLabels)
                print("wrote \(output.path): clip \(clipSelection.clip), \(frames) frame\(frames == 1 ? "" : "s")")
                guard out != nil else { return }
            }
            let output = out.map { URL(fileURLWithPath: $0) } ?? DatasetPreview.defaultOutput(for: root)
            if clip != nil {
                let drawn = try DatasetPreview.writeClipSheet(root, clip: clipSelection, to: output, options: options)
                print("wrote \(output.path): clip \(clipSelection.clip), \(drawn) frame\(drawn == 1 ? "" : "s")")
            } else {
                let drawn = try DatasetPreview.write(root, to: output, options: options)
                print("wrote \(output.path): \(drawn) image\(drawn == 1 ? "" : "s")")
            }
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a dataset: per class counts, sizes, visibility, truncation, positions; who hides whom; acceptance and recorded values.",
        discussion: "Reads the dataset in one streaming pass. Exit status: 0, 65 not a dataset or a malformed file (named), 66 no such folder, 74 a read or write failed.")

    @Argument(help: "The dataset folder (holding manifest.json and annotations/).")
    var dataset: String

    @Option(help: "Also write the statistics as JSON to this file (fields in docs/FORMATS.md).")
    var json: String?

    func validate() throws {
        guard !dataset.isEmpty else { throw ValidationError("the dataset folder is an empty string") }
    }

    func run() throws {
        try reportingErrors {
            let statistics = try DatasetStatistics(URL(fileURLWithPath: dataset))
            if let json {
                try writeJSONReport(statistics.json.jsonBytes, to: json)
            }
            print(statistics.text)
        }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML report of a dataset: its statistics as plots, a gallery of labeled samples, validation, provenance and the scene script.",
        discussion: "One HTML file with inline SVG plots and embedded PNGs; it loads nothing and runs no script. Written atomically. What it shows: docs/QC.md. Exit status: 0 (also for a dataset that fails validation: the report lists the faults), 64 a bad option or --out a folder, 65 not a dataset, an unfinished run or a malformed file (named), 66 no such folder, 74 --out cannot be written.")

    @Argument(help: "The dataset folder (holding manifest.json and annotations/instances_<split>.json).")
    var dataset: String

    @Option(help: "The HTML file to write. Default: DATASET/report.html.")
    var out: String?

    @Option(parsing: .unconditional, help: "Images in the sample gallery, spread evenly through the dataset (0…100).")
    var samples: Int = 12

    @Option(parsing: .unconditional, help: "Side of a gallery tile in pixels; images are scaled to fit, aspect kept.")
    var tile: Int = 256

    @Option(name: .customLong("max-faults"), parsing: .unconditional, help: "List at most this many validation faults.")
    var maxFaults: Int = 50

    var options: DatasetReport.Options { .init(sampleCount: samples, tileSize: tile, maximumFaults: maxFaults) }

    func validate() throws {
        guard !dataset.isEmpty else { throw ValidationError("the dataset folder is an empty string") }
        guard out.map({ !$0.isEmpty }) ?? true else { throw ValidationError("--out must name a file, got an empty string") }
        do { try options.validate() } catch let DatasetError.usage(message) {
            throw ValidationError(message)
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: dataset)
        let output = out.map { URL(fileURLWithPath: $0) } ?? DatasetReport.defaultOutput(for: root)
        try reportingErrors {
            let summary = try DatasetReport.write(root, to: output, options: options)
            let verdict = summary.faultCount == 0 ? "valid" : "INVALID, \(summary.faultCount) fault\(summary.faultCount == 1 ? "" : "s")"
            print("wrote \(output.path): \(summary.images) images, \(summary.annotations) annotations, \(summary.samples) samples; dataset \(verdict)")
        }
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare predictions (or a second label set) with a ground truth: COCO AP as pycocotools computes it, per class, with matched IoU; for masks boundary F, panoptic quality, pixel accuracy and Cohen's kappa; optionally per bin of a recorded value.",
        discussion: "GT is a dataset folder or a COCO instances JSON; PRED a dataset folder, a COCO instances JSON or a COCO results JSON (a list of {image_id, category_id, bbox | segmentation, score}). Boxes are always compared; masks when both sides carry RLE segmentations. Stuff classes count in panoptic quality and the semantic masks are compared when both sides are Tessera datasets; otherwise things only. Definitions: docs/QC.md. Exit status: 0, 64 usage (bad --by or --bins), 65 the label sets do not match (every mismatch listed) or a malformed file, 66 no such file or folder, 74 a read or write failed.")

    @Argument(help: "The ground truth: a dataset folder or a COCO instances JSON.")
    var groundTruth: String

    @Argument(help: "The predictions: a dataset folder, a COCO instances JSON or a COCO results JSON.")
    var predictions: String

    @Option(help: "Also write the comparison as JSON to this file (fields in docs/FORMATS.md).")
    var json: String?

    @Option(help: ArgumentHelp("Break AP and matched IoU down by a recorded value of the ground truth's records.jsonl (images binned) or an instance fact: area, bbox_width, bbox_height, visible_fraction, in_frame_fraction, amodal_area, attributes.NAME (ground truths binned).", valueName: "NAME"))
    var by: String?

    @Flag(name: .customLong("ap-only"), help: "COCO AP alone, the work pycocotools' and faster-coco-eval's COCOeval do: no boundary F, panoptic quality, pixel accuracy or kappa.")
    var apOnly = false

    @Option(help: ArgumentHelp("With --by: a number of equal-width bins from the smallest value to the largest (default 4), or increasing bin edges, comma-separated (0,0.25,0.5,1).", valueName: "N|EDGES"))
    var bins: String?

    @Option(name: .customLong("class"), help: ArgumentHelp("With --by: count only this class in the breakdown (repeatable); a focus written with --focus-out then weights these classes' instances.", valueName: "NAME"))
    var classes: [String] = []

    @Option(name: .customLong("focus-out"), help: ArgumentHelp("With --by: write a focus file for `tessera render --focus`: each bin weighted by the model's miss rate there (docs/FORMATS.md, \"Focus files\").", valueName: "FILE"))
    var focusOut: String?

    @Option(name: .customLong("focus-floor"), parsing: .unconditional, help: ArgumentHelp("With --focus-out: the least weight of a bin relative to the worst one, 0 < F ≤ 1 (default \(FocusFile.defaultFloor)), so that no bin is starved.", valueName: "F"))
    var focusFloor: Double?

    @Option(name: .customLong("focus-combine"), help: ArgumentHelp("With --focus-out and an instance fact: how an image's instances make its weight: max (the default: its hardest case), mean, or product (each instance tilted by its own weight; for sparse scenes). docs/FORMATS.md, \"Focus files\".", valueName: "RULE"))
    var focusCombine: String?

    func validate() throws {
        if bins != nil && by == nil { throw ValidationError("--bins needs --by NAME") }
        if let focusCombine {
            guard focusOut != nil else { throw ValidationError("--focus-combine applies with --focus-out only") }
            guard FocusFile.Combine(rawValue: focusCombine) != nil else {
                throw ValidationError("--focus-combine must be one of \(FocusFile.Combine.allCases.map(\.rawValue).joined(separator: ", ")), got '\(focusCombine)'")
            }
        }
        if !classes.isEmpty && by == nil { throw ValidationError("--class needs --by NAME: it restricts the breakdown to those classes") }
        if focusOut != nil && by == nil { throw ValidationError("--focus-out needs --by NAME: the focus weights the bins of that value") }
        if let focusFloor {
            guard focusOut != nil else { throw ValidationError("--focus-floor applies with --focus-out only") }
            guard focusFloor.isFinite, focusFloor > 0, focusFloor <= 1 else {
                throw ValidationError("--focus-floor must be greater than 0 and at most 1, got \(focusFloor)")
            }
        }
        if let focusOut {
            guard !focusOut.isEmpty else { throw ValidationError("--focus-out must name a file, got an empty string") }
            var isFolder: ObjCBool = false
            let parent = URL(fileURLWithPath: focusOut).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("--focus-out \(focusOut): the folder '\(parent)' does not exist")
            }
        }
        _ = try binSpecification()
    }

    func binSpecification() throws -> BinSpecification? {
        guard let bins else { return nil }
        if !bins.contains(","), let n = Int(bins) {
            guard n >= 1 else { throw ValidationError("--bins \(bins): a number of bins must be at least 1") }
            return .count(n)
        }
        let edges = bins.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard edges.count >= 2, edges.allSatisfy({ $0?.isFinite == true }) else {
            throw ValidationError("--bins '\(bins)': give a number of bins or at least two comma-separated numbers (bin edges)")
        }
        let values = edges.map { $0! }
        guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("--bins '\(bins)': the edges must increase")
        }
        return .edges(values)
    }

    func run() throws {
        try reportingErrors {
            let sides = try LabelSet.read(groundTruth: groundTruth, predictions: predictions)
            let comparison = try LabelComparison(
                groundTruth: sides.groundTruth, predictions: sides.predictions, options: .init(by: by, bins: try binSpecification(), apOnly: apOnly,
                                                                                         classes: classes.isEmpty ? nil : classes))
            if let json {
                try writeJSONReport(comparison.json.jsonBytes, to: json)
            }
            print(comparison.text)
            if let focusOut, let focus = try FocusFile.derived(
                from: comparison, groundTruth: sides.groundTruth, predictions: sides.predictions, floor: focusFloor ?? FocusFile.defaultFloor,
                combine: focusCombine.flatMap(FocusFile.Combine.init(rawValue:)), groundTruthPath: groundTruth, predictionsPath: predictions) {
                do {
                    try AtomicFile.write(Data(focus.fileBytes), to: URL(fileURLWithPath: focusOut), creatingFolders: false)
                } catch let DatasetError.io(_, reason) {
                    throw DatasetError.io(path: focusOut, reason: "--focus-out: \(reason)")
                }
                print("focus written to \(focusOut) (render with --focus \(focusOut)):")
                print(focus.weightLines.joined(separator: "\n"))
            }
        }
    }
}

/// The options of an export beyond its format, the same on `export` and `render --format`.
struct ExportArguments: ParsableArguments {
    @Option(help: ArgumentHelp("voc only: what to do with an image of more than 254 annotated instances, which VOC's 8-bit SegmentationObject PNG cannot number: error (the default; nothing is written) or gray16 (every SegmentationObject PNG 16-bit greyscale, 65535 void).", valueName: "POLICY"))
    var vocOverflow: String?

    @Option(name: .customLong("voc-void-band"), parsing: .unconditional, help: ArgumentHelp("voc only: draw VOC's void band, PX pixels wide (VOC's own is 5), as 255 over every instance border in SegmentationClass and SegmentationObject. Default 0: exact masks (the band hides labelled pixels).", valueName: "PX"))
    var vocVoidBand: Int?

    @Option(name: .customLong("samples-per-shard"), parsing: .unconditional, help: "webdataset: images per tar shard (default 1000).")
    var samplesPerShard: Int?

    /// Refuses an option that none of `formats` takes, or a value out of range.
    func validate(formats: [ExportFormat]) throws {
        let given = formats.isEmpty ? "" : ", not '\(formats.map(\.rawValue).joined(separator: ", "))'"
        if let samplesPerShard {
            guard formats.contains(.webdataset) else {
                throw ValidationError("--samples-per-shard applies only to --format webdataset")
            }
            guard samplesPerShard >= 1 else { throw ValidationError("--samples-per-shard must be at least 1, got \(samplesPerShard)") }
        }
        if let vocOverflow {
            guard formats.contains(.voc) else {
                throw ValidationError("--voc-overflow applies to --format voc only\(given)")
            }
            guard VOCOverflow(rawValue: vocOverflow) != nil else {
                throw ValidationError("unknown --voc-overflow '\(vocOverflow)'; the policies are: \(VOCOverflow.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let vocVoidBand {
            guard formats.contains(.voc) else {
                throw ValidationError("--voc-void-band applies to --format voc only\(given)")
            }
            guard (0...255).contains(vocVoidBand) else { throw ValidationError("--voc-void-band must be 0…255 pixels, got \(vocVoidBand)") }
        }
    }

    var isAnyGiven: Bool { vocOverflow != nil || vocVoidBand != nil || samplesPerShard != nil }

    /// The options given, defaults for the rest.
    var options: ExportOptions {
        ExportOptions(vocOverflow: vocOverflow.flatMap(VOCOverflow.init(rawValue:)) ?? .error,
                      samplesPerShard: samplesPerShard ?? 1000, vocVoidBand: vocVoidBand ?? 0)
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a finished dataset in another format: YOLO detection (yolo) or segmentation (yolo-seg), as ultralytics reads them; COCO panoptic (coco-panoptic); Pascal VOC (voc); WebDataset tar shards (webdataset); for clips, YouTube-VIS (youtube-vis) and MOTChallenge (mot).",
        discussion: "Images are hard-linked into OUT when it is on the dataset's file system, copied otherwise. Nothing appears under a final name unless the whole export succeeds. Exit status: 0, 64 usage (unknown format, non-empty --out without --overwrite, a dataset the format cannot hold: voc with more than 254 classes or a class it cannot name, more than 254 instances in an image without --voc-overflow gray16, mot or youtube-vis of still images), 65 an unfinished or damaged dataset (the file named), 66 no such folder, 74 a read or write failed.")

    @Argument(help: "The dataset folder (a finished tessera render).")
    var dataset: String

    @Option(name: .customLong("format"), help: ArgumentHelp("The format: \(ExportFormat.names.joined(separator: ", ")). One per export.", valueName: "FORMAT"))
    var formats: [String] = []

    /// The one `--format` given (``validate()`` sees to it).
    var format: String { formats.last ?? "" }

    @Option(help: "The output folder.")
    var out: String

    @Flag(help: "Replace what an earlier export wrote into the output folder (entries of the same names).")
    var overwrite = false

    @OptionGroup var exportArguments: ExportArguments

    @Option(parsing: .unconditional, help: "Worker threads preparing images (tracing polygons, encoding PNGs; default: all cores). Never changes the output.")
    var jobs: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard !dataset.isEmpty else { throw ValidationError("the dataset folder is an empty string") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        guard !out.isEmpty else { throw ValidationError("--out must name a folder, got an empty string") }
        guard formats.count == 1 else {
            throw ValidationError(formats.isEmpty ? "--format FORMAT is required: \(ExportFormat.names.joined(separator: ", "))"
                : "--format is given \(formats.count) times; an export writes one format (run export once per format, or use render --format, which takes several)")
        }
        guard let format = ExportFormat(rawValue: format) else {
            throw ValidationError("unknown --format '\(format)'; the formats are: \(ExportFormat.names.joined(separator: ", "))")
        }
        try exportArguments.validate(formats: [format])
    }

    func run() throws {
        try reportingErrors {
            let start = Date()
            var options = exportArguments.options
            options.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
            let summary = try DatasetExporter.export(URL(fileURLWithPath: dataset), format: ExportFormat(rawValue: format)!,
                                                     to: URL(fileURLWithPath: out), overwrite: overwrite, options: options)
            if !quiet {
                let line = "exported \(summary.images) images, \(summary.annotations) annotations as \(format) "
                    + String(format: "in %.2f s into ", Date().timeIntervalSince(start)) + out
                    + " (images \(summary.isLinked ? "hard-linked" : "copied"))"
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }
}
