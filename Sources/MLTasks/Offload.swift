import Foundation
import Synchronization

/// Runs CPU-heavy, synchronous work (parsing, training, scoring) on a thread of its own, so it holds neither a
/// thread of Swift concurrency's cooperative pool nor one of Dispatch's global queues (both are as wide as the
/// machine has cores): the engine's loop, timers, command tasks and other work stay responsive meanwhile.
///
/// Cancellation of the calling task sets a ``CancellationFlag`` the work can poll (the numeric libraries take it
/// as a `shouldStop` closure and check it between boosting rounds, Newton iterations, drift columns and blocks
/// of CSV rows); when the work then throws, the caller gets a `CancellationError`, so a cancelled task ends
/// as cancelled rather than failed.
enum Offload {
    /// Runs `body` on a new thread and returns (or throws) its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run { _ in try body() }
    }

    /// Runs `body` on a new thread with a flag that becomes set when the calling task is cancelled.
    static func run<T: Sendable>(_ body: @escaping @Sendable (CancellationFlag) throws -> T) async throws -> T {
        try Task.checkCancellation()
        let flag = CancellationFlag()
        let result: Result<T, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: Result { try body(flag) }) }
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
        if case .failure = result, flag.isCancelled { throw CancellationError() }
        return try result.get()
    }
}

/// A flag set once when the task that started offloaded work is cancelled; the work polls it.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// Whether the task was cancelled.
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Marks the work as cancelled.
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// A closure for the numeric libraries' `shouldStop` parameters.
    var check: @Sendable () -> Bool { { [self] in isCancelled } }
}
