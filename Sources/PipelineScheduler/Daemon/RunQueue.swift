public import PipelineEngine
public import PipelineModel
import Synchronization

/// Hands runs created by the trigger service to the run-queue service, and launches them as `queued` runs.
///
/// ```swift
/// let queue = RunQueue(executor: executor)
/// let triggers = TriggerService(..., launcher: queue, ...)
/// let runner = RunQueueService(executor: executor, queue: queue, ...)
/// ```
public final class RunQueue: RunLauncher {
    let executor: PipelineExecutor
    private let pending = Mutex<[RunID]>([])
    /// Runs being executed by the run-queue service, to cancel one on request.
    private let executing = Mutex<[RunID: Task<RunRecord, any Error>]>([:])
    /// Rung when a run is handed over, so the run-queue service starts it at once instead of at its next poll.
    let arrivals = Doorbell()

    /// Creates a queue whose runs `executor` creates and executes.
    public init(executor: PipelineExecutor) {
        self.executor = executor
    }

    /// Stores a `queued` run and hands it to the run-queue service.
    public func launch(_ pipeline: WatchedPipeline, trigger: JSONValue, idempotencyKey: String) async throws -> RunID? {
        do {
            let run = try await executor.createRun(
                pipeline.plan, baseDirectory: pipeline.baseDirectory, trigger: trigger, idempotencyKey: idempotencyKey)
            pending.withLock { $0.append(run.id) }
            arrivals.ring()
            return run.id
        } catch StateStoreError.duplicateIdempotencyKey {
            return nil
        }
    }

    /// Adds an existing run (to resume) to the queue.
    public func enqueue(_ id: RunID) {
        pending.withLock { $0.append(id) }
        arrivals.ring()
    }

    /// Runs handed over and not yet finished: queued for the run-queue service or being executed by it.
    public var depth: Int {
        pending.withLock { $0.count } + executing.withLock { $0.count }
    }

    /// Cancels a run the run-queue service executes: its running tasks are stopped and it ends `cancelled`.
    ///
    /// - Returns: `false` when the service does not execute that run (it may be queued, or executed elsewhere).
    public func cancel(_ id: RunID) -> Bool {
        guard let task = executing.withLock({ $0[id] }) else { return false }
        task.cancel()
        return true
    }

    /// Executes `body` as the run `id`, cancellable by ``cancel(_:)`` as well as by the caller's cancellation.
    func executing(_ id: RunID, _ body: @escaping @Sendable () async throws -> RunRecord) async throws -> RunRecord {
        let task = Task { try await body() }
        executing.withLock { $0[id] = task }
        defer { executing.withLock { _ = $0.removeValue(forKey: id) } }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    /// Takes every run handed over since the last call.
    func drain() -> [RunID] {
        pending.withLock { ids in
            defer { ids.removeAll() }
            return ids
        }
    }
}
