import Testing
import SceneModel
@testable import SceneScript

/// Class names as users write them (`classes "traffic light", "猫"`) and stuff classes
/// (`stuff road, sky`), from the declaration to every place a class is named.
struct ClassNamesTests {
    /// Samples with made-up rendered facts (``FakeFacts``), so requirements can run.
    private func sample(_ text: String) throws -> Scene {
        try compile(text).sample(seed: 1, index: 0) { FakeFacts($0) }.scene
    }

    @Test func quotedAndBareNamesShareOneIdSpaceWithStuffInDeclarationOrder() throws {
        let program = try compile("""
        classes "traffic light": signal, car, "9 ball", "猫"
        stuff road: ground, "sky"
        classes "Stop Sign"
        """)
        #expect(program.categories.map(\.name) == ["traffic light", "car", "9 ball", "猫", "road", "sky", "Stop Sign"])
        #expect(program.categories.map(\.id) == Array(1...7))
        #expect(program.categories.map(\.isThing) == [true, true, true, true, false, false, true])
        #expect(program.categories[0].supercategory == "signal" && program.categories[4].supercategory == "ground")
    }

    @Test func everyPlaceThatNamesAClassTakesAQuotedName() throws {
        let scene = try sample("""
        classes "traffic light", "猫"
        stuff road
        object road at (10, 10) { rectangle(20, 20) }
        object "traffic light" as t at (5, 5) { circle(2) }
        object ("猫") as c at (8, 8) { circle(2) }
        object (choice("traffic light", "猫")) at (3, 3) { circle(1) }
        attempts 1
        require class_name(t) == "traffic light" and class_name(c) == "猫"
        require count(p in "traffic light") + count(p in "猫") == 3
        require hidden_by(t, "猫") >= 0 and shared_edge(t, "road") >= 0
        """)
        #expect(scene.instances.map(\.categoryID).prefix(3) == [3, 1, 2])
    }

    @Test func allMeansTheThingsAndAStuffClassIsReachedByItsName() throws {
        let text = """
        classes car
        stuff road, sky
        object sky { rectangle(4, 4) }
        object road { rectangle(4, 4) }
        object road { rectangle(4, 4) }
        object car { rectangle(2, 2) }
        object unlabeled { rectangle(2, 2) }
        attempts 1
        """
        _ = try sample(text + "\nrequire count(p in all) == 1 and count(p in road) == 2 and count(p in \"sky\") == 1 and count(p in unlabeled) == 1")
        #expect(throws: ExhaustedAttempts.self) { try sample(text + "\nrequire count(p in all) == 4") }
    }

    @Test func canonicallyEquivalentSpellingsNameOneClassWrittenAsDeclared() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        let program = try compile("classes \"\(composed)\"\nobject \"\(decomposed)\" { circle(2) }")
        #expect(Array(program.categories[0].name.unicodeScalars) == Array(composed.unicodeScalars))
        #expect(try program.sample(seed: 0, index: 0).instances[0].categoryID == 1)
        #expect(throws: ScriptError.self) { try compile("classes \"\(composed)\", \"\(decomposed)\"") }
        // Compatibility forms and case stay distinct classes.
        #expect(try compile("classes \"ｃａｒ\", car, Car").categories.count == 3)
    }

    @Test func stuffIsAWordOnlyBeforeAClassName() throws {
        // Scripts that use `stuff` as a variable keep working.
        let scene = try compile("""
        classes a
        let stuff = 3
        stuff = stuff + 1
        object a at (stuff, stuff) { circle(2) }
        """).sample(seed: 0, index: 0)
        #expect(scene.instances.count == 1)
        #expect(try compile("stuff sky, \"far hills\": scenery").categories.map(\.isThing) == [false, false])
    }

    @Test func aComputedStuffClassWithAttributesIsARuntimeError() throws {
        let program = try compile("classes car\nstuff road\nobject (\"road\") with wet: true { rectangle(4, 4) }")
        #expect { try program.sample(seed: 0, index: 0) } throws: { error in
            "\(error)".contains("'road' is a stuff class: its objects get no annotation to hold attributes")
        }
    }

    @Test(arguments: [
        ("classes \"\"", "a class name cannot be empty"),
        ("classes \"a\\nb\"", "holds the control character U+000A"),
        ("classes \"a\u{85}b\"", "holds the control character U+0085"),
        ("classes \"a\u{2028}b\"", "holds the control character U+2028"),
        ("classes \" a\"", "begins with white space"),
        ("classes \"unlabeled\"", "'unlabeled' cannot name a class"),
        ("classes \"all\"", "'all' cannot name a class"),
        ("classes a\nstuff a", "class 'a' is declared twice"),
    ])
    func badNamesAreLocatedErrors(script: String, message: String) throws {
        #expect { try compile(script) } throws: { error in
            "\(error)".contains("test.scene:") && "\(error)".contains(message)
        }
    }

    @Test func moreClassesThanTheSemanticMaskCanHoldIsAnError() throws {
        let names = (1...ClassNames.maximumCount + 1).map { "c\($0)" }.joined(separator: ", ")
        #expect { try compile("classes " + names) } throws: { error in
            "\(error)".contains("more than 65534 classes")
        }
    }

    @Test func namesAreSpelledAsAScriptWritesThem() {
        #expect(ClassNames.spelled("car") == "car")
        #expect(ClassNames.spelled("traffic light") == "\"traffic light\"")
        #expect(ClassNames.spelled("9 ball") == "\"9 ball\"")
        #expect(ClassNames.spelled("object") == "\"object\"", "a keyword needs quotes")
        #expect(ClassNames.quoted("a\"b\\c\u{7}") == "\"a\\\"b\\\\c\\u{7}\"")
    }
}
