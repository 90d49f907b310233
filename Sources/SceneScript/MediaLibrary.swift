import Foundation
import ImageFiles
import SceneModel

/// The image files a program's scripts name (sprites, background photographs): resolved
/// relative to the script file that names them, decoded once and kept for the program's
/// lifetime, shared by every thread that samples it.
final class MediaLibrary: @unchecked Sendable {
    /// The path of each source file, by `SourceRange.file` index.
    private let sourcePaths: [String]
    private let lock = NSLock()
    private var images: [String: Result<Bitmap, ImageFileError>] = [:]
    private var folders: [String: Result<[String], ImageFileError>] = [:]

    init(sourcePaths: [String]) {
        self.sourcePaths = sourcePaths
    }

    /// `path` resolved against the folder of source file `file` (unless it is absolute).
    func url(_ path: String, relativeTo file: Int) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        return URL(fileURLWithPath: sourcePaths[file]).deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
    }

    /// The decoded image at `url`, from the cache after the first call (failures are cached too).
    /// - Throws: ``ImageFiles/ImageFileError``.
    func image(at url: URL) throws -> Bitmap {
        lock.lock()
        defer { lock.unlock() }
        if let cached = images[url.path] { return try cached.get() }
        let result = Result { try ImageFile.load(url) }.mapError { $0 as! ImageFileError }
        images[url.path] = result
        return try result.get()
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
