import Dataset
import Foundation
import Testing

/// Every script shipped in scenes/ and templates/ passes `tessera check` (parse, check, sample
/// image 0) with exit code 0 and no diagnostics.
@Suite struct ExampleScriptTests {
    static let scripts: [String] = ["scenes", "templates"].flatMap { folder in
        ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(folder).path)) ?? [])
            .filter { $0.hasSuffix(".scene") }.sorted().map { "\(folder)/\($0)" }
    }

    @Test func thereAreExampleScripts() {
        #expect(Self.scripts.filter { $0.hasPrefix("scenes/") }.count >= 4)
        #expect(Self.scripts.filter { $0.hasPrefix("templates/") }.count >= 2)
    }

    @Test(arguments: scripts)
    func passesCheck(path: String) throws {
        let result = try runTessera(["check", path])
        #expect(result.status == 0, "\(path): \(result.stderr)")
        #expect(!result.stderr.contains("error"), "\(result.stderr)")
        // A clip scene is summarised by frame 0 of clip 0.
        #expect(result.stdout.contains("image 0 (seed 0)") || result.stdout.contains("clip 0, frame 0 (seed 0)"))
    }

    /// Samples as the pipeline does: attempts that reach a requirement on rendered facts
    /// (scenes/occluded_pedestrians.scene, scenes/signs.scene) are measured on their raster.
    @Test(arguments: scripts.filter { $0.hasPrefix("scenes/") })
    func samplesManyImagesThroughTheLibrary(path: String) throws {
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent(path).path)
        var segments = 0
        for index in 0..<20 {
            let scene = try program.sampleMeasured(seed: 11, index: index).scene
            segments = max(segments, scene.instances.reduce(0) { $0 + $1.shapes.reduce(0) { $0 + $1.geometry.segmentCount } })
        }
        // Well inside the path segments an image may have (1 000 000, docs/LANGUAGE.md *Limits*).
        #expect(segments <= 250_000, "\(path): \(segments) path segments")
    }
}
