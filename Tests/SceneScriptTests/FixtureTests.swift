import Foundation
import Testing
import SceneScript

/// The fixture folder inside the test bundle, and every `.scene` file under it as a
/// ``SourceFile`` whose path is relative to that folder (so diagnostics read `errors/x.scene`).
enum Fixtures {
    static let root: URL = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func load(_ relativePath: String) throws -> SourceFile {
        SourceFile(path: relativePath, text: try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8))
    }

    static func all() throws -> [SourceFile] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)!
        return try enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".scene") }.sorted().map(load)
    }

    /// The diagnostics fixtures: `errors/*.scene` (files under `errors/lib/` are only imported).
    static func errorFixtures() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("errors").path)) ?? []
        return names.filter { $0.hasSuffix(".scene") }.sorted().map { "errors/" + $0 }
    }

    /// Resolves among all fixtures, with `errors/lib` standing in for a project's `templates/`.
    static func resolver() throws -> InMemoryImportResolver {
        InMemoryImportResolver(files: try all(), searchPaths: ["errors/lib"])
    }

    /// Compiles `path` and, when that succeeds, samples the image named by a `# sample: SEED INDEX`
    /// line (default 0 0); returns the rendered diagnostics, or nil when there are none.
    static func diagnostics(of path: String) throws -> String? {
        let file = try load(path)
        var seed: UInt64 = 0, index = 0
        for line in file.text.split(separator: "\n") where line.hasPrefix("# sample: ") {
            let numbers = line.dropFirst("# sample: ".count).split(separator: " ")
            seed = UInt64(numbers[0])!
            index = Int(numbers[1])!
        }
        do {
            let program = try SceneProgram.compile(file, resolver: try resolver())
            _ = try program.sample(seed: seed, index: index)
            return nil
        } catch let error as ScriptError {
            return error.rendered()
        }
    }
}

struct DiagnosticsGoldenTests {
    /// Each fixture's leading `# expect: ` lines are the exact rendered diagnostics.
    @Test(arguments: Fixtures.errorFixtures())
    func fixtureDiagnostics(path: String) throws {
        let text = try Fixtures.load(path).text
        let expected = text.split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { $0.hasPrefix("# expect:") }
            .map { $0.hasPrefix("# expect: ") ? String($0.dropFirst("# expect: ".count)) : "" }
            .joined(separator: "\n")
        #expect(!expected.isEmpty, "fixture \(path) states no expectation")
        let actual = try Fixtures.diagnostics(of: path)
        if ProcessInfo.processInfo.environment["TESSERA_RECORD_GOLDEN"] != nil, actual != expected {
            try record(actual ?? "", into: path, replacing: text)
            Issue.record("re-recorded the expectation of \(path); check the diff and run again without TESSERA_RECORD_GOLDEN")
            return
        }
        #expect(actual == expected)
    }

    /// Record mode (`TESSERA_RECORD_GOLDEN=1 swift test`): rewrites the fixture's leading
    /// `# expect:` lines in the source tree with what the compiler printed. The test still
    /// fails, so a recording is never silently green. A new number of `# expect:` lines
    /// shifts the line numbers of the diagnostics, so record until nothing changes.
    private func record(_ diagnostics: String, into path: String, replacing text: String) throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + path)
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("# expect:") }
        let expectations = diagnostics.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "# expect:" : "# expect: " + $0 }
        try (expectations + body.map(String.init)).joined(separator: "\n").write(to: source, atomically: true, encoding: .utf8)
    }

    @Test func thereAreFixtures() {
        #expect(Fixtures.errorFixtures().count >= 8)
    }
}
