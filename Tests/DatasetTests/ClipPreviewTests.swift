import Dataset
@testable import DatasetTools
import Foundation
import DatasetReading
import Rendering
import SceneModel
import SceneScript
import Testing

/// `tessera preview --clip` and `--animate` on clips where square `a` (track 1) moves right
/// 10 pixels a frame and disc `b` (track 2) stands still.
@Suite struct ClipPreviewTests {
    private let scene = """
    canvas 96 x 64
    classes a, b
    clip frames: 4, fps: 4
    background #000000
    object a at (10 + 40 * time, 20) { rectangle(10, 10, fill: #ff0000) }
    object b at (80, 50) { circle(5, fill: #00ff00) }
    """

    private func dataset(clips: Int = 2) throws -> URL {
        let folder = try temporaryFolder()
        let program = try compile(scene)
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: clips, seed: 0, output: folder, jobs: 1, clip: program.clip)).run()
        return folder
    }

    private func pixel(_ image: PNG.Image, _ x: Int, _ y: Int) -> [Int] {
        (0..<3).map { Int(image.samples[3 * (y * image.width + x) + $0]) }
    }

    private func color(track: Int) -> [Int] {
        let c = ContactSheet.palette[track - 1]
        return [c.red, c.green, c.blue].map { Int(($0 * 255).rounded()) }
    }

    /// Frame `k` of an APNG as a still PNG: its IHDR, its IDAT or fdAT data, IEND.
    private func still(_ chunks: [AnimatedPNG.Chunk], frame k: Int) throws -> PNG.Image {
        var frames: [[UInt8]] = []
        for chunk in chunks {
            if chunk.type == "fcTL" { frames.append([]) }
            if chunk.type == "IDAT" { frames[frames.count - 1] += chunk.data }
            if chunk.type == "fdAT" { frames[frames.count - 1] += chunk.data.dropFirst(4) }
        }
        var png = AnimatedPNG.signature
        for (type, data) in [("IHDR", chunks[0].data), ("IDAT", frames[k]), ("IEND", [])] {
            let body = Array(type.utf8) + data
            png += withUnsafeBytes(of: UInt32(data.count).bigEndian, Array.init) + body
            png += withUnsafeBytes(of: AnimatedPNG.crc32(body).bigEndian, Array.init)
        }
        return try PNG.decode(Data(png))
    }

    @Test func sheetShowsTheClipsFramesColouredByTrack() throws {
        let folder = try dataset()
        let out = folder.appendingPathComponent("strip.png")
        let drawn = try DatasetPreview.writeClipSheet(folder, clip: .init(clip: 1), to: out, options: .init(count: 12, columns: 4, tileSize: 96))
        #expect(drawn == 4)
        let sheet = try PNG.decode(Data(contentsOf: out))
        #expect((sheet.width, sheet.height) == (4 * 96 + 5 * 8, 96 + 18 + 16))
        // Tile k at x = 8 + 104 k; the 96 × 64 frame sits 16 pixels down: image (x, y) is sheet (8 + 104 k + x, 24 + y).
        for k in 0..<4 {
            // a's box starts at column 5 + 10 k: its outline's inner column has track 1's colour;
            // b's box starts at column 75 and keeps track 2's colour.
            #expect(pixel(sheet, 8 + 104 * k + 5 + 10 * k, 24 + 20) == color(track: 1), "frame \(k)")
            #expect(pixel(sheet, 8 + 104 * k + 75, 24 + 50) == color(track: 2), "frame \(k)")
        }

        // --step 2 shows frames 0 and 2; the default step fits --count 2 over the 4 frames the same way.
        let stepped = folder.appendingPathComponent("stepped.png"), fitted = folder.appendingPathComponent("fitted.png")
        #expect(try DatasetPreview.writeClipSheet(folder, clip: .init(clip: 1, step: 2), to: stepped, options: .init(tileSize: 96)) == 2)
        #expect(try DatasetPreview.writeClipSheet(folder, clip: .init(clip: 1), to: fitted, options: .init(count: 2, tileSize: 96)) == 2)
        let second = try PNG.decode(Data(contentsOf: stepped))
        #expect(pixel(second, 8 + 104 + 5 + 20, 24 + 20) == color(track: 1), "tile 1 is frame 2")
        #expect(try Data(contentsOf: stepped) == Data(contentsOf: fitted))
    }

    @Test func animationHasEveryFrameWithItsLabels() throws {
        let folder = try dataset()
        let out = folder.appendingPathComponent("clip.png")
        #expect(try DatasetPreview.writeAnimation(folder, clip: .init(clip: 0), to: out, tileSize: 96) == 4)
        let bytes = [UInt8](try Data(contentsOf: out))
        let chunks = try AnimatedPNG.chunks(of: bytes)
        #expect(chunks.map(\.type) == ["IHDR", "acTL", "fcTL", "IDAT", "fcTL", "fdAT", "fcTL", "fdAT", "fcTL", "fdAT", "IEND"])
        #expect(Array(chunks[1].data) == [0, 0, 0, 4, 0, 0, 0, 0], "4 frames, looping")
        #expect(Array(chunks[2].data[20..<24]) == [0, 1, 0, 4], "1/4 s a frame at 4 fps")
        for k in 0..<4 {
            let image = try still(chunks, frame: k)
            #expect((image.width, image.height) == (96 + 16, 96 + 18 + 16))
            #expect(pixel(image, 8 + 5 + 10 * k, 24 + 20) == color(track: 1), "frame \(k): a's box moved 10 px a frame")
            #expect(pixel(image, 8 + 75, 24 + 50) == color(track: 2))
        }
        // The same dataset gives the same bytes.
        let again = folder.appendingPathComponent("again.png")
        try DatasetPreview.writeAnimation(folder, clip: .init(clip: 0), to: again, tileSize: 96)
        #expect(try Data(contentsOf: again) == Data(bytes))
    }

    @Test func mistakesAreNamed() throws {
        let folder = try dataset(clips: 1)
        let missingClip = #expect(throws: DatasetError.self) {
            try DatasetPreview.writeClipSheet(folder, clip: .init(clip: 3), to: folder.appendingPathComponent("x.png"))
        }
        #expect(missingClip?.exitCode == 64 && missingClip?.description.contains("no frame of clip 3") == true)

        // A clip missing a frame cannot be animated, and nothing is left behind.
        let annotations = folder.appendingPathComponent("annotations/instances_default.json")
        let lines = try String(contentsOf: annotations, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        // Frame 2 of clip 0 is image 3: drop it and its annotations.
        try lines.filter { !$0.contains("\"file_name\":\"000000/000002.png\"") && !$0.contains("\"image_id\":3,") }
            .joined(separator: "\n").write(to: annotations, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("clip.png")
        let torn = #expect(throws: DatasetError.self) { try DatasetPreview.writeAnimation(folder, clip: .init(clip: 0), to: out) }
        #expect(torn?.exitCode == 65 && torn?.description.contains("frame 2 missing") == true, "\(String(describing: torn))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") || $0.contains("partial") }.isEmpty)

        // A dataset of stills has no clip.
        let stills = try temporaryFolder("stills")
        _ = try DatasetRenderer(program: try compile("canvas 16 x 16\nclasses a\nobject a at (8, 8) { circle(3) }"),
                                options: RenderOptions(count: 1, seed: 0, output: stills, jobs: 1)).run()
        let cli = try runTessera(["preview", stills.path, "--clip", "0"])
        #expect(cli.status == 64 && cli.stderr.contains("--clip previews a dataset of clips") && cli.stderr.contains("declares no clip"), "\(cli.stderr)")
        // --animate alone names --animate, not --clip.
        let animated = try runTessera(["preview", stills.path, "--animate", stills.appendingPathComponent("a.png").path])
        #expect(animated.status == 64 && animated.stderr.contains("--animate previews a dataset of clips")
                && !animated.stderr.contains("--clip"), "\(animated.stderr)")
        for (arguments, flag) in [(["--step", "2"], "--step"), (["--clip", "-1"], "--clip"), (["--animate", "a.webp"], "--animate")] {
            let result = try runTessera(["preview", folder.path] + arguments)
            #expect(result.status == 64 && result.stderr.contains(flag), "\(arguments): \(result.stderr)")
        }
        // The animation and the sheet cannot share a file, and neither may replace one of the
        // dataset's files: the message names the option that asked for it.
        let same = folder.appendingPathComponent("same.png").path
        let clash = try runTessera(["preview", folder.path, "--animate", same, "--out", folder.path + "/./same.png"])
        #expect(clash.status == 64 && clash.stderr.contains("--animate and --out name the same file"), "\(clash.stderr)")
        #expect(!FileManager.default.fileExists(atPath: same))
        let intoImages = try runTessera(["preview", folder.path, "--animate", folder.appendingPathComponent("images/x.gif").path])
        #expect(intoImages.status == 64 && intoImages.stderr.contains("--animate '") && intoImages.stderr.contains("is a file of the dataset"),
                "\(intoImages.stderr)")
        let classes = #expect(throws: DatasetError.self) {
            try DatasetPreview.write(folder, to: folder.appendingPathComponent("classes.json"))
        }
        #expect(classes?.exitCode == 64 && classes?.description.contains("is a file of the dataset") == true, "\(String(describing: classes))")
    }

    /// A manifest edited to promise an impossible clip is a located fault, never a trap or a
    /// frame table sized by it; nothing is left behind.
    @Test func impossibleClipSettingsInTheManifestAreNamed() throws {
        let folder = try dataset(clips: 1)
        let manifest = folder.appendingPathComponent("manifest.json")
        let original = try String(contentsOf: manifest, encoding: .utf8)
        let clip = try #require(original.firstMatch(of: /"clip":\{"frames":\d+,"fps":[0-9.e+-]+\}/)).output
        for (edited, key) in [(#""clip":{"frames":4,"fps":0}"#, ".clip.fps"), (#""clip":{"frames":4,"fps":-12}"#, ".clip.fps"),
                              (#""clip":{"frames":-5,"fps":10}"#, ".clip.frames"), (#""clip":{"frames":0,"fps":10}"#, ".clip.frames"),
                              (#""clip":{"frames":9223372036854775807,"fps":10}"#, ".clip.frames")] {
            try original.replacingOccurrences(of: String(clip), with: edited).write(to: manifest, atomically: true, encoding: .utf8)
            for arguments in [["--animate", folder.appendingPathComponent("a.png").path], ["--animate", folder.appendingPathComponent("a.gif").path],
                              ["--clip", "0", "--out", folder.appendingPathComponent("s.png").path]] {
                let result = try runTessera(["preview", folder.path] + arguments)
                #expect(result.status == 65 && result.stderr.contains("manifest.json") && result.stderr.contains(key), "\(edited) \(arguments): \(result.stderr)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("a.") || $0.hasPrefix("s.") || $0.contains("partial") }.isEmpty)
        }
        #expect(DatasetManifest.Clip.frameLimit == ClipSettings.frameLimit && DatasetManifest.Clip.rateLimit == ClipSettings.rateLimit)
    }

    @Test func cliWritesTheAnimationAndTheSheetOnlyWhenAsked() throws {
        let folder = try dataset()
        let animation = folder.appendingPathComponent("anim.apng")
        let only = try runTessera(["preview", folder.path, "--clip", "1", "--animate", animation.path])
        #expect(only.status == 0, "\(only.stderr)")
        #expect(only.stdout.contains("clip 1, 4 frames"))
        #expect(FileManager.default.fileExists(atPath: animation.path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("preview.png").path))
        let both = try runTessera(["preview", folder.path, "--clip", "1", "--animate", animation.path, "--out", folder.appendingPathComponent("strip.png").path])
        #expect(both.status == 0 && FileManager.default.fileExists(atPath: folder.appendingPathComponent("strip.png").path), "\(both.stderr)")
        #expect(try DatasetValidator.validate(folder).isValid, "previews beside the dataset are the user's files")
        // --no-labels applies to the animation's frames too.
        let bare = folder.appendingPathComponent("bare.apng")
        let unlabeled = try runTessera(["preview", folder.path, "--clip", "1", "--animate", bare.path, "--no-labels"])
        #expect(unlabeled.status == 0, "\(unlabeled.stderr)")
        #expect(try Data(contentsOf: bare) != Data(contentsOf: animation))
        let labeledAgain = folder.appendingPathComponent("again.apng")
        #expect(try runTessera(["preview", folder.path, "--clip", "1", "--animate", labeledAgain.path]).status == 0)
        #expect(try Data(contentsOf: labeledAgain) == Data(contentsOf: animation))
    }
}
