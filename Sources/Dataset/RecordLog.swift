import Annotation
import Foundation
import SceneScript

/// The record log of a run: everything the finished dataset's the instances files and
/// `manifest.json` are assembled from, appended image by image as images complete.
///
/// It is what makes a run resumable (a killed run keeps every complete image's records)
/// and shards mergeable (a shard keeps its log as `shard.records`), and it keeps memory flat:
/// nothing per image stays in memory once its records are appended.
///
/// Text, one record per line, fields separated by one tab (JSON text never holds a raw tab
/// or newline):
/// ```
/// tessera-records 4
/// M <the manifest's JSON object without "shard", "files" and "acceptance">
/// S <first> <end> [<first> <end> …]          the run's images (``ImageIndices/ranges``),
///                                             each range's end exclusive
/// T <count> <the split plan>                  the run's size, `--split` as ``SplitPlan/description``
/// P <the parameters JSON object>              the values in force, in declaration order
/// C <the COCO info JSON object>
/// K <a COCO category JSON object>             one per thing category, in id order
/// L <a classes.json category JSON object>     one per category, things and stuff, in id order
/// Q <a requirement JSON object>               one per requirement, in program order
/// then per image, in index order:
/// I <index> <the COCO image JSON object>      a written image, or
/// X <index>                                   an image left out (attempts exhausted)
/// A <a COCO annotation JSON object>           one per annotation, its "id" 0
/// F <bytes> <sha256> <path>                   one per file written
/// R <the sample report JSON object>           attempts, checks, stratum
/// V <the recorded values JSON object>         a written image's `record`s
/// E <index>                                   the image's records are complete
/// ```
/// An image counts only once its `E` line is on disk; a torn tail is dropped on resume.
enum RecordLog {
    static let magicPrefix = "tessera-records "
    static let version = 4
    static let magic = magicPrefix + String(version)

    /// The run-wide records at the head of a log.
    struct Header: Equatable {
        /// The manifest object without `files` (ends with `}`).
        var manifestHead: [UInt8]
        /// The image indices the run renders.
        var images: ImageIndices
        /// The run's size (`--count`), of which `images` may be a part.
        var count: Int
        /// Which images go into which split's instances file.
        var split: SplitPlan
        /// The `parameters` object (``SceneProgram/parametersJSON``) as JSON text.
        var parameters: [UInt8]
        var info: [UInt8]
        /// The COCO categories: thing classes only.
        var categories: [[UInt8]]
        /// Every class, things and stuff, as `classes.json` lists it (``ClassMap/Entry``).
        var classes: [[UInt8]]
        /// Each requirement's identity object (``AcceptanceReport/identityJSON(_:)``), in
        /// program order.
        var requirements: [[UInt8]]

        /// Frames per clip of a run of clips (the manifest head's `clip.frames`), else `nil`;
        /// ``count`` then counts images, `count / framesPerClip` clips.
        var framesPerClip: Int? {
            let head = (try? JSONSerialization.jsonObject(with: Data(manifestHead))) as? [String: Any]
            return ((head?["clip"] as? [String: Any])?["frames"] as? Int).flatMap { $0 >= 1 ? $0 : nil }
        }

        /// Names what differs between this header and `expected`, e.g. `seed 3 there, 5 here`
        /// with the default `labels` (this header's, then `expected`'s).
        /// `includingRange: false` leaves the image ranges out (shards differ in them by design;
        /// an index set is in the manifest head, so it is compared either way).
        func difference(from expected: Header, labels: (String, String) = ("there", "here"),
                        includingRange: Bool = true) -> String {
            let found = self
            func object(_ bytes: [UInt8]) -> [String: Any] {
                (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
            }
            let there = object(found.manifestHead), here = object(expected.manifestHead)
            var differences: [String] = []
            // Arrays and objects as JSON with sorted keys: a dictionary's own order is arbitrary.
            func text(_ value: Any) -> String {
                guard value is [Any] || value is [String: Any],
                      let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else { return "\(value)" }
                return String(decoding: data, as: UTF8.self)
            }
            func compare(_ name: String, _ a: Any?, _ b: Any?) {
                let (x, y) = (a.map(text) ?? "none", b.map(text) ?? "none")
                if x != y { differences.append("\(name) \(x) \(labels.0), \(y) \(labels.1)") }
            }
            compare("version", there["version"], here["version"])
            let (sceneThere, sceneHere) = (there["scene"] as? [String: Any], here["scene"] as? [String: Any])
            compare("scene sha256", sceneThere?["sha256"], sceneHere?["sha256"])
            func media(_ scene: [String: Any]?) -> [String: String] {
                var hashes: [String: String] = [:]
                for file in scene?["media"] as? [[String: Any]] ?? [] {
                    if let path = file["path"] as? String { hashes[path] = file["sha256"] as? String ?? "" }
                }
                return hashes
            }
            let (mediaThere, mediaHere) = (media(sceneThere), media(sceneHere))
            for path in Set(mediaThere.keys).union(mediaHere.keys).sorted() {
                let (a, b) = (mediaThere[path].map { "sha256 " + $0.prefix(12) + "…" }, mediaHere[path].map { "sha256 " + $0.prefix(12) + "…" })
                compare("media file '\(path)'", a, b)
            }
            compare("seed", there["seed"], here["seed"])
            compare("count", there["count"], here["count"])
            compare("indices", there["indices"], here["indices"])
            let (optionsThere, optionsHere) = (there["options"] as? [String: Any] ?? [:], here["options"] as? [String: Any] ?? [:])
            for key in Set(optionsThere.keys).union(optionsHere.keys).sorted() where key != "parameters" && key != "focus" {
                compare(key, optionsThere[key], optionsHere[key])
            }
            // A focus file is long: say whether there is one on each side and whether it differs.
            switch (optionsThere["focus"], optionsHere["focus"]) {
            case (nil, nil): break
            case (nil, _?): differences.append("no focus \(labels.0), a focus file \(labels.1)")
            case (_?, nil): differences.append("a focus file \(labels.0), no focus \(labels.1)")
            case let (a?, b?):
                if text(a) != text(b) { differences.append("another focus file (its factors, weights or notes differ)") }
            }
            let (parametersThere, parametersHere) = (optionsThere["parameters"] as? [String: Any] ?? [:],
                                                     optionsHere["parameters"] as? [String: Any] ?? [:])
            for name in Set(parametersThere.keys).union(parametersHere.keys).sorted() {
                compare("parameter \(name)", parametersThere[name], parametersHere[name])
            }
            if includingRange, found.images != expected.images {
                differences.append("images \(found.images.span.lowerBound)..<\(found.images.span.upperBound) \(labels.0), \(expected.images.span.lowerBound)..<\(expected.images.span.upperBound) \(labels.1)")
            }
            return differences.isEmpty ? "the recorded run header differs" : differences.joined(separator: "; ")
        }
    }

    /// One image's records.
    struct ImageRecords {
        var index: Int
        /// The COCO image object; `nil` when the image was left out (``ExhaustedPolicy/skip``),
        /// which then has no annotations and no files.
        var image: [UInt8]?
        /// Annotation JSON objects with `"id":0`.
        var annotations: [[UInt8]] = []
        var files: [FileEntry] = []
        /// What sampling the image took.
        var report: SampleReport
        /// A written image's recorded values, as a JSON object's text (`[]` for an image left out).
        var values: [UInt8] = []
    }

    /// The `R` line's object: `attempts`, `checks` (`[checked, held]` per requirement, in
    /// program order), then `stratum` when the image has one, and with a focus `focus`
    /// (`[checked, held]`) and, for a written image, `focus_bins` (``SampleReport/focusBins``).
    static func reportJSON(_ report: SampleReport) -> JSONValue {
        var members = [JSONMember("attempts", .int(report.attempts)),
                       JSONMember("checks", .array(report.checks.map { .array([.int($0.checked), .int($0.held)]) }))]
        if let stratum = report.stratum { members.append(JSONMember("stratum", .string(stratum))) }
        if let focus = report.focus { members.append(JSONMember("focus", .array([.int(focus.checked), .int(focus.held)]))) }
        if let bins = report.focusBins { members.append(JSONMember("focus_bins", .array(bins.map { .array($0.map(JSONValue.int)) }))) }
        return .object(members)
    }

    /// Reads back ``reportJSON(_:)`` of a program with `requirements` requirements.
    static func report(from bytes: ArraySlice<UInt8>, requirements: Int) -> SampleReport? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let attempts = object["attempts"] as? Int, attempts >= 1, let pairs = object["checks"] as? [[Int]],
              pairs.count == requirements, pairs.allSatisfy({ $0.count == 2 && 0 <= $0[1] && $0[1] <= $0[0] }) else { return nil }
        let stratum = object["stratum"]
        guard stratum == nil || stratum is String else { return nil }
        var focus: RequirementCount?
        if let pair = object["focus"] {
            guard let pair = pair as? [Int], pair.count == 2, 0 <= pair[1], pair[1] <= pair[0] else { return nil }
            focus = RequirementCount(checked: pair[0], held: pair[1])
        }
        var bins: [[Int]]?
        if let given = object["focus_bins"] {
            guard let given = given as? [[Int]] else { return nil }
            bins = given
        }
        return SampleReport(attempts: attempts, checks: pairs.map { RequirementCount(checked: $0[0], held: $0[1]) },
                            stratum: stratum as? String, focus: focus, focusBins: bins)
    }

    /// The prefix every annotation object has in a log; the assembler puts the id there.
    static let annotationPrefix = Array("{\"id\":0,".utf8)

    static func encode(_ header: Header) -> [UInt8] {
        var bytes = Array("\(magic)\nM\t".utf8) + header.manifestHead
        let ranges = header.images.ranges.map { "\($0.lowerBound)\t\($0.upperBound)" }.joined(separator: "\t")
        bytes += Array("\nS\t\(ranges)\nT\t\(header.count)\t\(header.split)\nP\t".utf8) + header.parameters
        bytes += Array("\nC\t".utf8) + header.info
        for category in header.categories { bytes += Array("\nK\t".utf8) + category }
        for entry in header.classes { bytes += Array("\nL\t".utf8) + entry }
        for requirement in header.requirements { bytes += Array("\nQ\t".utf8) + requirement }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    static func encode(_ records: ImageRecords) -> [UInt8] {
        var bytes = records.image.map { Array("I\t\(records.index)\t".utf8) + $0 } ?? Array("X\t\(records.index)".utf8)
        for annotation in records.annotations { bytes += Array("\nA\t".utf8) + annotation }
        for file in records.files { bytes += Array("\nF\t\(file.bytes)\t\(file.sha256)\t\(file.path)".utf8) }
        bytes += Array("\nR\t".utf8)
        reportJSON(records.report).appendJSON(to: &bytes)
        if records.image != nil { bytes += Array("\nV\t".utf8) + records.values }
        bytes += Array("\nE\t\(records.index)\n".utf8)
        return bytes
    }
}

/// Appends to a record log. Each image's records go out in one `write(2)`.
final class RecordLogWriter {
    let url: URL
    private let handle: FileHandle

    /// Creates (or truncates) the log at `url` and writes `header`.
    init(creating url: URL, header: RecordLog.Header) throws {
        self.url = url
        do {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw DatasetError.io(path: url.path, reason: "cannot create file")
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.write(contentsOf: RecordLog.encode(header))
        } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    /// Opens the log at `url` for appending after its first `length` bytes, dropping the rest.
    init(appendingTo url: URL, keeping length: UInt64) throws {
        self.url = url
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: length)
            try handle.seekToEnd()
        } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    func append(_ records: RecordLog.ImageRecords) throws {
        do { try handle.write(contentsOf: RecordLog.encode(records)) } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }

    func close() throws {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
    }
}

/// Reads a record log from the start, streaming: one image's records at a time.
final class RecordLogReader {
    let url: URL
    let header: RecordLog.Header
    /// The header's requirements, read.
    let requirements: [AcceptanceReport.Requirement]
    private let lines: LineReader
    /// Bytes up to the end of the last complete image read (or of the header).
    private(set) var completeLength: UInt64
    /// Whether the log ended inside an image's records (a killed run).
    private(set) var hasTornTail = false

    /// Opens the log and reads its header.
    /// - Throws: `DatasetError.io` when the file cannot be read, `DatasetError.invalidDataset`
    ///   when it is not a record log.
    init(url: URL) throws {
        self.url = url
        do { lines = try LineReader(url: url) } catch {
            throw DatasetError.io(path: url.path, reason: AtomicFile.reason(error))
        }
        func corrupt(_ what: String) -> DatasetError {
            DatasetError.invalidDataset("\(url.path) is not a complete Tessera record log (\(what))")
        }
        guard let magic = try lines.next(), magic.line.starts(with: RecordLog.magicPrefix.utf8) else { throw corrupt("first line") }
        guard magic.line.elementsEqual(RecordLog.magic.utf8) else {
            let found = String(decoding: magic.line.dropFirst(RecordLog.magicPrefix.utf8.count), as: UTF8.self)
            throw DatasetError.invalidDataset("\(url.path) is a record log of format \(found), written by another Tessera version; this one reads format \(RecordLog.version)\nhelp: finish or merge it with the Tessera version that started it, or render it again")
        }
        guard let manifest = try lines.next(), let head = manifest.field("M") else { throw corrupt("no M line") }
        guard let slice = try lines.next(), let range = slice.field("S"),
              case let bounds = range.split(separator: UInt8(ascii: "\t")).compactMap({ Int(String(decoding: $0, as: UTF8.self)) }),
              bounds.count >= 2, bounds.count.isMultiple(of: 2),
              case let ranges = stride(from: 0, to: bounds.count, by: 2).map({ (bounds[$0], bounds[$0 + 1]) }),
              ranges.allSatisfy({ 0 <= $0.0 && $0.0 <= $0.1 }),
              case let images = ranges.count == 1 ? ImageIndices(ranges[0].0 ..< ranges[0].1) : ImageIndices(ranges: ranges.map { $0.0 ..< $0.1 }),
              images.ranges.count == ranges.count else { throw corrupt("no S line") }
        guard let splitLine = try lines.next(), let splitField = splitLine.field("T"),
              case let parts = splitField.split(separator: UInt8(ascii: "\t"), maxSplits: 1), parts.count == 2,
              let count = Int(String(decoding: parts[0], as: UTF8.self)), count >= images.span.upperBound,
              let split = try? SplitPlan(parsing: String(decoding: parts[1], as: UTF8.self)) else { throw corrupt("no T line") }
        guard let parameterLine = try lines.next(), let parameters = parameterLine.field("P") else { throw corrupt("no P line") }
        guard let infoLine = try lines.next(), let info = infoLine.field("C") else { throw corrupt("no C line") }
        var categories: [[UInt8]] = []
        var end = infoLine.end
        while let next = try lines.peek(), let category = next.field("K") {
            categories.append(Array(category))
            end = next.end
            _ = try lines.next()
        }
        var classes: [[UInt8]] = []
        while let next = try lines.peek(), let entry = next.field("L") {
            classes.append(Array(entry))
            end = next.end
            _ = try lines.next()
        }
        var requirements: [[UInt8]] = []
        var identities: [AcceptanceReport.Requirement] = []
        while let next = try lines.peek(), let requirement = next.field("Q") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(requirement))) as? [String: Any],
                  let identity = AcceptanceReport.requirement(fromIdentity: object) else { throw corrupt("line \(next.number)") }
            requirements.append(Array(requirement))
            identities.append(identity)
            end = next.end
            _ = try lines.next()
        }
        header = RecordLog.Header(manifestHead: Array(head), images: images, count: count, split: split, parameters: Array(parameters), info: Array(info),
                                  categories: categories, classes: classes, requirements: requirements)
        self.requirements = identities
        completeLength = end
    }

    /// The next complete image's records, or `nil` at the end of the log (also when the log
    /// ends inside an image's records; `hasTornTail` then says so).
    /// - Throws: `DatasetError.invalidDataset` when a line is malformed (a file path outside
    ///   the image folders included), `DatasetError.io` when reading fails.
    func next() throws -> RecordLog.ImageRecords? {
        func corrupt(_ line: Int) -> DatasetError {
            DatasetError.invalidDataset("\(url.path):\(line): malformed record log line")
        }
        guard let first = try lines.next() else { return nil }
        guard first.isComplete else { hasTornTail = true; return nil }
        let index: Int
        var image: [UInt8]?
        if let imageField = first.field("I") {
            guard let tab = imageField.firstIndex(of: UInt8(ascii: "\t")),
                  let number = Int(String(decoding: imageField[..<tab], as: UTF8.self)) else { throw corrupt(first.number) }
            (index, image) = (number, Array(imageField[(tab + 1)...]))
        } else if let skipped = first.field("X"), let number = Int(String(decoding: skipped, as: UTF8.self)) {
            index = number
        } else {
            throw corrupt(first.number)
        }
        var annotations: [[UInt8]] = []
        var files: [FileEntry] = []
        var report: SampleReport?
        var values: [UInt8]?
        while let line = try lines.next() {
            guard line.isComplete else { break }
            if report == nil, image != nil, let annotation = line.field("A") {
                guard annotation.starts(with: RecordLog.annotationPrefix) else { throw corrupt(line.number) }
                annotations.append(Array(annotation))
            } else if report == nil, image != nil, let file = line.field("F") {
                let parts = file.split(separator: UInt8(ascii: "\t"), maxSplits: 2)
                guard parts.count == 3, let bytes = Int(String(decoding: parts[0], as: UTF8.self)),
                      OutputLayout.isImageFilePath(String(decoding: parts[2], as: UTF8.self)) else {
                    throw corrupt(line.number)
                }
                files.append(FileEntry(path: String(decoding: parts[2], as: UTF8.self), bytes: bytes,
                                       sha256: String(decoding: parts[1], as: UTF8.self)))
            } else if report == nil, let field = line.field("R") {
                guard let read = RecordLog.report(from: field, requirements: header.requirements.count) else { throw corrupt(line.number) }
                report = read
            } else if report != nil, image != nil, values == nil, let field = line.field("V") {
                guard field.first == UInt8(ascii: "{"), field.last == UInt8(ascii: "}") else { throw corrupt(line.number) }
                values = Array(field)
            } else if let report, (values != nil) == (image != nil), let end = line.field("E"), Int(String(decoding: end, as: UTF8.self)) == index {
                completeLength = line.end
                return RecordLog.ImageRecords(index: index, image: image, annotations: annotations, files: files, report: report,
                                              values: values ?? [])
            } else {
                throw corrupt(line.number)
            }
        }
        hasTornTail = true
        return nil
    }
}

/// Reads a file line by line in 1 MiB chunks, tracking byte offsets.
final class LineReader {
    struct Line {
        /// The line without its newline.
        var line: ArraySlice<UInt8>
        /// Whether a newline ended it (a torn last line has none).
        var isComplete: Bool
        /// 1-based line number.
        var number: Int
        /// Byte offset just past the line's newline.
        var end: UInt64

        /// The rest of the line after `tag` and a tab, when the line starts with them.
        func field(_ tag: StaticString) -> ArraySlice<UInt8>? {
            let prefix = tag.withUTF8Buffer { Array($0) } + [UInt8(ascii: "\t")]
            guard isComplete, line.starts(with: prefix) else { return nil }
            return line.dropFirst(prefix.count)
        }
    }

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var consumed: UInt64 = 0
    private var lineNumber = 0
    private var isAtEnd = false
    private var peeked: Line?

    init(url: URL) throws { handle = try FileHandle(forReadingFrom: url) }
    deinit { try? handle.close() }

    func peek() throws -> Line? {
        if peeked == nil { peeked = try read() }
        return peeked
    }

    func next() throws -> Line? {
        if let line = peeked {
            peeked = nil
            return line
        }
        return try read()
    }

    private func read() throws -> Line? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[position..<newline]
                consumed += UInt64(newline + 1 - position)
                position = newline + 1
                lineNumber += 1
                return Line(line: line, isComplete: true, number: lineNumber, end: consumed)
            }
            if isAtEnd {
                guard position < buffer.count else { return nil }
                let line = buffer[position...]
                position = buffer.count
                lineNumber += 1
                return Line(line: line, isComplete: false, number: lineNumber, end: consumed)
            }
            buffer.removeFirst(position)
            position = 0
            if let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                buffer.append(contentsOf: chunk)
            } else {
                isAtEnd = true
            }
        }
    }
}
