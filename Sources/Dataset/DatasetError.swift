/// Errors of the dataset pipeline. Each maps to one process exit code (sysexits.h), so the
/// CLI can report it without knowing the pipeline.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// Reading or writing `path` failed.
    case io(path: String, reason: String)
    /// The output folder holds files and neither `--overwrite` nor `--resume` was given.
    case outputNotEmpty(path: String, resumable: Bool = true)
    /// A script error (compile or runtime), already rendered with positions.
    case script(String)
    /// Rendering failed for image `index`.
    case render(index: Int, reason: String)
    /// A usage error in the options, naming the option.
    case usage(String)
    /// An input folder (a dataset or shard to read) does not exist.
    case missingInput(path: String)
    /// An input file (`what`: "parameter file", "focus file") does not exist.
    case missingFile(path: String, what: String)
    /// An input dataset or shard is not what it must be (merge, validate), naming it.
    case invalidDataset(String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "error: \(path): \(reason)"
        case let .outputNotEmpty(path, resumable):
            return "error: output folder '\(path)' is not empty\nhelp: " + (resumable ? "pass --resume to continue an interrupted run there, " : "")
                + "pass --overwrite to replace the dataset in it, or choose another --out"
        case let .script(rendered): return rendered
        case let .render(index, reason): return "error: rendering image \(index) failed: \(reason)"
        case let .usage(message), let .invalidDataset(message): return "error: \(message)"
        case let .missingInput(path): return "error: '\(path)': no such folder"
        case let .missingFile(path, what): return "error: \(path): no such \(what)"
        }
    }

    /// The exit code for this error: 74 I/O, 66 missing input, 65 script or dataset (data) error, 70 internal, 64 usage.
    public var exitCode: Int32 {
        switch self {
        case .io: return 74
        case .script, .invalidDataset: return 65
        case .render: return 70
        case .usage, .outputNotEmpty: return 64
        case .missingInput, .missingFile: return 66
        }
    }
}

extension DatasetError {
    /// `error` with a `note: …` line after its message, when it is a `DatasetError` that
    /// carries a message (script, render, I/O, usage, invalid dataset); otherwise `error`.
    static func appendingNote(to error: any Error, _ note: String) -> any Error {
        let line = "\nnote: " + note
        switch error {
        case let DatasetError.script(message): return DatasetError.script(message + line)
        case let DatasetError.render(index, reason): return DatasetError.render(index: index, reason: reason + line)
        case let DatasetError.io(path, reason): return DatasetError.io(path: path, reason: reason + line)
        case let DatasetError.usage(message): return DatasetError.usage(message + line)
        case let DatasetError.invalidDataset(message): return DatasetError.invalidDataset(message + line)
        default: return error
        }
    }
}
