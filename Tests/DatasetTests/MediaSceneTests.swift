import Dataset
import Foundation
import Rendering
import SceneModel
import Testing

/// scenes/media.scene (sprites, text, a photo background) end to end.
@Suite struct MediaSceneTests {
    @Test func photoBackgroundLeavesEveryMaskUnchanged() throws {
        let program = try SceneLoader.compile(path: packageRoot.appendingPathComponent("scenes/media.scene").path)
        for index in 0..<4 {
            let scene = try program.sample(seed: 4, index: index)
            #expect(scene.backgroundImage != nil)
            var plain = scene
            plain.backgroundImage = nil
            #expect(try SceneRenderer.render(scene).instanceIDs == SceneRenderer.render(plain).instanceIDs)
            #expect(try SceneRenderer.amodalMasks(scene) == SceneRenderer.amodalMasks(plain))
        }
    }

    @Test func renderedDatasetValidatesWithEveryClassAnnotated() throws {
        let out = try temporaryFolder()
        let result = try runTessera(["render", "scenes/media.scene", "--count", "4", "--seed", "1", "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let validation = try runTessera(["validate", out.path])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        let coco = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("annotations/instances_default.json"))) as! [String: Any]
        let categories = Set((coco["annotations"] as! [[String: Any]]).map { $0["category_id"] as! Int })
        #expect(categories == [1, 2, 3, 4])
    }
}

/// Sprite and photo files are part of a run's identity: the manifest lists them with their
/// hashes, and shards or a resumed run made with other media files are refused.
@Suite struct MediaIdentityTests {
    /// A scene folder with `sprite.png` and a `backgrounds/` folder of one photo.
    private func sceneFolder() throws -> URL {
        let folder = try temporaryFolder("media-identity")
        let assets = packageRoot.appendingPathComponent("assets")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("backgrounds"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: assets.appendingPathComponent("sprites/tee.png"), to: folder.appendingPathComponent("sprite.png"))
        try FileManager.default.copyItem(at: assets.appendingPathComponent("backgrounds/meadow.png"),
                                         to: folder.appendingPathComponent("backgrounds/meadow.png"))
        try """
        canvas 64 x 48
        classes tee
        background photo("backgrounds")
        object tee at (uniform(16, 48), uniform(12, 36)) { sprite("sprite.png", width: 24) }
        """.write(to: folder.appendingPathComponent("scene.scene"), atomically: true, encoding: .utf8)
        return folder
    }

    private func render(_ folder: URL, into out: URL, shard: Shard) throws {
        let program = try SceneLoader.compile(path: folder.appendingPathComponent("scene.scene").path)
        _ = try DatasetRenderer(program: program, options: RenderOptions(count: 4, seed: 3, output: out, jobs: 1, shard: shard)).run()
    }

    @Test func theManifestListsEveryMediaFileWithItsHash() throws {
        let folder = try sceneFolder()
        let out = folder.appendingPathComponent("out")
        try render(folder, into: out, shard: Shard(index: 0, count: 1))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as! [String: Any]
        let media = (manifest["scene"] as! [String: Any])["media"] as! [[String: Any]]
        #expect(media.map { $0["path"] as! String } == ["backgrounds/meadow.png", "sprite.png"])
        let sprite = try Data(contentsOf: folder.appendingPathComponent("sprite.png"))
        #expect(media[1]["sha256"] as? String == sha256Hex(sprite) && media[1]["bytes"] as? Int == sprite.count)
    }

    @Test func shardsMadeWithADifferentSpriteAreNotMerged() throws {
        let folder = try sceneFolder()
        let (a, b) = (folder.appendingPathComponent("a"), folder.appendingPathComponent("b"))
        try render(folder, into: a, shard: Shard(index: 0, count: 2))
        // The sprite changes between the two shards.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("sprite.png"))
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("assets/sprites/disc.png"),
                                         to: folder.appendingPathComponent("sprite.png"))
        try render(folder, into: b, shard: Shard(index: 1, count: 2))
        do {
            _ = try DatasetMerger.merge(shards: [a, b], into: folder.appendingPathComponent("merged"), overwrite: false)
            Issue.record("shards with different sprites were merged")
        } catch let error as DatasetError {
            #expect(error.description.contains("media file 'sprite.png' sha256"), "\(error)")
        }
    }
}

@Suite struct ImportIdentityTests {
    @Test func aFileImportedThroughASymbolicLinkIsImportedOnce() throws {
        let folder = try temporaryFolder("symlink-import")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("templates"), withIntermediateDirectories: true)
        try "classes thing\ntemplate blob(r) { circle(r) }\n"
            .write(to: folder.appendingPathComponent("templates/lib.scene"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.scene").path,
                                                   withDestinationPath: "templates/lib.scene")
        try "import \"templates/lib\"\nimport \"link\"\nobject thing at (10, 10) { blob(5) }\n"
            .write(to: folder.appendingPathComponent("main.scene"), atomically: true, encoding: .utf8)
        let program = try SceneLoader.compile(path: folder.appendingPathComponent("main.scene").path)
        #expect(program.sources.count == 2)
        #expect(program.categories.map(\.name) == ["thing"])
    }
}

extension MediaIdentityTests {
    @Test func theSameWrittenPathInTwoFoldersIsTwoFiles() throws {
        let folder = try temporaryFolder("media-two-folders")
        let fm = FileManager.default
        let assets = packageRoot.appendingPathComponent("assets/sprites")
        for sub in ["scene", "tpl"] { try fm.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true) }
        try fm.copyItem(at: assets.appendingPathComponent("tee.png"), to: folder.appendingPathComponent("scene/s.png"))
        try fm.copyItem(at: assets.appendingPathComponent("disc.png"), to: folder.appendingPathComponent("tpl/s.png"))
        try "template mark() { sprite(\"s.png\", width: 10) }\n".write(to: folder.appendingPathComponent("tpl/mark.scene"), atomically: true, encoding: .utf8)
        try "canvas 64 x 48\nclasses a, b\nimport \"../tpl/mark\"\nobject a at (16, 24) { sprite(\"s.png\", width: 10) }\nobject b at (48, 24) { mark() }\n"
            .write(to: folder.appendingPathComponent("scene/main.scene"), atomically: true, encoding: .utf8)
        let program = try SceneLoader.compile(path: folder.appendingPathComponent("scene/main.scene").path)
        #expect(program.mediaFiles.map(\.path) == ["../tpl/s.png", "s.png"])
    }
}
