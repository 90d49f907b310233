import Dispatch
import Foundation

/// Runs work over an index range on a fixed number of threads and hands the results to the
/// caller in index order, whichever thread finished first.
enum ParallelMap {
    /// Calls `body` once for each index in `range` on `jobs` worker threads, at most `window`
    /// indices ahead of the consumer, and calls `consume` with each result in index order on
    /// the calling thread as soon as it and every earlier one are ready. Workers never wait
    /// for a whole batch, so no core idles while one slow item finishes.
    ///
    /// - Throws: the error of the first index (in order) whose `body` failed, after
    ///   consuming every earlier result; or the first error `consume` throws. No further
    ///   items are started after a failure; running ones finish and are discarded.
    /// - Complexity: memory for at most `window` results at a time.
    static func forEachInOrder<T: Sendable>(
        _ range: Range<Int>, jobs: Int, window: Int,
        _ body: @Sendable @escaping (Int) throws -> T,
        consume: (T) throws -> Void
    ) throws {
        guard !range.isEmpty else { return }
        let state = State<T>(range: range, window: max(1, window))
        let group = DispatchGroup()
        for _ in 0..<max(1, min(jobs, range.count)) {
            DispatchQueue.global().async(group: group) {
                while let index = state.claim() {
                    state.store(Result { try body(index) }, at: index)
                }
            }
        }
        defer {
            state.stop()
            group.wait()
        }
        for index in range {
            try consume(try state.take(index).get())
        }
    }

    /// The shared state of one run, under one condition variable.
    private final class State<T: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private let end: Int
        private let window: Int
        private var nextClaim: Int
        private var nextTake: Int
        private var results: [Int: Result<T, any Error>] = [:]
        private var isStopped = false

        init(range: Range<Int>, window: Int) {
            end = range.upperBound
            nextClaim = range.lowerBound
            nextTake = range.lowerBound
            self.window = window
        }

        /// The next index to work on, waiting while the window is full; `nil` when done.
        func claim() -> Int? {
            condition.lock()
            defer { condition.unlock() }
            while !isStopped, nextClaim < end, nextClaim - nextTake >= window { condition.wait() }
            guard !isStopped, nextClaim < end else { return nil }
            nextClaim += 1
            return nextClaim - 1
        }

        func store(_ result: Result<T, any Error>, at index: Int) {
            condition.lock()
            results[index] = result
            condition.broadcast()
            condition.unlock()
        }

        /// Waits for the result of `index` and removes it, opening the window by one.
        func take(_ index: Int) -> Result<T, any Error> {
            condition.lock()
            defer { condition.unlock() }
            while results[index] == nil { condition.wait() }
            nextTake = index + 1
            condition.broadcast()
            return results.removeValue(forKey: index)!
        }

        /// Lets the workers finish: no index is handed out any more.
        func stop() {
            condition.lock()
            isStopped = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
