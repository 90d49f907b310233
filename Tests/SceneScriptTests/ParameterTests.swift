import Testing
import SceneModel
@testable import SceneScript

/// `param`, overrides from outside, `record` and instance attributes.
struct ParameterTests {
    private func compile(_ text: String, _ overrides: [(String, String)]) throws -> SceneProgram {
        try SceneProgram.compile(SourceFile(path: "p.scene", text: text), resolver: InMemoryImportResolver(files: [], searchPaths: []),
                                 overrides: overrides.map { ParameterOverride(name: $0.0, text: $0.1, origin: "--set \($0.0)=\($0.1)") })
    }

    private let script = """
        param size = 64 in [16, 1024]
        param hour = 12.5 in [0, 24]
        param mode = "day" in ["day", "dusk", "night"]
        param lit = true
        param tint = #336699
        canvas size x size / 2
        classes a
        object a with hour: hour, mode: mode { circle(hour) }
        record hour
        record tint
        """

    @Test func defaultsAreInForceWithoutOverrides() throws {
        let program = try compile(script, [])
        #expect(program.width == 64 && program.height == 32)
        #expect(program.parameters.map(\.name) == ["size", "hour", "mode", "lit", "tint"])
        #expect(program.parameters.map(\.type) == ["Int", "Double", "String", "Bool", "Color"])
        #expect(program.parameters.allSatisfy { !$0.isOverridden && $0.value == $0.defaultValue })
        #expect(program.parameters[0].location == "p.scene:1:7")
    }

    @Test func overridesSetValuesAndTheCanvas() throws {
        let program = try compile(script, [("size", "128"), ("hour", "19"), ("mode", "night"), ("lit", "false"), ("tint", "#ff0000")])
        #expect(program.width == 128 && program.height == 64)
        #expect(program.parameters.map(\.value) == [.int(128), .double(19), .string("night"), .bool(false), .string("#ff0000")])
        let scene = try program.sample(seed: 0, index: 0)
        #expect(scene.instances[0].attributes == [RecordedField(name: "hour", value: .double(19)), RecordedField(name: "mode", value: .string("night"))])
        #expect(scene.records == [RecordedField(name: "hour", value: .double(19)), RecordedField(name: "tint", value: .string("#ff0000"))])
        #expect(scene.instances[0].shapes[0].geometry == .circle(radius: 19))
    }

    @Test(arguments: [
        ("huor", "3", "--set huor=3: the scene has no parameter 'huor'; did you mean 'hour'? (parameters: size, hour, mode, lit, tint)"),
        ("size", "12.5", "--set size=12.5: 'size' is an Int, not '12.5' (declared at p.scene:1:1: param size = 64 in [16, 1024])"),
        ("size", "8", "--set size=8: 'size' must be between 16 and 1024, not 8 (declared at p.scene:1:1: param size = 64 in [16, 1024])"),
        ("mode", "noon", "--set mode=noon: 'mode' must be one of \"day\", \"dusk\", \"night\", not \"noon\" (declared at p.scene:3:1: param mode = \"day\" in [\"day\", \"dusk\", \"night\"])"),
        ("lit", "yes", "--set lit=yes: 'lit' is a Bool, not 'yes' (declared at p.scene:4:1: param lit = true)"),
        ("tint", "red", "--set tint=red: 'tint' is a Color, not 'red' (declared at p.scene:5:1: param tint = #336699)"),
    ])
    func badOverridesAreUsageErrorsNamingTheFlagAndTheDeclaration(name: String, text: String, message: String) throws {
        let error = try #require(throws: ParameterError.self) { try compile(script, [(name, text)]) }
        #expect(error.message == message)
    }

    @Test func aDefaultWrittenWithADecimalPointIsADouble() throws {
        let program = try compile("param a = -1.0\nparam b = 2\nparam c = 2 * 0.5\nparam d = -3\nclasses x", [("a", "19.5")])
        #expect(program.parameters.map(\.type) == ["Double", "Int", "Double", "Int"])
        #expect(program.parameters[0].value == .double(19.5))
    }

    @Test func aCanvasAnOverridePutsOutOfRangeIsTheOverridesError() throws {
        let text = "param side = 64 in [1, 100000]\ncanvas side x side / 2\nclasses a"
        let error = try #require(throws: ParameterError.self) { try compile(text, [("side", "40000")]) }
        #expect(error.message == "--set side=40000: makes the canvas width 40000 pixels; it must be between 1 and 16384")
        let odd = try #require(throws: ParameterError.self) { try compile(text, [("side", "63")]) }
        #expect(odd.message == "--set side=63: makes the canvas height not a whole number of pixels")
        // Without an override, the script's own canvas is the script's error.
        #expect(throws: ScriptError.self) { try compile("param side = 40000\ncanvas side x 8\nclasses a", []) }
    }

    @Test func recordsInALoopAreLists() throws {
        let program = try compile("classes a\nrepeat 3 as i { record i }\nrecord n = 2 * 3\nif false { record never = 1 }", [])
        #expect(program.recordedNames.map(\.isList) == [true, false, false])
        let scene = try program.sample(seed: 0, index: 0)
        #expect(scene.records == [RecordedField(name: "i", value: .list([.int(0), .int(1), .int(2)])),
                                  RecordedField(name: "n", value: .int(6))])
    }

    @Test func onlyPlainValuesCanBeRecorded() throws {
        #expect(throws: ScriptError.self) { try compile("classes a\nrecord t = stripes(#000000, #ffffff)", []).sample(seed: 0, index: 0) }
    }
}
