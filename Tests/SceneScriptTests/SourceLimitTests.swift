import SceneScript
import Testing

/// Scripts are bounded in size, so no file can make compilation exhaust memory.
@Suite struct SourceLimitTests {
    @Test func anOversizedScriptIsACompileErrorAtItsStart() throws {
        let text = "canvas 64 x 64\n" + String(repeating: "\n", count: SceneProgram.maximumSourceBytes)
        #expect {
            try SceneProgram.compile(SourceFile(path: "big.scene", text: text),
                                     resolver: InMemoryImportResolver(files: [], searchPaths: []))
        } throws: { error in
            (error as? ScriptError)?.rendered().hasPrefix(
                "big.scene:1:1: error: this file is \(text.utf8.count) bytes; a scene or template file may be at most \(SceneProgram.maximumSourceBytes) bytes") == true
        }
    }

    @Test func blankLinesJustUnderTheLimitCompile() throws {
        let text = "canvas 64 x 64\nclasses a\n" + String(repeating: "\n", count: SceneProgram.maximumSourceBytes - 100) + "object a { circle(3) }\n"
        let program = try SceneProgram.compile(SourceFile(path: "blank.scene", text: text),
                                               resolver: InMemoryImportResolver(files: [], searchPaths: []))
        #expect(try program.sample(seed: 0, index: 0).instances.count == 1)
    }
}
