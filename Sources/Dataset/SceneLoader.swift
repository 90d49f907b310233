import Foundation
public import SceneScript

/// Loads scene scripts from disk (or the built-in default) and compiles them.
public enum SceneLoader {
    /// A failure to load or compile, with the message to print and the exit code.
    public struct Failure: Error, Sendable {
        public var message: String
        /// 66 when the script file cannot be read, 65 for script errors.
        public var exitCode: Int32
    }

    /// Compiles the script at `path`. Imports resolve relative to the importing file, then
    /// in `templateFolders`, then in `templates/` beside the scene's folder, then in
    /// `templates/` of the working directory.
    /// - Parameter overrides: values for the script's `param`s.
    /// - Throws: `Failure` (exit 64 for a `templateFolders` entry that is not a folder, 66
    ///   for an unreadable file, 65 with rendered diagnostics); ``SceneScript/ParameterError``
    ///   for an override that does not fit.
    public static func compile(path: String, templateFolders: [String] = [],
                               overrides: [ParameterOverride] = []) throws -> SceneProgram {
        for folder in templateFolders {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw Failure(message: "error: --templates '\(folder)': no such folder", exitCode: 64)
            }
        }
        let bytes: Data
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            let type = (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType
            guard !isFolder.boolValue, type == .typeRegular else {
                throw Failure(message: "error: cannot read scene '\(path)': \(isFolder.boolValue ? "it is a folder" : "it is not a regular file"); give a .scene file", exitCode: 66)
            }
        }
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Failure(message: "error: cannot read scene '\(path)': \(AtomicFile.reason(error))", exitCode: 66)
        }
        guard bytes.count <= SceneProgram.maximumSourceBytes else {
            throw Failure(message: "\(path):1:1: error: this file is \(bytes.count) bytes; a scene or template file may be at most \(SceneProgram.maximumSourceBytes) bytes", exitCode: 65)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            let bad = (lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0) + 1
            throw Failure(message: "\(path):\(bad):1: error: line \(bad) is not valid UTF-8 text", exitCode: 65)
        }
        let sceneFolder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var searchPaths = templateFolders
        searchPaths.append(sceneFolder.deletingLastPathComponent().appendingPathComponent("templates").path)
        searchPaths.append("templates")
        return try compile(SourceFile(path: path, text: text), resolver: FileImportResolver(searchPaths: searchPaths),
                           overrides: overrides)
    }

    /// Compiles the built-in default scene (`scenes/shapes.scene` with its templates).
    public static func compileDefault(overrides: [ParameterOverride] = []) throws -> SceneProgram {
        try compile(DefaultScene.main,
                    resolver: InMemoryImportResolver(files: DefaultScene.templates, searchPaths: ["templates"]),
                    overrides: overrides)
    }

    private static func compile(_ source: SourceFile, resolver: any ImportResolver,
                                overrides: [ParameterOverride]) throws -> SceneProgram {
        do { return try SceneProgram.compile(source, resolver: resolver, overrides: overrides) } catch let error as ScriptError {
            throw Failure(message: error.rendered(), exitCode: 65)
        }
    }
}
