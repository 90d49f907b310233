public import DatasetReading

extension DatasetError {
    /// The error a tool reports for a dataset it could not read: a missing folder is
    /// missing input (66), a failed read I/O (74), a missing or malformed file an invalid
    /// dataset (65), as `validate` reports them.
    public init(_ error: DatasetReadError) {
        switch error {
        case let .noSuchFolder(path): self = .missingInput(path: path)
        case .notAFolder: self = .usage(error.description)
        case let .unreadable(path, reason): self = .io(path: path, reason: reason)
        case .missingFile, .malformed: self = .invalidDataset(error.description)
        }
    }

    /// Runs `body`, turning a `DatasetReadError` into a `DatasetError`.
    public static func reading<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatasetReadError { throw DatasetError(error) }
    }
}
