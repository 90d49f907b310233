import Dataset
import Foundation
import SceneScript
import Testing

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh empty folder under the temporary directory.
func temporaryFolder(_ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("tessera-tests-\(ProcessInfo.processInfo.globallyUniqueString)")
        .appendingPathComponent(name.filter { $0.isLetter || $0.isNumber })
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every regular file below `root`, as relative path → bytes.
func filesBelow(_ root: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let base = root.standardizedFileURL.path
    for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])! {
        guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
        let path = url.standardizedFileURL.path
        out[String(path.dropFirst(base.count + 1))] = try Data(contentsOf: url)
    }
    return out
}

/// Compiles an in-memory script.
func compile(_ text: String, path: String = "test.scene") throws -> SceneProgram {
    try SceneProgram.compile(SourceFile(path: path, text: text), resolver: InMemoryImportResolver(files: [], searchPaths: []))
}

/// Runs the built `tessera` binary ($TESSERA_BIN, else .build/debug/tessera).
func runTessera(_ arguments: [String], in folder: URL = packageRoot) throws -> (status: Int32, stdout: String, stderr: String) {
    let binary = ProcessInfo.processInfo.environment["TESSERA_BIN"]
        ?? packageRoot.appendingPathComponent(".build/debug/tessera").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// Renders one image of `script` and returns (images, annotations) of its instances file.
func annotate(_ script: String, visibility: VisibilityFilter = .init(), segmentation: SegmentationFormat = .rle) throws
    -> (images: [[String: Any]], annotations: [[String: Any]])
{
    let folder = try temporaryFolder()
    let options = RenderOptions(count: 1, seed: 0, output: folder, jobs: 1, visibility: visibility, segmentation: segmentation)
    _ = try DatasetRenderer(program: try compile(script), options: options).run()
    let document = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
    return (document["images"] as! [[String: Any]], document["annotations"] as! [[String: Any]])
}

/// The files of two datasets are identical, byte for byte.
func expectIdentical(_ a: URL, _ b: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let x = try filesBelow(a), y = try filesBelow(b)
    #expect(x.keys.sorted() == y.keys.sorted(), sourceLocation: sourceLocation)
    for (path, data) in x.sorted(by: { $0.key < $1.key }) where y[path] != data {
        Issue.record("\(path) differs", sourceLocation: sourceLocation)
    }
}

/// A scene whose images 3, 8, 13, … (index % 5 == 3) can never be accepted: their one
/// attempt is always rejected by the requirement at line 6, column 9.
let exhaustingScene = """
canvas 64 x 48
classes disc, plate
attempts 1
background #203040
repeat randint(1, 3) { object disc at (uniform(8, 56), uniform(8, 40)) { circle(uniform(4, 12), fill: #e0a020) } }
require image_index % 5 != 3
object plate at (uniform(8, 56), uniform(8, 40)) rotate uniform(0, 90) { rectangle(uniform(6, 20), uniform(6, 20), fill: #c0c0c0) }
"""

/// Renders `exhaustingScene` (or `scene`) with `--on-exhausted skip` unless told otherwise.
@discardableResult
func renderExhausting(into folder: URL, count: Int = 12, seed: UInt64 = 5, jobs: Int = 2, shard: Shard? = nil,
                      resume: Bool = false, policy: ExhaustedPolicy = .skip, scene: String = exhaustingScene,
                      indices: ImageIndices? = nil) throws -> RenderSummary {
    let options = RenderOptions(count: count, seed: seed, output: folder, jobs: jobs, resume: resume, shard: shard, onExhausted: policy,
                                indices: indices)
    return try DatasetRenderer(program: try compile(scene), options: options).run()
}

/// A JSON file, parsed.
func jsonObject(_ url: URL) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}

/// A scene with parameters (one sizes the canvas), `record`s (one in a loop) and objects
/// with attributes; `hour` sets the background's brightness.
let parameterScene = """
param size = 64 in [16, 256]
param hour = 12.0 in [0, 24]
param weather = "clear" in ["clear", "rain", "fog"]
param lit = true
canvas size x size
classes car, sign
background hsv(210, 0.3, 0.2 + hour / 40)
repeat randint(1, 3) {
  let speed = randint(20, 90)
  object car with speed: speed, lit: lit at (uniform(8, size - 8), uniform(8, size - 8)) { rectangle(14, 8, fill: #c04030) }
  record speed
}
object sign at (size / 2, size / 2) { circle(uniform(3, 6), fill: #f0f0f0) }
record hour
record weather
record tint = hsv(uniform(0, 360), 0.5, 0.5)
record spot = (uniform(0, 10), 2)
"""

/// Writes `parameterScene` (or `text`) to `params.scene` in a fresh folder and returns its path.
func writeParameterScene(_ text: String = parameterScene, name: String = #function) throws -> URL {
    let url = try temporaryFolder(name).appendingPathComponent("params.scene")
    try Data(text.utf8).write(to: url)
    return url
}

/// The lines of a JSON Lines file, parsed.
func jsonLines(_ url: URL) throws -> [[String: Any]] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
}
