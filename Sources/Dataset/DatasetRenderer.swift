import Annotation
import Foundation
import Rendering
import SceneModel
public import SceneScript

/// Renders a dataset: samples, draws, labels and writes images `0 ..< count` of a scene
/// program into the output folder.
///
/// Images are made on `jobs` threads over a bounded window; their COCO records are
/// appended in image order, so the output is byte-identical for every thread count. Each
/// file is written atomically (`AtomicFile`), `annotations.json` and `manifest.json` last.
public struct DatasetRenderer: Sendable {
    public let program: SceneProgram
    public let options: RenderOptions
    public let layout: OutputLayout

    public init(program: SceneProgram, options: RenderOptions) {
        self.program = program
        self.options = options
        self.layout = OutputLayout(root: options.output, imageCount: options.count)
    }

    /// Runs the whole job.
    /// - Parameter progress: called on the calling thread with the number of images done.
    /// - Throws: `DatasetError` (usage, script error with position, seed and index, I/O
    ///   naming the path). Files already written stay; no file is ever half-written.
    public func run(progress: (Int) -> Void = { _ in }) throws -> RenderSummary {
        try options.validate()
        let start = Date()
        try layout.prepare(overwrite: options.overwrite)
        let coco = try AnnotationFile(url: layout.url(OutputLayout.annotationsFile), info: cocoInfo())
        var manifest = Manifest(program: program, options: options)
        let window = max(1, options.jobs) * 8
        var done = 0
        for chunkStart in stride(from: 0, to: options.count, by: window) {
            let chunk = chunkStart..<min(options.count, chunkStart + window)
            let results = ParallelMap.run(chunk, jobs: options.jobs) { index in
                try self.makeImage(index)
            }
            for result in results {
                let record = try result.get()
                try coco.append(image: record.image, annotations: record.annotations)
                manifest.files.append(contentsOf: record.files)
                done += 1
            }
            progress(done)
        }
        let categories = program.categories.map { COCOCategory(id: $0.id, name: $0.name, supercategory: $0.supercategory) }
        manifest.files.append(try coco.finish(categories: categories))
        try AtomicFile.write(manifest.json(), to: layout.url(OutputLayout.manifestFile))
        return RenderSummary(images: options.count, annotations: coco.annotationCount,
                             seconds: Date().timeIntervalSince(start))
    }

    private func cocoInfo() -> COCOInfo {
        COCOInfo(description: "Tessera dataset of scene '\(program.name)'", version: Tessera.version,
                 year: Tessera.releaseYear,
                 extra: [JSONMember("tool", .string("tessera")), JSONMember("scene", .string(program.name)),
                         JSONMember("scene_sha256", .string(Manifest.sceneHash(program.sources))),
                         JSONMember("seed", .uint(options.seed))])
    }

    /// Everything one image contributes, made on a worker thread.
    struct ImageRecord: Sendable {
        var image: COCOImage
        var annotations: [COCOAnnotation]
        var files: [FileEntry]
    }

    /// Samples, renders, labels and writes image `index`.
    func makeImage(_ index: Int) throws -> ImageRecord {
        let scene: Scene
        do { scene = try program.sample(seed: options.seed, index: index) } catch let error as ScriptError {
            throw DatasetError.script(error.rendered())
        }
        let rendered: RenderedScene
        let amodal: [AmodalMask]
        do {
            rendered = try SceneRenderer.render(scene)
            amodal = try SceneRenderer.amodalMasks(scene)
        } catch {
            throw DatasetError.render(index: index, reason: "\(error)")
        }
        let labels = ImageLabels(scene: scene, instanceIDs: rendered.instanceIDs, amodal: amodal)
        let imageID = index + 1
        let annotations = labels.annotations(imageID: imageID, filter: options.visibility, segmentation: options.segmentation)

        let encoded: [(String, Data)]
        do {
            encoded = [
                (layout.imagePath(index), try PNG.encode(rendered.image, settings: options.png)),
                (layout.instanceMaskPath(index), try labels.instanceMaskPNG(settings: options.png)),
                (layout.semanticMaskPath(index), try labels.semanticMaskPNG(settings: options.png)),
            ]
        } catch {
            throw DatasetError.render(index: index, reason: "\(error)")
        }
        var files: [FileEntry] = []
        for (path, data) in encoded {
            try AtomicFile.write(data, to: layout.url(path))
            files.append(FileEntry(path: path, data: data))
        }
        let image = COCOImage(id: imageID, fileName: layout.imagePath(index), width: scene.width, height: scene.height)
        return ImageRecord(image: image, annotations: annotations, files: files)
    }
}
