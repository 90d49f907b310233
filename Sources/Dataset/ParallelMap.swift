import Dispatch
import Foundation

/// Runs work over an index range, or over items a caller produces one by one, on a fixed
/// number of threads and hands the results to the caller in order, whichever thread
/// finished first.
public enum ParallelMap {
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
        try forEachInOrder(jobs: jobs, window: window, produce: { submit in
            for index in range { try submit(index) }
        }, work: body, consume: { _, result in try consume(result) })
    }

    /// Calls `work` on `jobs` worker threads with each item that `produce` hands to its
    /// `submit` argument, and calls `consume` with each item and its result on the calling
    /// thread, in the order the items were submitted. `produce` runs on the calling thread
    /// too; while `window` items are submitted and not yet consumed, `submit` first consumes
    /// the oldest (waiting for its result), so memory holds at most `window` items and
    /// results whatever the number of items. With `jobs` 1 no thread is started: each item
    /// is worked and consumed before `submit` returns.
    ///
    /// The order of everything `consume` sees, and which error is thrown, do not depend on
    /// `jobs` or on timing.
    /// - Throws: the first error in submission order: `work`'s for an item (after consuming
    ///   every earlier item) or `consume`'s; when `produce` itself throws, the items it
    ///   submitted before are consumed first and their first error wins, else `produce`'s.
    ///   No further work starts after a failure; running work finishes and is discarded.
    public static func forEachInOrder<Item: Sendable, Output: Sendable>(
        jobs: Int, window: Int,
        produce: (_ submit: (Item) throws -> Void) throws -> Void,
        work: @Sendable @escaping (Item) throws -> Output,
        consume: (Item, Output) throws -> Void
    ) throws {
        // `submit` calls `consume`; it never outlives this call.
        try withoutActuallyEscaping(consume) { consume in
            guard jobs > 1 else {
                try produce { item in try consume(item, try work(item)) }
                return
            }
            let queue = WorkQueue<Item, Output>(work: work)
            let group = DispatchGroup()
            for _ in 0..<jobs {
                DispatchQueue.global().async(group: group) { queue.runWorker() }
            }
            defer {
                queue.stop()
                group.wait()
            }
            // Submitted and not yet consumed, oldest first (the calling thread's own list).
            var pending: [(index: Int, item: Item)] = []
            var head = 0, submitted = 0
            // Set once an item's work or consume failed: nothing is consumed after it.
            var hasFailed = false
            func consumeOldest() throws {
                let (index, item) = pending[head]
                head += 1
                if head == pending.count || head >= 64 {
                    pending.removeFirst(head)
                    head = 0
                }
                do { try consume(item, try queue.take(index).get()) } catch {
                    hasFailed = true
                    throw error
                }
            }
            do {
                try produce { item in
                    while pending.count - head >= max(1, window) { try consumeOldest() }
                    queue.submit(item, at: submitted)
                    pending.append((submitted, item))
                    submitted += 1
                }
            } catch {
                // produce's own error: the items before it come first.
                if !hasFailed { while head < pending.count { try consumeOldest() } }
                throw error
            }
            while head < pending.count { try consumeOldest() }
        }
    }

    /// The workers' side of ``forEachInOrder(jobs:window:produce:work:consume:)``: items
    /// waiting for a worker, and results waiting for the consumer, under one condition.
    private final class WorkQueue<Item: Sendable, Output: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private let work: @Sendable (Item) throws -> Output
        private var waiting: [(index: Int, item: Item)] = []
        private var results: [Int: Result<Output, any Error>] = [:]
        private var isStopped = false

        init(work: @Sendable @escaping (Item) throws -> Output) { self.work = work }

        func submit(_ item: Item, at index: Int) {
            condition.lock()
            waiting.append((index, item))
            condition.broadcast()
            condition.unlock()
        }

        /// A worker's loop: works items oldest first until stopped.
        func runWorker() {
            while true {
                condition.lock()
                while !isStopped, waiting.isEmpty { condition.wait() }
                guard !isStopped else { condition.unlock(); return }
                let (index, item) = waiting.removeFirst()
                condition.unlock()
                let result = Result { try work(item) }
                condition.lock()
                results[index] = result
                condition.broadcast()
                condition.unlock()
            }
        }

        /// Waits for the result of `index` and removes it.
        func take(_ index: Int) -> Result<Output, any Error> {
            condition.lock()
            defer { condition.unlock() }
            while results[index] == nil { condition.wait() }
            return results.removeValue(forKey: index)!
        }

        /// Ends the workers: waiting items are dropped, running ones finish.
        func stop() {
            condition.lock()
            isStopped = true
            waiting.removeAll()
            condition.broadcast()
            condition.unlock()
        }
    }
}
