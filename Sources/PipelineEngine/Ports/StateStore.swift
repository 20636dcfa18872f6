import PipelineModel
import Synchronization

/// Where runs, task states, logs and cache entries are kept: the port every storage backend implements.
///
/// The engine commits every state change through ``commit(_:)`` before it starts any task that depends on it,
/// so a process killed at any point loses at most the attempts that were running.
///
/// Backends must pass the conformance suite in `PipelineTesting` (`StateStoreConformance`).
public protocol StateStore: Sendable {
    /// Stores a new run and the initial records of its tasks in one transaction.
    /// - Throws: ``StateStoreError/duplicateRun(_:)`` when a run with that id exists;
    ///   ``StateStoreError/duplicateIdempotencyKey(_:)`` when the run has an idempotency key another run has.
    func createRun(_ run: RunRecord, tasks: [TaskRecord]) async throws

    /// Stores a new run and its tasks, and takes the run's lease for `owner`, in one transaction.
    ///
    /// The lease is the one ``acquireLease(run:owner:at:expiresAt:mode:)`` would give for a run nobody has taken
    /// (epoch 1). A backend without a single-transaction form gets the default implementation: ``createRun(_:tasks:)``
    /// then ``acquireLease(run:owner:at:expiresAt:mode:)``.
    /// - Returns: The lease.
    /// - Throws: As ``createRun(_:tasks:)``.
    func createRun(
        _ run: RunRecord, tasks: [TaskRecord], leasedTo owner: RunOwner, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> RunLease

    /// Applies `batch` atomically: all of it or none of it.
    ///
    /// Each task update is a compare-and-set: when ``TaskUpdate/expected`` is set and the stored state differs,
    /// nothing in the batch is written and ``StateStoreError/conflict(run:task:expected:actual:)`` is thrown.
    /// When ``StateBatch/fence`` is set and the run's lease is no longer that one (another owner took the run),
    /// nothing is written and ``StateStoreError/leaseLost(_:holder:)`` is thrown. When
    /// ``StateBatch/releasesFence`` is set too, the lease is given up in the same transaction (as
    /// ``releaseLease(_:)`` would).
    func commit(_ batch: StateBatch) async throws

    /// Takes the lease on run `id` for `owner`, with an epoch one higher than any before.
    ///
    /// With ``LeaseAcquisition/whenFree`` it succeeds only when no lease is live at `now` (none, released, expired,
    /// or held by `owner` itself); ``LeaseAcquisition/takeover`` takes it from a live holder too.
    /// - Returns: The new lease.
    /// - Throws: ``StateStoreError/leased(_:)`` with the live lease of another owner;
    ///   ``StateStoreError/unknownRun(_:)``.
    func acquireLease(
        run id: RunID, owner: RunOwner, at now: Timestamp, expiresAt: Timestamp, mode: LeaseAcquisition
    ) async throws -> RunLease

    /// Extends `lease` to `expiresAt` (a heartbeat).
    /// - Returns: The renewed lease.
    /// - Throws: ``StateStoreError/leaseLost(_:holder:)`` when the run's lease is no longer `lease` (taken over).
    func renewLease(_ lease: RunLease, at now: Timestamp, expiresAt: Timestamp) async throws -> RunLease

    /// Gives `lease` up; does nothing when the run's lease is no longer `lease`.
    func releaseLease(_ lease: RunLease) async throws

    /// The run's current lease, live or expired; `nil` when none was taken or the last one was released.
    func lease(of id: RunID) async throws -> RunLease?

    /// The epoch of the run's held lease, or `nil` when none is held (cheaper than ``lease(of:)``: the executor
    /// asks before starting attempts whose `running` state is not stored yet). Defaults to ``lease(of:)``'s epoch.
    func leaseEpoch(of id: RunID) async throws -> Int64?

    /// The run with `id`, if stored.
    func run(_ id: RunID) async throws -> RunRecord?

    /// The state of run `id` alone, `nil` when it is not stored: what following a run asks on every look, without
    /// the pipeline snapshot ``run(_:)`` reads. Defaults to the state of ``run(_:)``'s record.
    func runState(of id: RunID) async throws -> RunState?

    /// The task records of run `id`, in no particular order.
    func tasks(of id: RunID) async throws -> [TaskRecord]

    /// The task records of run `id` that commits changed after `revision`, and the run's revision now (a number
    /// that grows with each commit that changes one of its tasks), read together; `nil` reads every task. What
    /// follows a run's progress reads only what changed since its last look. Defaults to every task, at revision 0.
    func tasks(of id: RunID, changedAfter revision: Int64?) async throws -> TaskChanges

    /// The newest runs first, optionally only those of `pipeline`.
    func runs(pipeline: String?, limit: Int) async throws -> [RunRecord]

    /// Runs stored `queued` that no process holds a lease on, oldest first: runs that `kiln run --remote` left for
    /// `kiln serve` to execute. Defaults to a filter of ``runs(pipeline:limit:)`` over the newest 1,000 runs.
    func unclaimedQueuedRuns(limit: Int) async throws -> [RunID]

    /// Runs stored `waiting` (for a decision or a deadline), newest first: what `kiln serve` looks at to resume
    /// decided runs. Defaults to a filter of ``runs(pipeline:limit:)`` over the newest 10,000 runs; stores override
    /// it with a query that reads no snapshot.
    func waitingRuns(limit: Int) async throws -> [RunID]

    /// Every run whose id starts with `prefix` (at most a few; used to resolve abbreviated ids).
    func runIDs(withPrefix prefix: String) async throws -> [RunID]

    /// Log lines of a run in the order they were written, optionally filtered by task and attempt.
    func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine]

    /// The log lines of a run after its first `count`, in the order they were written: what a follower that has
    /// seen `count` lines has not seen yet. (A default reads them all and drops the first `count`.)
    func logs(of id: RunID, after count: Int) async throws -> [LogLine]

    /// The cache entry stored under `key`, expired or not.
    func cacheEntry(forKey key: String) async throws -> CacheEntry?

    /// The cache entries stored under `keys`, expired or not, by key (a key without an entry is absent). One read
    /// for a whole step of cached tasks; a default reads them one by one through ``cacheEntry(forKey:)``.
    func cacheEntries(forKeys keys: [String]) async throws -> [String: CacheEntry]

    /// Every cache entry, newest first.
    func cacheEntries() async throws -> [CacheEntry]

    /// Deletes cache entries: those of `task` (in any pipeline) or, when `task` is `nil`, all of them.
    /// - Returns: How many entries were deleted.
    func clearCache(task: String?) async throws -> Int

    /// Runs that have finished (`succeeded`, `failed`, `cancelled`) and ended before `cutoff` (their creation time
    /// when no end was recorded), oldest first, with how many task records and log lines each has.
    func finishedRuns(before cutoff: Timestamp) async throws -> [FinishedRun]

    /// Every artifact reference (see ``ArtifactReference/scan(_:into:)``) in the stored outputs of the tasks of every
    /// run except those in `excluded` — unfinished runs included.
    func artifactReferences(excludingRuns excluded: Set<RunID>) async throws -> Set<String>

    /// Deletes the runs of `ids` that have finished, with their task records and log lines, in one transaction; a
    /// run that is queued, running or waiting (or unknown) is left alone.
    /// - Returns: What was deleted.
    func deleteFinishedRuns(_ ids: [RunID]) async throws -> RunDeletion
}

extension StateStore {
    /// Stores a new run and takes its lease in two steps: ``createRun(_:tasks:)``, then
    /// ``acquireLease(run:owner:at:expiresAt:mode:)``.
    public func createRun(
        _ run: RunRecord, tasks: [TaskRecord], leasedTo owner: RunOwner, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> RunLease {
        try await createRun(run, tasks: tasks)
        return try await acquireLease(run: run.id, owner: owner, at: now, expiresAt: expiresAt, mode: .whenFree)
    }
}

extension StateStore {
    /// Each entry read through ``cacheEntry(forKey:)``.
    public func cacheEntries(forKeys keys: [String]) async throws -> [String: CacheEntry] {
        var found: [String: CacheEntry] = [:]
        for key in Set(keys) {
            if let entry = try await cacheEntry(forKey: key) { found[key] = entry }
        }
        return found
    }
}

/// The task records a store read for ``StateStore/tasks(of:changedAfter:)``.
public struct TaskChanges: Sendable, Equatable {
    /// The records changed after the revision asked about (every record, when none was given).
    public var tasks: [TaskRecord]
    /// The run's revision when they were read: the next look asks for changes after it.
    public var revision: Int64

    /// Creates the result of a read.
    public init(tasks: [TaskRecord], revision: Int64) {
        self.tasks = tasks
        self.revision = revision
    }
}

extension StateStore {
    /// The state of ``run(_:)``'s record.
    public func runState(of id: RunID) async throws -> RunState? { try await run(id)?.state }
}

extension StateStore {
    /// Every task of the run (through ``tasks(of:)``), at revision 0: a store that keeps no revisions is read whole.
    public func tasks(of id: RunID, changedAfter revision: Int64?) async throws -> TaskChanges {
        TaskChanges(tasks: try await tasks(of: id), revision: 0)
    }
}

extension StateStore {
    /// All the run's lines, less the first `count`.
    public func logs(of id: RunID, after count: Int) async throws -> [LogLine] {
        Array(try await logs(of: id, task: nil, attempt: nil).dropFirst(max(0, count)))
    }
}

extension StateStore {
    /// Queued runs without a lease, read through ``runs(pipeline:limit:)`` and ``lease(of:)``.
    public func unclaimedQueuedRuns(limit: Int) async throws -> [RunID] {
        var found: [RunID] = []
        for run in try await runs(pipeline: nil, limit: 1_000).reversed() where run.state == .queued {
            if try await lease(of: run.id) == nil { found.append(run.id) }
            if found.count >= limit { break }
        }
        return found
    }
}

extension StateStore {
    /// Waiting runs among the newest 10,000, read through ``runs(pipeline:limit:)``.
    public func waitingRuns(limit: Int) async throws -> [RunID] {
        Array(try await runs(pipeline: nil, limit: 10_000).lazy.filter { $0.state == .waiting }.map(\.id).prefix(limit))
    }
}

extension StateStore {
    /// The held lease's epoch, read through ``lease(of:)``.
    public func leaseEpoch(of id: RunID) async throws -> Int64? {
        try await lease(of: id)?.epoch
    }
}

public enum StateStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A run with this id already exists.
    case duplicateRun(RunID)
    /// A run with this idempotency key already exists.
    case duplicateIdempotencyKey(String)
    /// A compare-and-set task update found another state than expected.
    case conflict(run: RunID, task: String, expected: TaskState, actual: TaskState?)
    /// A decision was recorded for a task that another writer decided first.
    case alreadyDecided(run: RunID, task: String)
    /// The run does not exist.
    case unknownRun(RunID)
    /// Another owner holds a live lease on the run.
    case leased(RunLease)
    /// The writer's lease on the run is gone: another owner took the run (`holder`, when one holds it).
    case leaseLost(RunID, holder: RunLease?)

    /// What went wrong.
    public var description: String {
        switch self {
        case .duplicateRun(let id): return "run \(id) already exists"
        case .duplicateIdempotencyKey(let key): return "a run with idempotency key '\(key)' already exists"
        case .conflict(let run, let task, let expected, let actual):
            return "task \(task) of run \(run) was \(actual?.rawValue ?? "missing"), expected \(expected.rawValue): another process changed it"
        case .alreadyDecided(let run, let task):
            return "task \(task) of run \(run) was decided meanwhile by someone else; see `kiln show \(run)`"
        case .unknownRun(let id): return "no run \(id) in this store"
        case .leased(let lease):
            return "run \(lease.runID) is being executed by \(lease.owner) since \(lease.acquiredAt.iso8601) "
                + "(last heartbeat \(lease.heartbeatAt.iso8601), lease expires \(lease.expiresAt.iso8601))"
        case .leaseLost(let id, let holder):
            return "this process no longer owns run \(id)"
                + (holder.map { ": \($0.owner) took it over at \($0.acquiredAt.iso8601)" } ?? "")
        }
    }
}

/// A group of changes committed in one transaction.
public struct StateBatch: Sendable, Hashable {
    /// The run's new record, if it changed.
    public var run: RunRecord?
    /// Task record changes, applied in order.
    public var tasks: [TaskUpdate]
    /// Log lines to append.
    public var logs: [LogLine]
    /// Cache entries to insert or replace.
    public var cache: [CacheEntry]
    /// The lease the writer holds on the batch's run: the batch applies only while that lease is the run's.
    public var fence: RunLease?
    /// Whether the batch also gives up ``fence`` (the executor's last commit of a run): one transaction instead of
    /// a commit and a ``StateStore/releaseLease(_:)``.
    public var releasesFence: Bool
    /// The batch's identity, with ``fence``: a store records the last one applied to the fenced run, and a batch
    /// committed again with that id changes nothing and succeeds. This makes retrying safe when a commit's outcome is
    /// unknown (a database connection lost after `COMMIT` was sent): the retry either applies the batch or finds it
    /// applied — never twice.
    public var id: String?

    /// Creates a batch.
    public init(
        run: RunRecord? = nil, tasks: [TaskUpdate] = [], logs: [LogLine] = [], cache: [CacheEntry] = [],
        fence: RunLease? = nil, releasesFence: Bool = false, id: String? = nil
    ) {
        self.run = run
        self.tasks = tasks
        self.logs = logs
        self.cache = cache
        self.fence = fence
        self.releasesFence = releasesFence
        self.id = id
    }

    /// A new batch identity, unique across processes and time: a random 64-bit number drawn once per process, and
    /// this process's count of identities made (hex). A commit costs no call for randomness.
    public static func newID() -> String {
        String(BatchIDs.process, radix: 16) + "-" + String(BatchIDs.made.add(1, ordering: .relaxed).newValue, radix: 16)
    }

    /// Whether the batch changes nothing.
    public var isEmpty: Bool {
        run == nil && tasks.isEmpty && logs.isEmpty && cache.isEmpty && !(releasesFence && fence != nil)
    }

    /// For each of ``tasks``, whether it is an unconditional update that a later unconditional update of the same
    /// task replaces (the executor's batches often hold a task's `running` and its end): a store that writes only the
    /// others stores the same.
    public var supersededTaskUpdates: [Bool] {
        var superseded = [Bool](repeating: false, count: tasks.count)
        guard tasks.count > 1 else { return superseded }
        var laterIsUnconditional: [SameTask: Bool] = [:]
        laterIsUnconditional.reserveCapacity(tasks.count)
        for index in tasks.indices.reversed() {
            // Read in place: a copy of the update would retain every reference its record holds.
            let unconditional = tasks[index].expected == nil
            let key = SameTask(run: tasks[index].runID, task: tasks[index].record.taskID)
            let later = laterIsUnconditional.updateValue(unconditional, forKey: key)
            superseded[index] = unconditional && later == true
        }
        return superseded
    }
}

/// A task of a run, as a key: hashed by the task id alone (a batch nearly always holds one run's updates, whose id
/// would add hashing and tell nothing), compared by both.
private struct SameTask: Hashable {
    let run: RunID
    let task: String

    func hash(into hasher: inout Hasher) { hasher.combine(task) }
}

/// A new task record for a run, optionally guarded by the state the writer last saw.
public struct TaskUpdate: Sendable, Hashable {
    /// The run the task belongs to.
    public var runID: RunID
    /// The record to store.
    public var record: TaskRecord
    /// The state the stored record must have for the update to apply, or `nil` to write unconditionally.
    public var expected: TaskState?
    /// With ``expected``: the stored record must also have no decision yet, so that of two concurrent decisions on a
    /// waiting task exactly one is recorded (the other gets ``StateStoreError/alreadyDecided(run:task:)``).
    public var undecided: Bool

    /// Creates an update.
    public init(runID: RunID, record: TaskRecord, expected: TaskState?, undecided: Bool = false) {
        precondition(!undecided || expected != nil, "undecided needs an expected state")
        self.runID = runID
        self.record = record
        self.expected = expected
        self.undecided = undecided
    }
}

/// What ``StateBatch/newID()`` draws on.
private enum BatchIDs {
    /// This process's random part.
    static let process: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    /// Identities made so far.
    static let made = Atomic<UInt64>(0)
}
