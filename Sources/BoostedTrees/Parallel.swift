import Dispatch
import Synchronization

/// Runs independent tasks on a bounded number of threads.
enum Parallel {
    /// Calls `body(task)` for every task in `0..<tasks` using at most `threads` threads.
    ///
    /// Tasks are handed out dynamically; callers make results independent of which thread runs a task.
    static func forEach(tasks: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        if tasks <= 0 { return }
        if threads <= 1 || tasks == 1 {
            for t in 0..<tasks { body(t) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(threads, tasks)) { _ in
            while true {
                let t = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if t >= tasks { break }
                body(t)
            }
        }
    }

    /// Splits `0..<count` into chunks of at most `chunk` and calls `body(range)` for each, in parallel.
    static func forEachChunk(count: Int, chunk: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = (count + chunk - 1) / chunk
        forEach(tasks: chunks, threads: threads) { c in
            body((c * chunk)..<min(count, (c + 1) * chunk))
        }
    }
}

/// One result slot per task, written by worker threads.
///
/// `@unchecked Sendable` because each task writes only its own slot of a fixed buffer (no array
/// reallocation or copy-on-write), and ``values`` is read only after ``Parallel/forEach(tasks:threads:_:)``
/// has returned.
final class ParallelResults<Value>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Value>

    init(count: Int, initial: Value) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: initial)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    subscript(index: Int) -> Value {
        get { buffer[index] }
        set { buffer[index] = newValue }
    }

    var values: [Value] { Array(buffer) }
}
