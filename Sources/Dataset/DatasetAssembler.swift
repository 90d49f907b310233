import Annotation
import DatasetReading
import Foundation

/// Writes a dataset's instances files (one per split), `records.jsonl`, `classes.json` and `manifest.json` from record logs — one log for a
/// run, the shards' logs in order for `tessera merge` — streaming, so memory does not grow
/// with the dataset. The same records give the same bytes, however they were produced.
enum DatasetAssembler {
    /// What assembling wrote.
    struct Result {
        var annotations: Int
        var acceptance: AcceptanceReport
    }

    /// Ends a run whose every image is in `log`: writes the instances files and `records.jsonl`, then either
    /// removes the log (a whole run) or keeps it as `shard.records` (a shard), then writes
    /// `manifest.json` last.
    static func finish(log: URL, layout: OutputLayout, shard: Shard?) throws -> Result {
        let reader = try RecordLogReader(url: log)
        let extra = shard.map { [JSONMember("shard", Manifest.shardJSON($0, range: reader.header.images.span))] } ?? []
        return try assemble([reader], into: layout, manifestExtra: extra) { manifest in
            guard shard != nil else { return }
            let records = layout.url(OutputLayout.shardRecordsFile)
            do {
                try AtomicFile.moveReplacing(log, to: records)
                try manifest.append(FileEntry(path: OutputLayout.shardRecordsFile, contentsOf: records))
            } catch {
                throw DatasetError.io(path: records.path, reason: AtomicFile.reason(error))
            }
        } onImage: { _, _ in } afterManifest: {
            if shard == nil { try? FileManager.default.removeItem(at: log) }
        }
    }

    /// `classes.json` from the log's `L` lines, written atomically; its manifest entry.
    private static func writeClassMap(_ entries: [[UInt8]], into layout: OutputLayout) throws -> FileEntry {
        let data = Data(ClassMap.fileBytes(categoryJSONTexts: entries))
        try AtomicFile.write(data, to: layout.url(OutputLayout.classesFile))
        return FileEntry(path: OutputLayout.classesFile, data: data)
    }

    /// Writes the instances files, `records.jsonl`, `classes.json` and `manifest.json` from `readers`, in
    /// order; each must hold exactly the images of its header's set, in order (the caller sees
    /// to it that the sets follow one another: `tessera merge` checks that its shards tile the
    /// run). An image left out (``ExhaustedPolicy/skip``) is in none of their lists, only in
    /// the manifest's
    /// `acceptance`, which closes the manifest.
    /// - Parameters:
    ///   - manifestExtra: members after the manifest head (a shard's `shard`).
    ///   - beforeManifestEnds: may append more file entries after `records.jsonl`.
    ///   - onImage: called for each image's records before they are written (merge copies the
    ///     image's files here).
    ///   - afterManifest: called once `manifest.json` is in place.
    static func assemble(
        _ readers: [RecordLogReader], into layout: OutputLayout, manifestExtra: [JSONMember],
        beforeManifestEnds: (ManifestWriter) throws -> Void,
        onImage: (RecordLog.ImageRecords, RecordLogReader) throws -> Void,
        afterManifest: () throws -> Void = {}
    ) throws -> Result {
        guard let first = readers.first else { return Result(annotations: 0, acceptance: AcceptanceReport(requirements: [])) }
        let header = first.header
        var acceptance = AcceptanceReport(requirements: first.requirements)
        let frames = header.framesPerClip ?? 1
        let assignment = header.split.assignment(count: header.count / frames, framesPerClip: frames)
        let splitFiles = try header.split.names.map {
            try AnnotationFile(layout: layout, path: DatasetFiles.annotations(split: $0), info: header.info)
        }
        var annotationIDs = 0
        let records = try RecordsFile(url: layout.url(OutputLayout.recordsFile), parameters: header.parameters)
        let manifest = try ManifestWriter(url: layout.url(OutputLayout.manifestFile), head: header.manifestHead,
                                          extra: manifestExtra)
        for reader in readers {
            var expectedImages = reader.header.images.makeIterator()
            var expected = expectedImages.next()
            while let image = try reader.next() {
                guard image.index == expected else {
                    let wanted = expected.map { "image \($0) was expected" } ?? "the run's images had ended"
                    throw DatasetError.io(path: reader.url.path, reason: "record log holds image \(image.index) where \(wanted)")
                }
                try onImage(image, reader)
                if let entry = image.image {
                    let split = assignment.split(of: image.index)
                    try splitFiles[split].append(image: entry, annotations: image.annotations, ids: &annotationIDs)
                    try records.append(index: image.index, split: header.split.names[split], report: image.report, values: image.values)
                }
                for file in image.files { try manifest.append(file) }
                acceptance.add(index: image.index, report: image.report, isSkipped: image.image == nil,
                               countsSampling: image.index % frames == 0)
                expected = expectedImages.next()
            }
            if !reader.hasTornTail, expected == nil { continue }
            throw DatasetError.io(path: reader.url.path, reason: "record log is incomplete: it ends before image \(expected.map(String.init) ?? "its end")")
        }
        for file in splitFiles { try manifest.append(file.finish(categories: header.categories)) }
        try manifest.append(records.finish())
        try manifest.append(writeClassMap(header.classes, into: layout))
        try beforeManifestEnds(manifest)
        try manifest.finish(trailing: [JSONMember("acceptance", acceptance.json)])
        try afterManifest()
        return Result(annotations: annotationIDs, acceptance: acceptance)
    }
}
