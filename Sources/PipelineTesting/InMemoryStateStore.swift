public import PipelineEngine
public import PipelineScheduler
public import PipelineModel
import Synchronization

/// A ``StateStore`` that keeps everything in memory: for tests of pipelines and of the engine.
///
/// It behaves like the durable stores (atomic batches, compare-and-set updates) and passes the same
/// conformance suite, so a test that passes here exercises the engine exactly as production does.
public final class InMemoryStateStore: StateStore, TriggerStateStore {
    private struct State {
        var runs: [RunID: RunRecord] = [:]
        var tasks: [RunID: [String: TaskRecord]] = [:]
        var logs: [RunID: [LogLine]] = [:]
        var cache: [String: CacheEntry] = [:]
        var triggers: [String: TriggerState] = [:]
        var evaluation: TriggerEvaluationLease?
        /// The current lease of each run (released leases are removed; epochs are kept in `epochs`).
        var leases: [RunID: RunLease] = [:]
        var epochs: [RunID: Int64] = [:]
        var commits = 0
        var runReads = 0
        /// The last batch applied to each run, by id.
        var lastBatch: [RunID: String] = [:]
        /// Each run's revision, and the revision at which each of its tasks last changed.
        var revisions: [RunID: Int64] = [:]
        var taskRevisions: [RunID: [String: Int64]] = [:]
    }

    private let state = Mutex(State())

    /// An empty store.
    public init() {}

    /// How many batches were committed (for tests that check durability points).
    public var commitCount: Int { state.withLock { $0.commits } }
    /// How many times ``run(_:)`` was called.
    public var runReadCount: Int { state.withLock { $0.runReads } }

    /// Throws ``StateStoreError/leaseLost(_:holder:)`` when the store holds run `id` and its lease is no longer the
    /// one of `epoch`: the fence of a task queue kept beside this store (``InMemoryTaskQueue/init(fencedBy:)``).
    func checkQueueFence(run id: RunID, epoch: Int64) throws {
        try state.withLock { state in
            guard state.runs[id] != nil else { return }
            let current = state.leases[id]
            guard current?.epoch != epoch else { return }
            throw StateStoreError.leaseLost(id, holder: current)
        }
    }

    /// Stores a new run and its initial task records.
    public func createRun(_ run: RunRecord, tasks: [TaskRecord]) async throws {
        try state.withLock { state in
            guard state.runs[run.id] == nil else { throw StateStoreError.duplicateRun(run.id) }
            if let key = run.idempotencyKey, state.runs.values.contains(where: { $0.idempotencyKey == key }) {
                throw StateStoreError.duplicateIdempotencyKey(key)
            }
            state.runs[run.id] = run
            state.tasks[run.id] = Dictionary(tasks.map { ($0.taskID, $0) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// Applies a batch atomically, checking every compare-and-set first.
    public func commit(_ batch: StateBatch) async throws {
        try state.withLock { state in
            if let run = batch.run, state.runs[run.id] == nil { throw StateStoreError.unknownRun(run.id) }
            if let fence = batch.fence, let id = batch.id, state.lastBatch[fence.runID] == id { return }  // applied
            if let fence = batch.fence {
                let current = state.leases[fence.runID]
                guard current?.epoch == fence.epoch, current?.owner == fence.owner else {
                    throw StateStoreError.leaseLost(fence.runID, holder: current)
                }
            }
            var staged = state.tasks
            for update in batch.tasks {
                guard state.runs[update.runID] != nil else { throw StateStoreError.unknownRun(update.runID) }
                let current = staged[update.runID]?[update.record.taskID]
                if let expected = update.expected, current?.state != expected {
                    throw StateStoreError.conflict(
                        run: update.runID, task: update.record.taskID, expected: expected, actual: current?.state)
                }
                if update.undecided, current?.decision != nil {
                    throw StateStoreError.alreadyDecided(run: update.runID, task: update.record.taskID)
                }
                staged[update.runID, default: [:]][update.record.taskID] = update.record
            }
            state.tasks = staged
            for id in Set(batch.tasks.map(\.runID)) {
                let revision = state.revisions[id, default: 0] + 1
                state.revisions[id] = revision
                for update in batch.tasks where update.runID == id {
                    state.taskRevisions[id, default: [:]][update.record.taskID] = revision
                }
            }
            if var run = batch.run {
                run.idempotencyKey = state.runs[run.id]?.idempotencyKey ?? run.idempotencyKey  // never replaced
                state.runs[run.id] = run
            }
            for line in batch.logs { state.logs[line.runID, default: []].append(line) }
            for entry in batch.cache { state.cache[entry.key] = entry }
            if let fence = batch.fence, let id = batch.id { state.lastBatch[fence.runID] = id }
            if batch.releasesFence, let fence = batch.fence { state.leases[fence.runID] = nil }
            state.commits += 1
        }
    }

    /// Takes the run's lease (see ``StateStore/acquireLease(run:owner:at:expiresAt:mode:)``).
    public func acquireLease(
        run id: RunID, owner: RunOwner, at now: Timestamp, expiresAt: Timestamp, mode: LeaseAcquisition
    ) async throws -> RunLease {
        try state.withLock { state in
            guard state.runs[id] != nil else { throw StateStoreError.unknownRun(id) }
            if let current = state.leases[id], current.isLive(at: now), current.owner != owner {
                switch mode {
                case .takeover: break
                case .replacing(let dead) where dead.epoch == current.epoch: break
                case .whenFree, .replacing: throw StateStoreError.leased(current)
                }
            }
            let epoch = (state.epochs[id] ?? 0) + 1
            let lease = RunLease(runID: id, owner: owner, epoch: epoch, acquiredAt: now, heartbeatAt: now, expiresAt: expiresAt)
            state.epochs[id] = epoch
            state.leases[id] = lease
            return lease
        }
    }

    /// Extends a lease that is still the run's.
    public func renewLease(_ lease: RunLease, at now: Timestamp, expiresAt: Timestamp) async throws -> RunLease {
        try state.withLock { state in
            guard let current = state.leases[lease.runID], current.epoch == lease.epoch, current.owner == lease.owner else {
                throw StateStoreError.leaseLost(lease.runID, holder: state.leases[lease.runID])
            }
            var renewed = current
            renewed.heartbeatAt = now
            renewed.expiresAt = expiresAt
            state.leases[lease.runID] = renewed
            return renewed
        }
    }

    /// Gives a lease up, if it is still the run's.
    public func releaseLease(_ lease: RunLease) async throws {
        state.withLock { state in
            if let current = state.leases[lease.runID], current.epoch == lease.epoch, current.owner == lease.owner {
                state.leases[lease.runID] = nil
            }
        }
    }

    /// The run's current lease.
    public func lease(of id: RunID) async throws -> RunLease? { state.withLock { $0.leases[id] } }

    /// The run with `id`.
    public func run(_ id: RunID) async throws -> RunRecord? {
        state.withLock { state in
            state.runReads += 1
            return state.runs[id]
        }
    }

    /// The task records of run `id`.
    public func tasks(of id: RunID) async throws -> [TaskRecord] {
        state.withLock { Array(($0.tasks[id] ?? [:]).values) }
    }

    /// The run's tasks changed after `revision` (see ``StateStore/tasks(of:changedAfter:)``).
    public func tasks(of id: RunID, changedAfter revision: Int64?) async throws -> TaskChanges {
        state.withLock { state in
            let tasks = (state.tasks[id] ?? [:]).values.filter { record in
                guard let revision else { return true }
                return (state.taskRevisions[id]?[record.taskID] ?? 0) > revision
            }
            return TaskChanges(tasks: Array(tasks), revision: state.revisions[id, default: 0])
        }
    }

    /// Newest runs first.
    public func runs(pipeline: String?, limit: Int) async throws -> [RunRecord] {
        state.withLock { state in
            Array(
                state.runs.values.filter { pipeline == nil || $0.pipeline == pipeline }
                    .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
                    .prefix(max(0, limit)))
        }
    }

    /// Run ids starting with `prefix`.
    public func runIDs(withPrefix prefix: String) async throws -> [RunID] {
        // Capped like the SQLite store: a prefix is for finding one run, not for listing.
        state.withLock { state in Array(state.runs.keys.filter { $0.rawValue.hasPrefix(prefix) }.sorted().prefix(10)) }
    }

    /// Log lines in write order.
    public func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine] {
        state.withLock { state in
            (state.logs[id] ?? []).filter { (task == nil || $0.taskID == task) && (attempt == nil || $0.attempt == attempt) }
        }
    }

    /// The entry under `key`.
    public func cacheEntry(forKey key: String) async throws -> CacheEntry? { state.withLock { $0.cache[key] } }

    /// Every entry, newest first.
    public func cacheEntries() async throws -> [CacheEntry] {
        state.withLock { state in state.cache.values.sorted { ($0.createdAt, $0.key) > ($1.createdAt, $1.key) } }
    }

    /// Deletes entries of `task`, or all.
    public func clearCache(task: String?) async throws -> Int {
        state.withLock { state in
            let doomed = state.cache.values.filter { task == nil || $0.taskID == task }.map(\.key)
            for key in doomed { state.cache[key] = nil }
            return doomed.count
        }
    }

    /// Finished runs that ended before `cutoff`, oldest first.
    public func finishedRuns(before cutoff: Timestamp) async throws -> [FinishedRun] {
        state.withLock { state in
            state.runs.values.compactMap { run -> FinishedRun? in
                let ended = run.finishedAt ?? run.createdAt
                guard run.state.isFinished, ended < cutoff else { return nil }
                return FinishedRun(
                    id: run.id, pipeline: run.pipeline, state: run.state, finishedAt: ended,
                    tasks: state.tasks[run.id]?.count ?? 0, logLines: state.logs[run.id]?.count ?? 0)
            }
            .sorted { ($0.finishedAt, $0.id.rawValue) < ($1.finishedAt, $1.id.rawValue) }
        }
    }

    /// The artifact references in the outputs of the tasks of every run not in `excluded`.
    public func artifactReferences(excludingRuns excluded: Set<RunID>) async throws -> Set<String> {
        state.withLock { state in
            var references = Set<String>()
            for (run, tasks) in state.tasks where !excluded.contains(run) {
                for task in tasks.values {
                    if let outputs = task.outputs { ArtifactReference.collect(in: .object(outputs), into: &references) }
                }
            }
            return references
        }
    }

    /// Deletes the finished runs of `ids` with their tasks and logs.
    public func deleteFinishedRuns(_ ids: [RunID]) async throws -> RunDeletion {
        state.withLock { state in
            var deletion = RunDeletion()
            for id in ids where state.runs[id]?.state.isFinished == true {
                deletion.runs += 1
                deletion.tasks += state.tasks[id]?.count ?? 0
                deletion.logLines += state.logs[id]?.count ?? 0
                state.runs[id] = nil
                state.tasks[id] = nil
                state.logs[id] = nil
                state.leases[id] = nil
                state.revisions[id] = nil
                state.taskRevisions[id] = nil
            }
            return deletion
        }
    }

    /// The stored trigger state of `pipeline`.
    public func triggerState(pipeline: String) async throws -> TriggerState? {
        state.withLock { $0.triggers[pipeline] }
    }

    /// Replaces the trigger state of its pipeline.
    public func saveTriggerState(_ triggerState: TriggerState) async throws {
        state.withLock { $0.triggers[triggerState.pipeline] = triggerState }
    }

    /// Takes or renews the right to evaluate triggers.
    public func claimTriggerEvaluation(by owner: RunOwner, at now: Timestamp, until expiresAt: Timestamp) async throws
        -> TriggerEvaluationLease
    {
        state.withLock { state in
            if let held = state.evaluation, held.owner != owner, now < held.expiresAt { return held }
            let acquired = state.evaluation.flatMap { $0.owner == owner ? $0.acquiredAt : nil } ?? now
            let lease = TriggerEvaluationLease(owner: owner, acquiredAt: acquired, expiresAt: expiresAt)
            state.evaluation = lease
            return lease
        }
    }

    /// Gives the right up when `owner` holds it.
    public func releaseTriggerEvaluation(by owner: RunOwner) async throws {
        state.withLock { state in
            if state.evaluation?.owner == owner { state.evaluation = nil }
        }
    }
}
