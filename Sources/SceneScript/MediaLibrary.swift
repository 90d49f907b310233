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
    /// hidden files skipped), as full paths sorted by file name in Unicode scalar order, so the
    /// listing — and the file a draw picks — does not depend on the file system. Cached.
    /// - Throws: ``ImageFiles/ImageFileError`` when the folder cannot be listed.
    func imageFiles(in url: URL) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let cached = folders[url.path] { return try cached.get() }
        let result: Result<[String], ImageFileError>
        if let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) {
            let images = names.filter { name in
                !name.hasPrefix(".") && ImageFile.extensions.contains { name.lowercased().hasSuffix("." + $0) }
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
