/// Why a dataset could not be read, naming the folder or file.
public enum DatasetReadError: Error, Equatable, CustomStringConvertible {
    /// The dataset folder does not exist.
    case noSuchFolder(path: String)
    /// The dataset path is a file.
    case notAFolder(path: String)
    /// A file the dataset must have is absent: not a dataset, or an unfinished run.
    case missingFile(path: String)
    /// Reading a file failed (permissions, a device error).
    case unreadable(path: String, reason: String)
    /// A file's content is not what Tessera writes: `line` is 1-based, 0 when unknown.
    case malformed(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case let .noSuchFolder(path): return "'\(path)': no such folder"
        case let .notAFolder(path): return "'\(path)' is a file, not a dataset folder"
        case let .missingFile(path): return "\(path): missing (not a Tessera dataset, or an unfinished run: finish it with render --resume)"
        case let .unreadable(path, reason): return "\(path): \(reason)"
        case let .malformed(path, line, reason): return "\(path)\(line > 0 ? ":\(line)" : ""): \(reason)"
        }
    }
}
