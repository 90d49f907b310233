import Foundation
import ImageFiles
import Testing
import SceneModel
@testable import SceneScript

/// The repository's `scenes/` folder: scripts compiled as if they lived there find `../assets`.
private let scenesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scenes")
private let assets = scenesFolder.deletingLastPathComponent().appendingPathComponent("assets")

/// The rendered diagnostics of compiling `text` as `FOLDER/s.scene` and sampling image 0 ("" when none).
private func diagnostics(_ text: String, at folder: URL) throws -> String {
    do {
        _ = try compile(text, path: folder.appendingPathComponent("s.scene").path).sample(seed: 0, index: 0)
        return ""
    } catch let error as ScriptError {
        return error.rendered()
    }
}

/// Compiles `text` as the script `scenes/NAME`, so relative media paths resolve against `scenes/`.
private func compileInScenes(_ text: String, name: String = "media_test.scene") throws -> SceneProgram {
    try compile(text, path: scenesFolder.appendingPathComponent(name).path)
}

/// Text, sprites and photo backgrounds, from script to ``SceneModel/Scene``.
struct MediaTests {
    @Test func textMakesItsGeometryWithDefaults() throws {
        let result = try shapes("""
            classes sign
            object sign at (50, 40) {
              text("STOP", size: 24, font: "DejaVu Serif", weight: "bold", fill: #ff0000)
              text("slow")
              text("ital" + "ic", slant: "italic", size: 10.5)
            }
            """)
        #expect(result.map(\.geometry) == [
            .text("STOP", font: Font(family: "DejaVu Serif", size: 24, weight: .bold)),
            .text("slow", font: Font(family: "DejaVu Sans", size: 16)),
            .text("italic", font: Font(size: 10.5, slant: .italic)),
        ])
        #expect(result[0].paint == .solid(Color(red: 1, green: 0, blue: 0)))
        #expect(result[0].transform == .translation(50, 40))
    }

    /// Text and sprites take the style options every primitive takes.
    @Test func textAndSpritesTakeTheStyleOptions() throws {
        let result = try compileInScenes("""
            classes sign
            object sign at (50, 40) {
              text("STOP", outline: #000000, outline_width: 2, opacity: 0.5, shaded: false, casts_shadow: false)
              sprite("../assets/sprites/disc.png", width: 20, outline: #ffffff, opacity: 0.75)
            }
            """).sample(seed: 0, index: 0).instances[0].shapes
        #expect(result.map(\.outline) == [Outline(color: .black, width: 2), Outline(color: .white, width: 1)])
        #expect(result.map(\.opacity) == [0.5, 0.75])
        #expect(result.map(\.isShaded) == [false, true] && result.map(\.castsShadow) == [false, true])
    }

    @Test func spriteLoadsItsFileRelativeToTheScriptAndSizesIt() throws {
        let tee = try ImageFile.load(assets.appendingPathComponent("sprites/tee.png"))
        #expect((tee.width, tee.height) == (24, 16))
        #expect(tee.alpha(x: 0, y: 0) == 0 && tee.alpha(x: 10, y: 10) == 255)
        let program = try compileInScenes("""
            classes thing
            object thing at (50, 50) rotate 90 {
              sprite("../assets/sprites/tee.png", width: 48)
              sprite("../assets/sprites/tee.png", height: 8)
              sprite("../assets/sprites/tee.png")
              sprite("../assets/sprites/tee.png", width: 10, height: 30)
            }
            """)
        let result = try program.sample(seed: 0, index: 0).instances.flatMap(\.shapes)
        #expect(result.map(\.geometry) == [
            .sprite(tee, width: 48, height: 32), .sprite(tee, width: 12, height: 8),
            .sprite(tee, width: 24, height: 16), .sprite(tee, width: 10, height: 30),
        ])
        #expect(isClose(result[0].transform, AffineTransform.translation(50, 50).concatenating(.rotation(degrees: 90))))
        // Decoded once per program: every image shares the cached pixels.
        let again = try program.sample(seed: 1, index: 3).instances[0].shapes[0].geometry
        guard case let .sprite(cached, _, _) = again else { Issue.record("not a sprite"); return }
        #expect(cached == tee)
    }

    @Test func spriteFileProblemsPointAtTheArgument() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-media-\(ProcessInfo.processInfo.globallyUniqueString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("broken.png"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]).write(to: folder.appendingPathComponent("truncated.png"))
        for (file, reason) in [("broken.png", "not a PNG or JPEG file"), ("truncated.png", "libpng: "), ("missing.png", "no such file")] {
            // A literal path fails at compile time, a computed one when sampled; same message.
            for (argument, column) in [("\"\(file)\"", 10), ("\"\" + \"\(file)\"", 10)] {
                let text = try diagnostics("classes a\nobject a {\n  sprite(\(argument), width: 5)\n}\n", at: folder)
                #expect(text.contains("s.scene:3:\(column): error: sprite: cannot use '\(file)': \(reason)"), "\(text)")
                #expect(text.contains("while sampling") == argument.contains("+"), "\(text)")
            }
        }
    }

    @Test func photoFromAFolderIsOneDrawOverTheSortedFiles() throws {
        let files = ["gravel.jpg", "meadow.png"].map { try! ImageFile.load(assets.appendingPathComponent("backgrounds/\($0)")) }
        let text = """
            classes a
            background photo("../assets/backgrounds")
            object a at (10, 10) { circle(uniform(1, 2)) }
            """
        let program = try compileInScenes(text)
        var picked = Set<Int>()
        for index in 0..<16 {
            let scene = try program.sample(seed: 9, index: index)
            let probe = try StreamProbe(text, seed: 9, index: index, program: program)
            // One draw on the photo call's stream picks the file.
            var rng = probe.generator("photo(\"../assets/backgrounds\")")
            let choice = Distributions.randint(0, 1, using: &rng)
            picked.insert(choice)
            #expect(scene.backgroundImage == files[choice])
            #expect(scene.background == .solid(.black))
            rng = probe.generator("uniform(1, 2)")
            #expect(scene.instances[0].shapes[0].geometry == .circle(radius: Distributions.uniform(1, 2, using: &rng)))
        }
        #expect(picked == [0, 1])
    }

    @Test func photoOfAFileDrawsNothingAndALaterBackgroundReplacesIt() throws {
        let meadow = try ImageFile.load(assets.appendingPathComponent("backgrounds/meadow.png"))
        let text = """
            classes a
            background photo("../assets/backgrounds/meadow.png")
            object a at (10, 10) { circle(uniform(1, 2)) }
            """
        let program = try compileInScenes(text)
        let scene = try program.sample(seed: 2, index: 5)
        var rng = try StreamProbe(text, seed: 2, index: 5, program: program).generator("uniform(1, 2)")
        #expect(scene.backgroundImage == meadow)
        #expect(scene.instances[0].shapes[0].geometry == .circle(radius: Distributions.uniform(1, 2, using: &rng)))
        // Without the photo the circle is the same: a photo of a file draws nothing, and no
        // other site's draws move this one.
        let plain = try compileInScenes("classes a\nobject a at (10, 10) { circle(uniform(1, 2)) }").sample(seed: 2, index: 5)
        #expect(plain.instances == scene.instances)
        let replaced = try compileInScenes("classes a\nbackground photo(\"../assets/backgrounds/meadow.png\")\nbackground #336699\n")
            .sample(seed: 0, index: 0)
        #expect(replaced.backgroundImage == nil && replaced.background == .solid(Color(red: 0x33 / 255.0, green: 0x66 / 255.0, blue: 0x99 / 255.0)))
    }

    @Test func photoProblemsPointAtTheArgument() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-photo-\(ProcessInfo.processInfo.globallyUniqueString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("empty/notes.txt"))
        try FileManager.default.copyItem(at: assets.appendingPathComponent("backgrounds/meadow.png"), to: folder.appendingPathComponent("meadow.png"))
        for (line, message) in [
            ("background photo(\"empty\")", "s.scene:2:18: error: photo: folder 'empty' holds no PNG or JPEG file (.png, .jpg, .jpeg)"),
            ("background photo(\"gone\")", "s.scene:2:18: error: photo: cannot use 'gone': no such file"),
            ("background photo(3)", "s.scene:2:18: error: photo: path must be a String"),
            // A photograph is only a background.
            ("object a { circle(5, fill: photo(\"meadow.png\")) }", "s.scene:2:28: error: circle: fill must be a Color, a gradient or a texture, got Photo photo(\"meadow.png\")"),
        ] {
            let text = try diagnostics("classes a\n\(line)\n", at: folder)
            #expect(text.contains(message), "\(text)")
        }
    }
}
