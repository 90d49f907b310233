public import SceneScript
import Annotation
import DatasetReading
import Foundation

/// `tessera render SCENE … --out -`: the run's images as one WebDataset tar stream
/// (``WebDatasetSample``, docs/FORMATS.md "WebDataset") written to a sink — standard output
/// — instead of a dataset folder. Nothing is written to disk: no record log, no manifest,
/// no resume. Samples come in index order and are byte-identical to the samples
/// `tessera export --format webdataset` makes of the same run's dataset, so a training loop
/// that reads Tessera live (`webdataset`'s `pipe:` URLs, one `--shard K/N` per worker) sees
/// exactly what a stored dataset would hold.
///
/// Images are made on `jobs` threads, at most 8 × jobs ahead of the sink, so memory is flat
/// whatever `--count` is: an endless stream is a large `--count`.
public struct DatasetStream: Sendable {
    private let renderer: DatasetRenderer

    public init(program: SceneProgram, options: RenderOptions) { renderer = DatasetRenderer(program: program, options: options) }

    /// What a stream wrote.
    public struct Summary: Sendable, Equatable {
        /// Samples written (images left out under `--on-exhausted skip` have none).
        public var samples = 0
        /// Images made, written or left out.
        public var images = 0
    }

    /// Renders the run's images and hands the archive to `sink` a sample at a time, then the
    /// end-of-archive marker.
    /// - Parameter sink: Receives the archive's bytes in order; what it throws stops the run.
    /// - Throws: `DatasetError.usage` for `resume` or `overwrite` (a stream has no folder);
    ///   what the run would throw (`.script`, `.render`); what `sink` throws.
    @discardableResult
    public func run(to sink: ([UInt8]) throws -> Void) throws -> Summary {
        let options = renderer.options
        try options.validate()
        guard !options.resume, !options.overwrite else {
            throw DatasetError.usage("--out - streams the images to standard output: --resume and --overwrite apply to a dataset folder only")
        }
        let images = options.images
        let split = options.split.assignment(count: options.count, framesPerClip: options.clip?.frames ?? 1)
        let parameters = renderer.program.parametersJSON.jsonBytes
        let layout = renderer.layout
        let jobs = renderer.jobBudget()
        var summary = Summary()
        var archive: [UInt8] = []
        try ParallelMap.forEachInOrder(0..<images.count, jobs: jobs, window: jobs * 8) { position -> (Int, DatasetRenderer.MadeImage) in
            let index = images[position]
            return (index, try renderer.renderImage(index))
        } consume: { index, made in
            summary.images += 1
            guard case let .rendered(image) = made else { return }
            let record = RecordsFile.line(index: index, split: split.splitName(of: index), report: image.report,
                                          values: image.values, parameters: parameters)
            archive.removeAll(keepingCapacity: true)
            WebDatasetSample.append(imageFileName: DatasetFiles.flatFileName(forImage: layout.imageFileName(index)), image: image.image, instanceMask: image.instanceMask,
                                    semanticMask: image.semanticMask,
                                    json: WebDatasetSample.json(image: image.record, record: record, annotations: image.annotations),
                                    to: &archive)
            try sink(archive)
            summary.samples += 1
        }
        try sink(TarArchive.end)
        return summary
    }
}
