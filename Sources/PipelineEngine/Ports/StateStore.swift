import PipelineModel

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

    /// Applies `batch` atomically: all of it or none of it.
    ///
    /// Each task update is a compare-and-set: when ``TaskUpdate/expected`` is set and the stored state differs,
    /// nothing in the batch is written and ``StateStoreError/conflict(run:task:expected:actual:)`` is thrown.
    func commit(_ batch: StateBatch) async throws

    /// The run with `id`, if stored.
    func run(_ id: RunID) async throws -> RunRecord?

    /// The task records of run `id`, in no particular order.
    func tasks(of id: RunID) async throws -> [TaskRecord]

    /// The newest runs first, optionally only those of `pipeline`.
    func runs(pipeline: String?, limit: Int) async throws -> [RunRecord]

    /// Every run whose id starts with `prefix` (at most a few; used to resolve abbreviated ids).
    func runIDs(withPrefix prefix: String) async throws -> [RunID]

    /// Log lines of a run in the order they were written, optionally filtered by task and attempt.
    func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine]

    /// The cache entry stored under `key`, expired or not.
    func cacheEntry(forKey key: String) async throws -> CacheEntry?

    /// Every cache entry, newest first.
    func cacheEntries() async throws -> [CacheEntry]

    /// Deletes cache entries: those of `task` (in any pipeline) or, when `task` is `nil`, all of them.
    /// - Returns: How many entries were deleted.
    func clearCache(task: String?) async throws -> Int
}

/// Errors a state store reports.
public enum StateStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A run with this id already exists.
    case duplicateRun(RunID)
    /// A run with this idempotency key already exists.
    case duplicateIdempotencyKey(String)
    /// A compare-and-set task update found another state than expected.
    case conflict(run: RunID, task: String, expected: TaskState, actual: TaskState?)
    /// The run does not exist.
    case unknownRun(RunID)

    /// What went wrong.
    public var description: String {
        switch self {
        case .duplicateRun(let id): return "run \(id) already exists"
        case .duplicateIdempotencyKey(let key): return "a run with idempotency key '\(key)' already exists"
        case .conflict(let run, let task, let expected, let actual):
            return "task \(task) of run \(run) was \(actual?.rawValue ?? "missing"), expected \(expected.rawValue): another process changed it"
        case .unknownRun(let id): return "no run \(id) in this store"
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

    /// Creates a batch.
    public init(run: RunRecord? = nil, tasks: [TaskUpdate] = [], logs: [LogLine] = [], cache: [CacheEntry] = []) {
        self.run = run
        self.tasks = tasks
        self.logs = logs
        self.cache = cache
    }

    /// Whether the batch changes nothing.
    public var isEmpty: Bool { run == nil && tasks.isEmpty && logs.isEmpty && cache.isEmpty }
}

/// A new task record for a run, optionally guarded by the state the writer last saw.
public struct TaskUpdate: Sendable, Hashable {
    /// The run the task belongs to.
    public var runID: RunID
    /// The record to store.
    public var record: TaskRecord
    /// The state the stored record must have for the update to apply, or `nil` to write unconditionally.
    public var expected: TaskState?

    /// Creates an update.
    public init(runID: RunID, record: TaskRecord, expected: TaskState?) {
        self.runID = runID
        self.record = record
        self.expected = expected
    }
}
