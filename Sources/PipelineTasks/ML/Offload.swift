import Dispatch

/// Runs CPU-heavy, synchronous work (parsing, training, scoring) on a Dispatch queue instead of a thread of Swift
/// concurrency's cooperative pool, so the engine's loop, timers and other tasks stay responsive meanwhile.
enum Offload {
    /// Runs `body` on a global queue and returns (or throws) its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
