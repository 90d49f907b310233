import Foundation
import Testing
import SceneModel
@testable import SceneScript

// Foundation has its own AffineTransform; these tests mean SceneModel's.
typealias AffineTransform = SceneModel.AffineTransform
typealias Point = SceneModel.Point

func compile(_ text: String, path: String = "test.scene") throws -> SceneProgram {
    try SceneProgram.compile(SourceFile(path: path, text: text), resolver: InMemoryImportResolver(files: [], searchPaths: []))
}

/// The shapes of every instance of image (seed, index), in drawing order.
func shapes(_ text: String, seed: UInt64 = 0, index: Int = 0) throws -> [Shape] {
    try compile(text).sample(seed: seed, index: index).instances.flatMap(\.shapes)
}

func isClose(_ a: AffineTransform, _ b: AffineTransform) -> Bool {
    let differences: [Double] = [a.a - b.a, a.b - b.b, a.c - b.c, a.d - b.d, a.tx - b.tx, a.ty - b.ty]
    return differences.allSatisfy { abs($0) < 1e-12 }
}

let gray808080 = Paint.solid(Color(red: 128.0 / 255, green: 128.0 / 255, blue: 128.0 / 255))

struct SceneOutputTests {
    @Test func exactScene() throws {
        let program = try compile("""
            canvas 200 x 100
            classes cat, dog: animal
            background #102030
            object dog at (10, 20) rotate 90 scale 2 {
              circle(5); rectangle(4, 6, fill: #ff000080) at (1, 0)
            }
            object cat { ellipse(3, 4, fill_rule: "evenodd") }
            object cat {}
            """, path: "scenes/pets.scene")
        #expect(program.name == "pets")
        #expect(program.width == 200 && program.height == 100)
        let scene = try program.sample(seed: 3, index: 4)
        let objectTransform = AffineTransform.translation(10, 20)
            .concatenating(.rotation(degrees: 90).concatenating(.scale(2, 2)))
        let expected = Scene(
            width: 200, height: 100,
            categories: [Category(id: 1, name: "cat", supercategory: "object"), Category(id: 2, name: "dog", supercategory: "animal")],
            background: .solid(Color(red: 16.0 / 255, green: 32.0 / 255, blue: 48.0 / 255)),
            instances: [
                Instance(id: 1, categoryID: 2, shapes: [
                    Shape(geometry: .circle(radius: 5), transform: objectTransform, paint: gray808080),
                    Shape(geometry: .rectangle(width: 4, height: 6), transform: objectTransform.concatenating(.translation(1, 0)),
                          paint: .solid(Color(red: 1, green: 0, blue: 0, alpha: 128.0 / 255))),
                ]),
                Instance(id: 2, categoryID: 1, shapes: [
                    Shape(geometry: .ellipse(radiusX: 3, radiusY: 4), transform: .identity, paint: gray808080, fillRule: .evenOdd),
                ]),
                Instance(id: 3, categoryID: 1, shapes: []),
            ])
        // Track keys are hashes of (statement, context): distinct per object, checked in
        // ClipTests; here everything else must be exact.
        #expect(Set(scene.instances.map(\.trackKey)).count == 3)
        var unkeyed = scene
        for k in unkeyed.instances.indices { unkeyed.instances[k].trackKey = 0 }
        #expect(unkeyed == expected)
        // Clockwise on screen: the local x axis turns to +y, scaled by 2, then moved to (10, 20).
        let p = scene.instances[0].shapes[1].transform.apply(Point(0, 0))
        #expect(abs(p.x - 10) < 1e-12 && abs(p.y - 22) < 1e-12)
    }

    @Test func defaultsWithoutCanvasOrBackground() throws {
        let scene = try compile("classes a\nobject a { circle(1) }").sample(seed: 0, index: 0)
        #expect(scene.width == 512 && scene.height == 512)
        #expect(scene.background == .solid(.black))
    }

    @Test func transformOrderIsFixedWhateverTheWrittenOrder() throws {
        let a = try shapes("classes a\nobject a rotate 30 scale (2, 3) at (5, 6) { circle(1) }")
        let b = try shapes("classes a\nobject a at (5, 6) rotate 30 scale (2, 3) { circle(1) }")
        #expect(a == b)
        #expect(isClose(a[0].transform, AffineTransform.translation(5, 6).concatenating(.rotation(degrees: 30)).concatenating(.scale(2, 3))))
    }

    @Test func templatesComposeCanvasObjectUsePart() throws {
        let result = try shapes("""
            classes a
            template pair(r, gap = 10) {
              dot(r) at (-gap, 0)
              dot(r) at (gap, 0) rotate 45
            }
            template dot(radius) { circle(radius, fill: #00ff00) scale 2 }
            object a at (100, 50) rotate 90 { pair(3) at (0, 7) scale 0.5 }
            """)
        let object = AffineTransform.translation(100, 50).concatenating(.rotation(degrees: 90))
        let use = object.concatenating(.translation(0, 7).concatenating(.scale(0.5, 0.5)))
        #expect(result.count == 2)
        #expect(result.allSatisfy { $0.geometry == .circle(radius: 3) && $0.paint == .solid(Color(red: 0, green: 1, blue: 0)) })
        #expect(isClose(result[0].transform, use.concatenating(.translation(-10, 0)).concatenating(.scale(2, 2))))
        #expect(isClose(result[1].transform,
                        use.concatenating(.translation(10, 0).concatenating(.rotation(degrees: 45))).concatenating(.scale(2, 2))))
    }

    @Test func gradients() throws {
        let program = try compile("""
            canvas 200 x 100
            classes a
            background linear(#000000, #ffffff, angle: 90)
            object a { circle(10, fill: linear(#ff0000, #0000ff)) ; rectangle(6, 8, fill: linear(#ff0000, #0000ff, angle: 180)) }
            """)
        let scene = try program.sample(seed: 0, index: 0)
        let r = (200.0 * 200 + 100 * 100).squareRoot() / 2
        guard case let .linearGradient(start, end, stops) = scene.background else { Issue.record("no gradient"); return }
        #expect(abs(start.x - 100) < 1e-9 && abs(start.y - (50 - r)) < 1e-9 && abs(end.x - 100) < 1e-9 && abs(end.y - (50 + r)) < 1e-9)
        #expect(stops == [ColorStop(offset: 0, color: .black), ColorStop(offset: 1, color: .white)])
        let stopsRB = [ColorStop(offset: 0, color: Color(red: 1, green: 0, blue: 0)), ColorStop(offset: 1, color: Color(red: 0, green: 0, blue: 1))]
        #expect(scene.instances[0].shapes[0].paint == .linearGradient(start: Point(-10, 0), end: Point(10, 0), stops: stopsRB))
        guard case let .linearGradient(s2, e2, _) = scene.instances[0].shapes[1].paint else { Issue.record("no gradient"); return }
        #expect(abs(s2.x - 5) < 1e-9 && abs(s2.y) < 1e-9 && abs(e2.x + 5) < 1e-9 && abs(e2.y) < 1e-9)
    }

    @Test(arguments: [
        ("1 + 2 * 3", 7.0), ("(1 + 2) * 3", 9), ("7 / 2", 3.5), ("7 % 4", 3), ("-2 + 5", 3), ("10 - 4 - 3", 3),
        ("max(1, 2.5, 2)", 2.5), ("min(4, 2)", 2), ("clamp(15, 0, 10)", 10), ("lerp(2, 4, 0.25)", 2.5), ("abs(-3)", 3),
        ("floor(2.7)", 2), ("ceil(2.1)", 3), ("round(2.5)", 3), ("sqrt(16)", 4), ("degrees(pi)", 180), ("width / 8", 64),
    ])
    func arithmetic(expression: String, radius: Double) throws {
        let result = try shapes("classes a\nobject a { circle(\(expression)) }")
        #expect(result[0].geometry == .circle(radius: radius))
    }

    @Test func controlFlowAndScopes() throws {
        let result = try shapes("""
            classes a
            let r = 1
            repeat 3 as i {
              let r = r + i          # shadows the outer r
              if i == 1 and not false { r = r * 10 } else if i == 2 or (i != 0 and 1 / 0 > 0) { r = r + 100 }
              object a { circle(r) }
            }
            r = 5
            object a { circle(r) }
            repeat 0 { object a {} }
            repeat 2.0 { object a { regular_polygon(6, 1); polygon([(0, 0), (1, 0), (0, 1)]) } }
            """)
        #expect(result.map(\.geometry) == [
            .circle(radius: 1), .circle(radius: 20), .circle(radius: 103), .circle(radius: 5),
            .regularPolygon(sides: 6, radius: 1), .polygon([Point(0, 0), Point(1, 0), Point(0, 1)]),
            .regularPolygon(sides: 6, radius: 1), .polygon([Point(0, 0), Point(1, 0), Point(0, 1)]),
        ])
    }

    @Test func colours() throws {
        let result = try shapes("""
            classes a
            object a { circle(1, fill: rgb(255, 0, 51)); circle(1, fill: rgba(0, 255, 0, 0.5)); circle(1, fill: hsv(-240, 1, 1)); circle(1, fill: gray(0.5)) }
            """)
        #expect(result.map(\.paint) == [
            .solid(Color(red: 1, green: 0, blue: 0.2)), .solid(Color(red: 0, green: 1, blue: 0, alpha: 0.5)),
            .solid(Color(red: 0, green: 1, blue: 0)), .solid(Color(red: 0.5, green: 0.5, blue: 0.5)),
        ])
    }

    @Test func classFromExpression() throws {
        let text = """
            classes a, b, c
            repeat 20 { object (choice("a", "b", "c")) {} }
            """
        let scene = try compile(text).sample(seed: 1, index: 2)
        let probe = try StreamProbe(text, seed: 1, index: 2)
        #expect(scene.instances.map(\.categoryID) == (0..<20).map { i in
            var rng = probe.generator("choice(\"a\", \"b\", \"c\")", context: probe.context("repeat", i))
            return Distributions.choiceIndex(3, using: &rng) + 1
        })
        #expect(scene.instances.map(\.id) == Array(1...20))
    }
}

struct DrawOrderTests {
    /// Every drawing call takes its values from its own stream, keyed by where it is written.
    @Test func eachDrawingCallHasItsOwnStream() throws {
        let text = """
            classes a
            object a rotate uniform(0, 1) at (uniform(0, 1), normal(0, 1)) {
              circle(choice(uniform(0, 1), uniform(2, 3)), fill: gray(uniform(0, 1))) scale uniform(1, 2)
            }
            """
        let result = try shapes(text, seed: 9, index: 4)
        let probe = try StreamProbe(text, seed: 9, index: 4)
        func draw<T>(_ call: String, _ occurrence: Int = 0, _ f: (inout SceneRandomGenerator) -> T) -> T {
            var rng = probe.generator(call, occurrence: occurrence)
            return f(&rng)
        }
        let angle = draw("uniform(0, 1)", 0) { Distributions.uniform(0, 1, using: &$0) }
        let x = draw("uniform(0, 1)", 1) { Distributions.uniform(0, 1, using: &$0) }
        let y = draw("normal(0, 1)") { Distributions.normal(0, 1, using: &$0) }
        let options = [draw("uniform(0, 1)", 2) { Distributions.uniform(0, 1, using: &$0) },
                       draw("uniform(2, 3)") { Distributions.uniform(2, 3, using: &$0) }]
        let radius = options[draw("choice(uniform(0, 1), uniform(2, 3))") { Distributions.choiceIndex(2, using: &$0) }]
        let g = draw("uniform(0, 1)", 3) { Distributions.uniform(0, 1, using: &$0) }
        let s = draw("uniform(1, 2)") { Distributions.uniform(1, 2, using: &$0) }
        #expect(result[0].geometry == .circle(radius: radius))
        #expect(result[0].paint == .solid(Color(red: g, green: g, blue: g)))
        let expected = AffineTransform.translation(x, y).concatenating(.rotation(degrees: angle)).concatenating(.scale(s, s))
        #expect(isClose(result[0].transform, expected))
    }

    @Test func templateDefaultsDrawFreshAtEachCall() throws {
        let text = """
            classes a
            template t(r = uniform(1, 2)) { circle(r) }
            object a { t(); t(); t(5) }
            """
        let result = try shapes(text, seed: 2, index: 0)
        let probe = try StreamProbe(text, seed: 2, index: 0)
        // A default draws in the context of its call.
        var rng = probe.generator("uniform(1, 2)", context: probe.context("t()", 0, occurrence: 0, statement: false))
        let first = Distributions.uniform(1, 2, using: &rng)
        rng = probe.generator("uniform(1, 2)", context: probe.context("t()", 0, occurrence: 1, statement: false))
        let second = Distributions.uniform(1, 2, using: &rng)
        #expect(first != second)
        #expect(result.map(\.geometry) == [.circle(radius: first), .circle(radius: second), .circle(radius: 5)])
    }
}

struct DeterminismTests {
    static func shapesLike() throws -> SceneProgram {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let resolver = FileImportResolver(searchPaths: [repository.appendingPathComponent("templates").path])
        return try SceneProgram.compile(try Fixtures.load("shapes_like.scene"), resolver: resolver)
    }

    @Test func shapesLikeSceneCompilesAndSamples() throws {
        let program = try Self.shapesLike()
        #expect(program.name == "shapes_like")
        #expect(program.sources.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["shapes_like.scene", "shapes.scene"])
        #expect(program.categories == [
            Category(id: 1, name: "circle", supercategory: "shape"), Category(id: 2, name: "square", supercategory: "shape"),
            Category(id: 3, name: "triangle", supercategory: "shape"),
        ])
        for index in 0..<50 {
            let scene = try program.sample(seed: 7, index: index)
            #expect((4...12).contains(scene.instances.count))
            #expect(scene.instances.map(\.id) == Array(1...scene.instances.count))
            guard case let .linearGradient(_, _, stops) = scene.background else { Issue.record("background"); continue }
            #expect(stops.count == 2)
            for instance in scene.instances {
                #expect(instance.shapes.count == 1)
                switch (instance.categoryID, instance.shapes[0].geometry) {
                case let (1, .circle(r)): #expect(r >= 12 && r <= 55)
                case let (2, .rectangle(w, h)): #expect(w == h && w >= 24 && w <= 110)
                case let (3, .regularPolygon(sides, _)): #expect(sides == 3)
                default: Issue.record("unexpected \(instance)")
                }
                let t = instance.shapes[0].transform
                #expect(t.tx >= 0 && t.tx < 512 && t.ty >= 0 && t.ty < 512)
            }
        }
    }

    @Test func samePairSameSceneOtherIndexOtherScene() throws {
        let program = try Self.shapesLike()
        #expect(try program.sample(seed: 1, index: 5) == program.sample(seed: 1, index: 5))
        #expect(try program.sample(seed: 1, index: 5) != program.sample(seed: 1, index: 6))
        #expect(try program.sample(seed: 1, index: 5) != program.sample(seed: 2, index: 5))
    }

    @Test func concurrentSamplingMatchesSerial() async throws {
        let program = try Self.shapesLike()
        let serial = try (0..<64).map { try program.sample(seed: 11, index: $0) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, Scene).self) { group in
            for index in 0..<64 {
                group.addTask { (index, try program.sample(seed: 11, index: index)) }
            }
            var scenes = [Scene?](repeating: nil, count: 64)
            for try await (index, scene) in group { scenes[index] = scene }
            return scenes
        }
        #expect(concurrent == serial)
    }
}

struct ImportResolverTests {
    @Test func fileResolverLooksBesideTheImporterThenInSearchPaths() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for folder in ["scenes", "templates"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "template local() { circle(1) }".write(to: root.appendingPathComponent("scenes/near.scene"), atomically: true, encoding: .utf8)
        try "template far() { circle(2) }".write(to: root.appendingPathComponent("templates/near.scene"), atomically: true, encoding: .utf8)
        try "template far() { circle(2) }".write(to: root.appendingPathComponent("templates/far.scene"), atomically: true, encoding: .utf8)
        let resolver = FileImportResolver(searchPaths: [root.appendingPathComponent("templates").path])
        let importer = SourceFile(path: root.appendingPathComponent("scenes/main.scene").path, text: "")
        #expect(try resolver.resolve("near", from: importer)?.text.contains("local") == true)
        #expect(try resolver.resolve("far.scene", from: importer)?.text.contains("far") == true)
        #expect(try resolver.resolve("missing", from: importer) == nil)
    }

    @Test func inMemoryResolverAndDiamondImports() throws {
        let files = [
            SourceFile(path: "templates/base.scene", text: "classes a\ntemplate dot() { circle(1) }"),
            SourceFile(path: "templates/left.scene", text: "import \"base\"\ntemplate l() { dot() }"),
            SourceFile(path: "templates/right.scene", text: "import \"base\"\ntemplate r() { dot() }"),
        ]
        let main = SourceFile(path: "scenes/main.scene", text: "import \"left\"\nimport \"right\"\nobject a { l(); r() }")
        let program = try SceneProgram.compile(main, resolver: InMemoryImportResolver(files: files, searchPaths: ["templates"]))
        #expect(program.sources.map(\.path) == ["scenes/main.scene", "templates/left.scene", "templates/base.scene", "templates/right.scene"])
        #expect(program.categories.count == 1)
        #expect(try program.sample(seed: 0, index: 0).instances[0].shapes.count == 2)
    }
}

struct DiagnosticRenderingTests {
    @Test func allErrorsOfAFileAreReported() throws {
        do {
            _ = try compile("let a = nope(1)\nlet b = also_nope(2)\nobject x {}")
            Issue.record("expected errors")
        } catch let error as ScriptError {
            #expect(error.diagnostics.count == 3)
            #expect(error.diagnostics.allSatisfy { $0.severity == .error })
        }
    }
}

struct LexicalTests {
    @Test func hashIsAColourOnlyBeforeSixOrEightHexDigits() throws {
        let result = try shapes("""
            classes a # ff8800 is a comment, and so is #ff8800x
            object a { circle(.5, fill: #FF8800); circle(1e1, fill: #00000000) }   # note
            """)
        #expect(result.map(\.paint) == [.solid(Color(red: 1, green: 136.0 / 255, blue: 0)), .solid(Color(red: 0, green: 0, blue: 0, alpha: 0))])
        #expect(result.map(\.geometry) == [.circle(radius: 0.5), .circle(radius: 10)])
    }

    @Test func newlinesInsideBracketsDoNotEndStatements() throws {
        let result = try shapes("""
            classes a
            object a {
              polygon([
                (0, 0),
                (4, 0),
                (0, 3),
              ], fill: rgb(
                0, 0, 255))
            }
            """)
        #expect(result.map(\.geometry) == [.polygon([Point(0, 0), Point(4, 0), Point(0, 3)])])
    }
}

struct LimitTests {
    @Test func stepLimitStopsEvenEmptyLoops() throws {
        let program = try compile("repeat 100000 {\n  repeat 100000 { }\n}")
        do {
            _ = try program.sample(seed: 0, index: 0)
            Issue.record("expected the step limit")
        } catch let error as ScriptError {
            #expect(error.rendered().hasPrefix("test.scene:2:10: error: this image needs more than 10000000 evaluation steps"))
        }
    }

    /// Each effect is a pass over the whole picture: `repeat 100000 { effect blur(50) }`
    /// stalled render (and check) for minutes. At most 32 per image, a located error.
    @Test func effectLimit() throws {
        let allowed = try compile("classes a\nrepeat 32 { effect brightness(1.01) }").sample(seed: 0, index: 0)
        #expect(allowed.effects.count == 32)
        let program = try compile("classes a\nrepeat 100000 {\n  effect blur(50)\n}")
        do {
            _ = try program.sample(seed: 0, index: 0)
            Issue.record("expected the effect limit")
        } catch let error as ScriptError {
            #expect(error.rendered().hasPrefix("test.scene:3:10: error: an image may have at most 32 effects; this is effect 33"))
        }
    }

    /// Fuzzing found `repeat 32767` around a sign with a text in one object: 100 000 shapes,
    /// 11 s to draw; and one list of points reused by a loop of polygons costs a step per
    /// polygon but every point to draw. Both are within the shapes and steps limits; the path
    /// segments of an image are bounded (1 000 000, a character of text counting 16), a
    /// located error at the shape with a note at its object.
    @Test(arguments: [
        ("classes a\nobject a {\n  repeat 32767 { text(\"STOP\", size: 10) }\n}", "test.scene:3:18: error: this image's shapes have more than 1000000 path segments (62500 characters of text)"),
        ("classes a\nlet pts = [(0, 0), (9, 0), (9, 9), (0, 9)]\nrepeat 11 { pts = pts + pts }\nobject a {\n  repeat 200 { polygon(pts) }\n}",
         "test.scene:5:16: error: this image's shapes have more than 1000000 path segments"),
        ("classes a\nobject a {\n  repeat 2 { repeat 50001 { rectangle(1, 1) } }\n}", "test.scene:3:29: error: this object has more than 100000 shapes"),
    ])
    func pathSegmentLimit(_ text: String, _ expected: String) throws {
        #expect { try compile(text).sample(seed: 0, index: 0) } throws: { error in
            let rendered = (error as? ScriptError)?.rendered() ?? ""
            return rendered.hasPrefix(expected) && rendered.contains("note: in this object")
        }
        // Just under the limit, over two objects: 61 polygons of 8192 points, 1953 texts of 16 characters.
        let allowed = try compile("classes a\nlet pts = [(0, 0), (9, 0), (9, 9), (0, 9)]\nrepeat 11 { pts = pts + pts }\nobject a {\n  repeat 61 { polygon(pts) }\n}\nobject a { repeat 1953 { text(\"ABCDEFGHIJKLMNOP\", size: 5) } }")
        #expect(try allowed.sample(seed: 0, index: 0).instances.map(\.shapes.count) == [61, 1953])
    }

    /// Work per instance is bounded by its window (its box on the canvas extended by the amodal
    /// margin), so an image's work by the sum of its instances' windows: 2³⁰ pixels. Counted,
    /// not timed: on a 64 × 64 canvas a circle of radius 5000 has an 8256 × 8256 window, and
    /// 15 of them fit; the 16th is an error at its `object` statement. On a 16384² canvas the
    /// second canvas-sized square crosses it (65 535 of them would be 3.5 · 10¹³ pixels).
    @Test func windowPixelLimit() throws {
        let fifteen = try compile("canvas 64 x 64\nclasses a\nrepeat 15 { object a { circle(5000) } }").sample(seed: 0, index: 0)
        #expect(fifteen.instances.count == 15)
        let cases = [
            ("canvas 64 x 64\nclasses a\nrepeat 16 {\n  object a { circle(5000) }\n}", "test.scene:4:3: error: this image's instances need more than 1073741824 pixels of drawing windows", "instance 16"),
            ("canvas 16384 x 16384\nclasses a\nrepeat 65535 {\n  object a at (8192, 8192) { rectangle(16384, 16384) }\n}",
             "test.scene:4:3: error: this image's instances need more than 1073741824 pixels of drawing windows", "instance 2"),
            // The camera comes last and zooms every window: seen through it, the 15th crosses.
            ("canvas 512 x 512\nclasses a\nrepeat 15 {\n  object a at (256, 256) { circle(256) }\n}\ncamera zoom: 32", "test.scene:4:3:", "instance 15"),
        ]
        for (text, expected, which) in cases {
            #expect { try compile(text).sample(seed: 0, index: 0) } throws: { error in
                let rendered = (error as? ScriptError)?.rendered() ?? ""
                return rendered.hasPrefix(expected) && rendered.contains(which)
            }
        }
        #expect(try compile("canvas 512 x 512\nclasses a\nrepeat 15 { object a at (256, 256) { circle(256) } }").sample(seed: 0, index: 0).instances.count == 15)
    }

    @Test func instanceLimit() throws {
        let program = try compile("classes a\nrepeat 70000 { object a {} }")
        #expect(throws: ScriptError.self) { try program.sample(seed: 0, index: 0) }
    }
}
