import Dispatch
import Foundation

/// Runs work over an index range on a fixed number of threads and returns the results in
/// index order, whichever thread finished first.
enum ParallelMap {
    /// Calls `body` once for each index in `range` on up to `jobs` threads.
    /// - Returns: one `Result` per index, in range order.
    static func run<T: Sendable>(_ range: Range<Int>, jobs: Int,
                                 _ body: @Sendable @escaping (Int) throws -> T) -> [Result<T, any Error>] {
        let slots = Slots<T>(count: range.count)
        let workers = max(1, min(jobs, range.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let offset = slots.claim() {
                let result = Result { try body(range.lowerBound + offset) }
                slots.store(result, at: offset)
            }
        }
        return slots.results()
    }

    /// Result slots filled by worker threads under a lock.
    private final class Slots<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var storage: [Result<T, any Error>?]

        init(count: Int) { storage = Array(repeating: nil, count: count) }

        func claim() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < storage.count else { return nil }
            next += 1
            return next - 1
        }

        func store(_ result: Result<T, any Error>, at offset: Int) {
            lock.lock()
            storage[offset] = result
            lock.unlock()
        }

        func results() -> [Result<T, any Error>] {
            lock.lock()
            defer { lock.unlock() }
            return storage.map { $0! }
        }
    }
}
