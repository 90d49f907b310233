import Dispatch
import Foundation

/// Runs `tasks` at the same time (on up to as many threads as there are cores) and returns
/// their results in task order, so the outcome never depends on which finished first.
/// - Throws: the error of the first task (in order) that threw, after all have finished.
func concurrently<T: Sendable>(_ tasks: [@Sendable () throws -> T]) throws -> [T] {
    let results = ResultSlots<T>(count: tasks.count)
    DispatchQueue.concurrentPerform(iterations: tasks.count) { n in
        results.set(n, Result { try tasks[n]() })
    }
    return try results.values().map { try $0.get() }
}

/// One slot per task, each written once by its task, under a lock.
private final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ n: Int, _ result: Result<T, any Error>) {
        lock.lock()
        slots[n] = result
        lock.unlock()
    }

    func values() -> [Result<T, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
