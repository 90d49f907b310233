import ArgumentParser
import Dataset
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
        subcommands: [Render.self, Check.self],
        defaultSubcommand: Render.self)
}

/// Options shared by commands that read a scene.
struct SceneOptions: ParsableArguments {
    @Argument(help: "The scene script. Default: the built-in scene 'shapes'.")
    var scene: String?

    @Option(name: .customLong("templates"), help: "A folder to search for imported templates (repeatable).")
    var templateFolders: [String] = []

    /// Compiles the scene, or exits with the right code and message.
    func load() throws -> SceneProgram {
        do {
            if let scene {
                return try SceneLoader.compile(path: scene, templateFolders: templateFolders)
            }
            return try SceneLoader.compileDefault()
        } catch let error as SceneLoader.Failure {
            throw fail(error.message, exitCode: error.exitCode)
        }
    }
}

/// Prints `message` on standard error and returns the exit code to throw.
func fail(_ message: String, exitCode: Int32) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode(exitCode)
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a scene into a COCO dataset (images, instance and semantic masks, annotations, manifest).")

    @OptionGroup var sceneOptions: SceneOptions

    @Option(help: "Number of images.")
    var count: Int = 16

    @Option(help: "The run's seed: image i is a pure function of (script, seed, i, version).")
    var seed: UInt64 = 0

    @Option(help: "Output folder.")
    var out: String = "output"

    @Option(help: "Worker threads (default: all cores). Never changes the output.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("png-level"), help: "zlib level for PNG files, 0 (fastest) … 9 (smallest).")
    var pngLevel: Int = 1

    @Option(name: .customLong("min-visible-pixels"), help: "Annotate only instances with at least this many visible pixels.")
    var minVisiblePixels: Int = 1

    @Option(name: .customLong("min-visible-fraction"), help: "Annotate only instances with visible_fraction (area / amodal_area) at least this, 0…1.")
    var minVisibleFraction: Double = 0

    @Option(help: "How each annotation's segmentation is written: rle (COCO compressed RLE) or polygon (one polygon per part; a mask with a hole stays RLE).")
    var segmentation: SegmentationFormat = .rle

    @Flag(help: "Replace the dataset already in the output folder.")
    var overwrite = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    var options: RenderOptions {
        RenderOptions(count: count, seed: seed, output: URL(fileURLWithPath: out), jobs: jobs,
                      png: .init(level: pngLevel), overwrite: overwrite,
                      visibility: .init(minimumPixels: minVisiblePixels, minimumFraction: minVisibleFraction),
                      segmentation: segmentation)
    }

    func validate() throws {
        do { try options.validate() } catch let DatasetError.usage(message) {
            throw ValidationError(message)
        }
    }

    func run() throws {
        let program = try sceneOptions.load()
        let reporter = ProgressReporter(total: count, isQuiet: quiet)
        do {
            let summary = try DatasetRenderer(program: program, options: options).run(progress: reporter.update)
            reporter.finish(summary, output: out)
        } catch let error as DatasetError {
            throw fail(error.description, exitCode: error.exitCode)
        } catch {
            throw fail("error: \(error)", exitCode: 70)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and check a scene script, sample image 0 and summarize what it drew.")

    @OptionGroup var sceneOptions: SceneOptions

    @Option(help: "The seed to sample image 0 with.")
    var seed: UInt64 = 0

    func run() throws {
        let program = try sceneOptions.load()
        do {
            print(try SceneSummary(program: program, seed: seed).text)
        } catch let error as ScriptError {
            throw fail(error.rendered(), exitCode: 65)
        } catch {
            throw fail("error: \(error)", exitCode: 70)
        }
    }
}

extension SegmentationFormat: ExpressibleByArgument {}
