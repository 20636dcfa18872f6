public import PipelineEngine
public import PipelineModel

/// A ``StateStore`` that times its commits into ``ServeMetrics`` (`kiln_store_commit_seconds`) and otherwise
/// forwards every call to the store it wraps.
public struct MeasuredStateStore: StateStore {
    /// The store that does the work.
    public let base: any StateStore
    let metrics: ServeMetrics

    /// Wraps `base`.
    public init(_ base: any StateStore, metrics: ServeMetrics) {
        self.base = base
        self.metrics = metrics
    }

    public func createRun(_ run: RunRecord, tasks: [TaskRecord]) async throws { try await base.createRun(run, tasks: tasks) }

    public func createRun(
        _ run: RunRecord, tasks: [TaskRecord], leasedTo owner: RunOwner, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> RunLease {
        try await base.createRun(run, tasks: tasks, leasedTo: owner, at: now, expiresAt: expiresAt)
    }

    public func leaseEpoch(of id: RunID) async throws -> Int64? { try await base.leaseEpoch(of: id) }

    public func commit(_ batch: StateBatch) async throws {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            metrics.recordCommit(nanoseconds: elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        try await base.commit(batch)
    }

    public func acquireLease(
        run id: RunID, owner: RunOwner, at now: Timestamp, expiresAt: Timestamp, mode: LeaseAcquisition
    ) async throws -> RunLease {
        try await base.acquireLease(run: id, owner: owner, at: now, expiresAt: expiresAt, mode: mode)
    }

    public func renewLease(_ lease: RunLease, at now: Timestamp, expiresAt: Timestamp) async throws -> RunLease {
        try await base.renewLease(lease, at: now, expiresAt: expiresAt)
    }

    public func releaseLease(_ lease: RunLease) async throws { try await base.releaseLease(lease) }
    public func lease(of id: RunID) async throws -> RunLease? { try await base.lease(of: id) }
    public func run(_ id: RunID) async throws -> RunRecord? { try await base.run(id) }
    public func tasks(of id: RunID) async throws -> [TaskRecord] { try await base.tasks(of: id) }
    public func runs(pipeline: String?, limit: Int) async throws -> [RunRecord] { try await base.runs(pipeline: pipeline, limit: limit) }
    public func runIDs(withPrefix prefix: String) async throws -> [RunID] { try await base.runIDs(withPrefix: prefix) }
    public func unclaimedQueuedRuns(limit: Int) async throws -> [RunID] { try await base.unclaimedQueuedRuns(limit: limit) }
    public func waitingRuns(limit: Int) async throws -> [RunID] { try await base.waitingRuns(limit: limit) }

    public func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine] {
        try await base.logs(of: id, task: task, attempt: attempt)
    }

    public func logs(of id: RunID, after count: Int) async throws -> [LogLine] {
        try await base.logs(of: id, after: count)
    }

    public func cacheEntry(forKey key: String) async throws -> CacheEntry? { try await base.cacheEntry(forKey: key) }
    public func cacheEntries(forKeys keys: [String]) async throws -> [String: CacheEntry] {
        try await base.cacheEntries(forKeys: keys)
    }
    public func cacheEntries() async throws -> [CacheEntry] { try await base.cacheEntries() }
    public func clearCache(task: String?) async throws -> Int { try await base.clearCache(task: task) }
    public func finishedRuns(before cutoff: Timestamp) async throws -> [FinishedRun] { try await base.finishedRuns(before: cutoff) }
    public func artifactReferences(excludingRuns excluded: Set<RunID>) async throws -> Set<String> {
        try await base.artifactReferences(excludingRuns: excluded)
    }
    public func deleteFinishedRuns(_ ids: [RunID]) async throws -> RunDeletion { try await base.deleteFinishedRuns(ids) }
}
