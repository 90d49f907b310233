#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One scene script as text, with the path shown in diagnostics.
public struct SourceFile: Sendable, Hashable {
    /// The path as displayed in diagnostics (e.g. `scenes/shapes.scene`), also the file's identity
    /// for import-cycle detection.
    public let path: String
    public let text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// Reads a file from disk; `path` is kept as given for display.
    /// - Throws: the Foundation error when the file cannot be read as UTF-8.
    public init(contentsOf path: String) throws {
        self.init(path: path, text: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// The file's base name without its extension: `scenes/shapes.scene` → `shapes`.
    var baseName: String {
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        if let dot = last.lastIndex(of: "."), dot != last.startIndex { return String(last[..<dot]) }
        return last
    }

    /// The folder part of `path` (`""` for a bare file name).
    var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}

/// Finds the file named by `import "name"`.
public protocol ImportResolver: Sendable {
    /// Resolves `import "name"` written in `importer`. Returns nil when not found.
    func resolve(_ name: String, from importer: SourceFile) throws -> SourceFile?
}

/// The candidate paths for `import "name"` in `importer`, in lookup order: relative to the
/// importing file's folder, then inside each search path. `.scene` is appended when `name`
/// has no such extension.
func importCandidates(_ name: String, from importer: SourceFile, searchPaths: [String]) -> [String] {
    let file = name.hasSuffix(".scene") ? name : name + ".scene"
    if file.hasPrefix("/") { return [normalizedPath(file)] }
    // A file never imports itself by name: `scenes/shapes.scene` importing "shapes" means
    // `templates/shapes.scene`, so the importer is skipped and the search goes on.
    let importerPath = normalizedPath(importer.path)
    var candidates: [String] = []
    for folder in [importer.directory] + searchPaths {
        let path = normalizedPath(joinPath(folder, file))
        if path != importerPath && !candidates.contains(path) { candidates.append(path) }
    }
    return candidates
}

func joinPath(_ folder: String, _ name: String) -> String {
    if folder.isEmpty { return name }
    return folder.hasSuffix("/") ? folder + name : folder + "/" + name
}

/// Removes `.` components and folds `x/..` so that one file has one spelling.
func normalizedPath(_ path: String) -> String {
    let isAbsolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
        if part == "." { continue }
        if part == "..", let last = parts.last, last != ".." {
            parts.removeLast()
        } else if part == ".." && isAbsolute {
            continue
        } else {
            parts.append(part)
        }
    }
    return (isAbsolute ? "/" : "") + parts.joined(separator: "/")
}

/// Resolves imports on disk: relative to the importing file's folder first, then in each
/// search path (e.g. the project's `templates/`). `name` may omit the `.scene` extension.
public struct FileImportResolver: ImportResolver {
    public let searchPaths: [String]

    public init(searchPaths: [String]) {
        self.searchPaths = searchPaths
    }

    public func resolve(_ name: String, from importer: SourceFile) throws -> SourceFile? {
        for path in importCandidates(name, from: importer, searchPaths: searchPaths) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                // An oversized file is refused before it is read.
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                guard size <= Limits.sourceBytes else { throw OversizedSource(path: path, bytes: size) }
                return try SourceFile(contentsOf: path)
            }
        }
        return nil
    }
}

/// A source file over `SceneProgram.maximumSourceBytes`, refused unread.
struct OversizedSource: Error, CustomStringConvertible {
    var path: String
    var bytes: Int
    var description: String { "\(path) is \(bytes) bytes; a scene or template file may be at most \(Limits.sourceBytes) bytes" }
}

/// Resolves imports among sources held in memory (e.g. the built-in default scene), keyed by
/// path, with the same lookup rules as ``FileImportResolver``.
public struct InMemoryImportResolver: ImportResolver {
    private let files: [String: SourceFile]
    public let searchPaths: [String]

    public init(files: [SourceFile], searchPaths: [String]) {
        var table: [String: SourceFile] = [:]
        for file in files where table[normalizedPath(file.path)] == nil {
            table[normalizedPath(file.path)] = file
        }
        self.files = table
        self.searchPaths = searchPaths
    }

    public func resolve(_ name: String, from importer: SourceFile) throws -> SourceFile? {
        for path in importCandidates(name, from: importer, searchPaths: searchPaths) {
            if let file = files[path] { return file }
        }
        return nil
    }
}

/// A half-open span of Unicode scalars `[start, end)` in source file number `file` of a program.
struct SourceRange: Sendable, Hashable {
    var file: Int
    var start: Int
    var end: Int

    /// The span from the start of `self` to the end of `other` (same file).
    func through(_ other: SourceRange) -> SourceRange {
        SourceRange(file: file, start: start, end: max(end, other.end))
    }
}

/// A source file split into Unicode scalars with its line starts, for lexing and for
/// turning offsets into 1-based line/column locations.
final class SourceBuffer: Sendable {
    let file: SourceFile
    let scalars: [Unicode.Scalar]
    /// Scalar offset of the first character of each line.
    let lineStarts: [Int]

    init(_ file: SourceFile) {
        self.file = file
        let scalars = Array(file.text.unicodeScalars)
        var starts = [0]
        for (i, s) in scalars.enumerated() where s == "\n" { starts.append(i + 1) }
        self.scalars = scalars
        self.lineStarts = starts
    }

    /// The source text a range spans.
    func text(of range: SourceRange) -> String {
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[range.start..<range.end])
        return String(text)
    }

    /// The 1-based location of `range.start`, with the span clipped to its line.
    func location(of range: SourceRange) -> SourceLocation {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= range.start { lo = mid } else { hi = mid - 1 }
        }
        let lineStart = lineStarts[lo]
        var lineEnd = lineStart
        while lineEnd < scalars.count && scalars[lineEnd] != "\n" && scalars[lineEnd] != "\r" { lineEnd += 1 }
        let start = min(range.start, lineEnd)
        // Encoded by hand: appending scalars one by one to a String costs about 50 ns each,
        // which a megabyte-long line repeated over its diagnostics made seconds.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(lineEnd - lineStart)
        for scalar in scalars[lineStart..<lineEnd] { utf8.append(contentsOf: UTF8.encode(scalar)!) }
        return SourceLocation(
            path: file.path, line: lo + 1, column: start - lineStart + 1,
            length: max(0, min(range.end, lineEnd) - start), lineText: String(decoding: utf8, as: UTF8.self))
    }
}
