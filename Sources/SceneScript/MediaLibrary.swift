import Foundation
import ImageFiles
import SceneModel

/// The image files a program's scripts name (sprites, background photographs): resolved
/// relative to the script file that names them, decoded once and kept (up to
/// ``cacheBudget`` bytes) for the program's lifetime, shared by every thread that samples it.
final class MediaLibrary: @unchecked Sendable {
    /// The path of each source file, by `SourceRange.file` index.
    private let sourcePaths: [String]
    private let lock = NSLock()
    private var images: [String: Result<Bitmap, ImageFileError>] = [:]
    private var cachedBytes = 0
    private var folders: [String: Result<[String], ImageFileError>] = [:]

    init(sourcePaths: [String]) {
        self.sourcePaths = sourcePaths
    }

    /// `path` resolved against the folder of source file `file` (unless it is absolute).
    func url(_ path: String, relativeTo file: Int) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        return URL(fileURLWithPath: sourcePaths[file]).deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
    }

    /// Bytes of decoded pixels the cache keeps. Past it the cache is emptied before the next
    /// image is added, so a folder of many photographs cannot exhaust memory; the images
    /// decoded again later are the same, so output never depends on the cache.
    static let cacheBudget = 512 << 20

    /// The decoded image at `url`, from the cache after the first call (failures are cached
    /// too). Decoding happens outside the lock, so threads do not wait for each other's files.
    /// - Throws: ``ImageFiles/ImageFileError``.
    func image(at url: URL) throws -> Bitmap {
        if let cached = withLock({ images[url.path] }) { return try cached.get() }
        let result = Result { try ImageFile.load(url) }.mapError { $0 as? ImageFileError ?? ImageFileError("\($0)") }
        withLock {
            let bytes = (try? result.get().rgba.count) ?? 0
            if cachedBytes + bytes > Self.cacheBudget {
                images = images.filter { (try? $0.value.get()) == nil }
                cachedBytes = 0
            }
            if images[url.path] == nil {
                images[url.path] = result
                cachedBytes += bytes
            }
        }
        return try result.get()
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The PNG and JPEG files directly in the folder at `url` (by extension, case-insensitive;
    /// hidden files and folders skipped), as full paths sorted by file name in Unicode scalar order, so the
    /// listing — and the file a draw picks — does not depend on the file system. Cached.
    /// - Throws: ``ImageFiles/ImageFileError`` when the folder cannot be listed.
    func imageFiles(in url: URL) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let cached = folders[url.path] { return try cached.get() }
        let result: Result<[String], ImageFileError>
        if let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) {
            let images = names.filter { name in
                var isFolder: ObjCBool = false
                return !name.hasPrefix(".") && ImageFile.extensions.contains { name.lowercased().hasSuffix("." + $0) }
                    && FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isFolder)
                    && !isFolder.boolValue  // a folder named like an image is skipped
            }
            result = .success(images.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
                .map { url.appendingPathComponent($0).path })
        } else {
            result = .failure(ImageFileError(FileManager.default.fileExists(atPath: url.path) ? "not a readable folder" : "no such folder"))
        }
        folders[url.path] = result
        return try result.get()
    }
}

/// The script-facing uses of a ``MediaLibrary``: its errors are ``ProblemReport``s at the
/// path argument. Shared by sampling and by the compile-time check of literal paths.
extension MediaLibrary {
    static let pathHelp = "the path is relative to the folder of the script file that names it"

    /// Where `photo(path)` takes its photograph from.
    enum PhotoSource {
        /// One file: no random draw.
        case file(URL)
        /// A folder's PNG and JPEG files, sorted (at least one).
        case folder([String])
    }

    /// The decoded sprite file `path`, written at `range`.
    func sprite(_ path: String, at range: SourceRange) throws -> Bitmap {
        do { return try image(at: url(path, relativeTo: range.file)) } catch {
            throw ProblemReport("sprite: cannot use '\(path)': \(error)", at: range, help: Self.pathHelp)
        }
    }

    /// What `photo(path)` at `range` names: a file, or a folder with at least one image file.
    func photoSource(_ path: String, at range: SourceRange) throws -> PhotoSource {
        let resolved = url(path, relativeTo: range.file)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isFolder), isFolder.boolValue else {
            return .file(resolved)
        }
        let files: [String]
        do { files = try imageFiles(in: resolved) } catch {
            throw ProblemReport("photo: cannot use folder '\(path)': \(error)", at: range, help: Self.pathHelp)
        }
        guard !files.isEmpty else {
            throw ProblemReport("photo: folder '\(path)' holds no PNG or JPEG file (.png, .jpg, .jpeg)", at: range)
        }
        return .folder(files)
    }

    /// The decoded photograph at `url`; `written` names it in errors.
    func photo(_ url: URL, written: String, at range: SourceRange) throws -> Bitmap {
        do { return try image(at: url) } catch {
            throw ProblemReport("photo: cannot use '\(written)': \(error)", at: range, help: Self.pathHelp)
        }
    }

    /// Checks every `sprite(…)` and `photo(…)` in `statements` (template bodies included)
    /// whose path is a String literal, so that a missing or broken file is a compile error
    /// even when the call is rarely reached: sprites and single photos are decoded (and so
    /// cached for sampling); a folder must list at least one image file (its photos are
    /// decoded when drawn). Paths computed at run time are checked when sampled.
    /// - Returns: the problems, and the image files those literal paths name (a folder: each
    ///   of its image files), by path from the main script's folder, sorted, without
    ///   repeats — the media a run's identity covers.
    func preflight(_ statements: [Statement]) -> (problems: [ProblemReport], files: [MediaFile]) {
        var problems: [ProblemReport] = []
        var files: [String: URL] = [:]
        // Keyed by where the file is as the main script's folder sees it, so the same written
        // path in two folders (a template's `s.png` and the scene's) stays two files.
        let mainFolder = URL(fileURLWithPath: sourcePaths[0]).deletingLastPathComponent().standardizedFileURL.path
        func record(_ written: String, _ url: URL) {
            files[written.hasPrefix("/") ? url.path : relativePath(from: mainFolder, to: url.standardizedFileURL.path)] = url
        }
        func literalPath(_ call: Call, parameter: String) -> (String, SourceRange)? {
            let argument = call.arguments.first { $0.label == parameter } ?? call.arguments.first.flatMap { $0.label == nil ? $0 : nil }
            guard let argument, case let .string(path) = argument.value.kind else { return nil }
            return (path, argument.value.range)
        }
        func check(_ body: () throws -> Void) {
            do { try body() } catch let problem as ProblemReport { problems.append(problem) } catch {}
        }
        func visit(_ call: Call) {
            if call.name == Primitive.sprite.rawValue, let (path, range) = literalPath(call, parameter: "file") {
                check {
                    _ = try sprite(path, at: range)
                    record(path, url(path, relativeTo: range.file))
                }
            } else if call.name == BuiltinFunction.photo.rawValue, let (path, range) = literalPath(call, parameter: "path") {
                check {
                    switch try photoSource(path, at: range) {
                    case let .file(url):
                        _ = try photo(url, written: path, at: range)
                        record(path, url)
                    case let .folder(paths):
                        for file in paths { record(path, URL(fileURLWithPath: file)) }
                    }
                }
            }
            for argument in call.arguments { visit(argument.value) }
        }
        func visit(_ expr: Expr) {
            switch expr.kind {
            case let .call(call): visit(call)
            case let .point(a, b), let .index(a, b), let .binary(_, a, b): visit(a); visit(b)
            case let .list(items): items.forEach(visit)
            case let .unary(_, a): visit(a)
            case let .aggregate(a): [a.condition, a.value].compactMap { $0 }.forEach(visit)
            case .int, .double, .string, .bool, .color, .variable: break
            }
        }
        func visit(_ transforms: Transforms) { for item in transforms.items { visit(item.value) } }
        func visit(_ statements: [Statement]) {
            for statement in statements {
                switch statement.kind {
                case let .background(e), let .let(_, _, e), let .assign(_, _, e), let .require(e, _), let .record(_, _, e): visit(e)
                case let .repeat(count, _, _, body): visit(count); visit(body)
                case let .if(condition, then, otherwise): visit(condition); visit(then); visit(otherwise ?? [])
                case let .for(_, _, sequence, body): visit(sequence); visit(body)
                case let .template(declaration):
                    for parameter in declaration.parameters { if let d = parameter.defaultValue { visit(d) } }
                    visit(declaration.body)
                case let .quota(strata): strata.forEach { visit($0.condition) }
                case let .object(objectClass, transforms, body, _, attributes):
                    if case let .expression(e) = objectClass { visit(e) }
                    attributes.forEach { visit($0.value) }
                    visit(transforms); visit(body)
                case let .group(transforms, body): visit(transforms); visit(body)
                case let .draw(call, transforms): visit(call); visit(transforms)
                default: break  // canvas, classes, import, attempts: constants, no image paths
                }
            }
        }
        visit(statements)
        let media = files.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            .map { MediaFile(path: $0, url: files[$0]!) }
        return (problems, media)
    }
}

/// The path of `target` relative to the folder `base` (both absolute and standardized),
/// with `..` where it leaves `base`; e.g. `../assets/s.png`.
func relativePath(from base: String, to target: String) -> String {
    let from = base.split(separator: "/"), to = target.split(separator: "/")
    var common = 0
    while common < min(from.count, to.count), from[common] == to[common] { common += 1 }
    return (Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)).joined(separator: "/")
}

/// An image file a scene loads by a literal path (`sprite("…")`, `photo("…")`).
public struct MediaFile: Hashable, Sendable {
    /// Where the file is: relative to the main script's folder (`../assets/s.png`), or
    /// absolute when the script writes an absolute path.
    public let path: String
    /// Where the file is.
    public let url: URL
}
