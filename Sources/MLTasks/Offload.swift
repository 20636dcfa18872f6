import Foundation

/// Runs CPU-heavy, synchronous work (parsing, training, scoring) on a thread of its own, so it holds neither a
/// thread of Swift concurrency's cooperative pool nor one of Dispatch's global queues (both are as wide as the
/// machine has cores): the engine's loop, timers, command tasks and other work stay responsive meanwhile.
enum Offload {
    /// Runs `body` on a new thread and returns (or throws) its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
