public import PipelineEngine
public import PipelineModel

/// Starts runs that triggers decided on.
public protocol RunLauncher: Sendable {
    /// Creates a run of `pipeline` with `trigger` and `idempotencyKey`, to be executed.
    ///
    /// - Returns: The new run's id, or `nil` when a run with that idempotency key exists already (it was
    ///   launched before, e.g. by a daemon that stopped before storing that it had).
    func launch(_ pipeline: WatchedPipeline, trigger: JSONValue, idempotencyKey: String) async throws -> RunID?
}
