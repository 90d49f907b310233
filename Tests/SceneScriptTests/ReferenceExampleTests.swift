import Foundation
import Testing
import SceneScript

/// Every complete script example in docs/LANGUAGE.md compiles and samples image 0, so the
/// reference cannot drift from the behaviour. A fenced block is an example unless it is
/// grammar (`:=`) or a formula (`·`), a rendered diagnostic, or elided (`…`).
struct ReferenceExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let examples: [String] = {
        guard let text = try? String(contentsOf: root.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8) else { return [] }
        let blocks = text.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        return blocks.filter { block in
            !block.contains(":=") && !block.contains("·") && !block.contains("…") && !block.contains("error:") && !block.contains("0x9E3779B97F4A7C15")
        }
    }()

    @Test func theReferenceHasExamples() {
        #expect(Self.examples.count >= 10)
    }

    @Test(arguments: examples)
    func exampleCompilesAndSamples(example: String) throws {
        let templates = try ["shapes", "vehicles"].map { name in
            SourceFile(path: "templates/\(name).scene",
                       text: try String(contentsOf: Self.root.appendingPathComponent("templates/\(name).scene"), encoding: .utf8))
        }
        let resolver = InMemoryImportResolver(files: templates, searchPaths: ["templates"])
        do {
            // As if the example lived in scenes/, like the shipped scenes, so `../assets/…` resolves.
            let path = Self.root.appendingPathComponent("scenes/example.scene").path
            let program = try SceneProgram.compile(SourceFile(path: path, text: example), resolver: resolver)
            // Rendered facts come from a stand-in here; the example need only run, not pass.
            _ = try program.sample(seed: 0, index: 0) { FakeFacts($0) }
        } catch is ExhaustedAttempts {
        } catch let error as ScriptError {
            Issue.record("\(error.rendered())\n--- in example:\n\(example)")
        }
    }
}
