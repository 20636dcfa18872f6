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
            return run.id
        } catch StateStoreError.duplicateIdempotencyKey {
            return nil
        }
    }

    /// Adds an existing run (to resume) to the queue.
    public func enqueue(_ id: RunID) {
        pending.withLock { $0.append(id) }
    }

    /// Takes every run handed over since the last call.
    func drain() -> [RunID] {
        pending.withLock { ids in
            defer { ids.removeAll() }
            return ids
        }
    }
}
