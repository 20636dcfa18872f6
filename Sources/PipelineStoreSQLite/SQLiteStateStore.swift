internal import GRDB
public import PipelineEngine
public import PipelineModel
import PipelineScheduler
import Synchronization

/// A ``StateStore`` kept in one SQLite database file: the store `kiln` uses.
///
/// ```swift
/// let store = try SQLiteStateStore(path: SQLiteStateStore.defaultPath(home: "/home/me/.kiln"))
/// try await store.createRun(run, tasks: records)
/// try await store.commit(StateBatch(tasks: [TaskUpdate(runID: run.id, record: started, expected: .pending)]))
/// ```
///
/// A file database runs in WAL mode with `synchronous=NORMAL`: every committed batch survives the process
/// being killed (even with `kill -9`); only a power loss or an operating system crash can drop the last
/// few commits. Writes are `IMMEDIATE` transactions that wait (up to 70 seconds, suspending the task, never
/// blocking a thread) while another process holds the lock, so several `kiln` processes can share one database
/// without failing with "database is locked".
/// Readers never block the writer and see only committed batches.
///
/// The schema is created and upgraded by append-only SQL migrations when the store opens; its tables
/// and column values are a contract that other tools may read.
public final class SQLiteStateStore: StateStore {
    /// The connection (file: a WAL pool; memory: a serial queue).
    let writer: any DatabaseWriter
    /// Which runs' snapshots are known to be stored already (so run updates skip re-encoding them).
    let snapshots = SnapshotCache()
    /// The database's scheduler wake-ups (`nil` in memory): a queued or ended run is posted as ``SchedulerSignal/run``.
    public let wakeups: LocalWakeFile?
    /// The last batch this store applied to each run (``StateBatch/id``). A local commit's outcome is never unknown
    /// (when `commit` throws, the transaction rolled back), so a replay can only come from a caller of this very
    /// store: remembering ids here detects it without writing anything per commit.
    let appliedBatches = AppliedBatches()

    /// Opens the database at `path`, creating the file and its parent folders when missing.
    ///
    /// The path `":memory:"` opens a private in-memory database, like ``inMemory()``.
    ///
    /// - Parameters:
    ///   - path: The database file.
    /// - Throws: An error when the folder cannot be created, the file cannot be opened as an SQLite
    ///   database, or the schema cannot be migrated (for example, a database written by a newer `kiln`).
    public convenience init(path: String) throws {
        try self.init(writer: StoreDatabase.open(path: path))
    }

    /// Wraps an open, migrated connection.
    private init(writer: any DatabaseWriter) {
        self.writer = writer
        self.wakeups = (writer as? DatabasePool).map { LocalWakeFile(databasePath: $0.path) }
    }

    /// A new, empty store that lives in memory and disappears with the value: for tests.
    ///
    /// - Returns: The store.
    /// - Throws: An error when SQLite cannot open the in-memory database (practically never).
    public static func inMemory() throws -> SQLiteStateStore {
        SQLiteStateStore(writer: try StoreDatabase.open(path: ":memory:"))
    }

    /// Where `kiln` keeps its database inside its home folder: `<home>/kiln.db`.
    ///
    /// - Parameters:
    ///   - home: The kiln home folder (for example `~/.kiln` or a project's `.kiln`).
    /// - Returns: The database path.
    public static func defaultPath(home: String) -> String {
        home.hasSuffix("/") ? home + "kiln.db" : home + "/kiln.db"
    }

    /// Stores a new run and the initial records of its tasks in one transaction.
    ///
    /// Several records with the same task id keep the last one.
    ///
    /// - Parameters:
    ///   - run: The run.
    ///   - tasks: Its tasks' initial records.
    /// - Throws: ``StateStoreError/duplicateRun(_:)`` when a run with that id exists (nothing is written);
    ///   a database error when the file cannot be written.
    public func createRun(_ run: RunRecord, tasks: [TaskRecord]) async throws {
        try await insertRun(run, tasks: tasks)
    }

    /// Stores a new run and its tasks and takes the run's lease for `owner`, in one write transaction.
    ///
    /// - Parameters:
    ///   - run: The run.
    ///   - tasks: Its tasks' initial records.
    ///   - owner: Who takes the lease.
    ///   - now: When it is taken.
    ///   - expiresAt: When it lapses without a heartbeat.
    /// - Returns: The lease (epoch 1).
    /// - Throws: As ``createRun(_:tasks:)``; nothing is written when it throws.
    public func createRun(
        _ run: RunRecord, tasks: [TaskRecord], leasedTo owner: RunOwner, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> RunLease {
        guard let lease = try await insertRun(run, tasks: tasks, lease: (owner, now, expiresAt)) else {
            throw StateStoreError.unknownRun(run.id)  // the run was just inserted in the same transaction
        }
        return lease
    }

    /// Applies `batch` in one write transaction: all of it or none of it.
    ///
    /// Task updates with ``TaskUpdate/expected`` set only apply when the stored state is the expected one.
    ///
    /// - Parameters:
    ///   - batch: The changes. An empty batch does nothing.
    /// - Throws: ``StateStoreError/conflict(run:task:expected:actual:)`` when a compare-and-set fails,
    ///   ``StateStoreError/unknownRun(_:)`` when the batch names a run that is not stored (in both cases
    ///   nothing in the batch is written); a database error when the file cannot be written.
    public func commit(_ batch: StateBatch) async throws {
        try await apply(batch)
    }

    /// The run with `id`.
    ///
    /// - Parameters:
    ///   - id: The run's id.
    /// - Returns: The run, or `nil` when no run has that id.
    /// - Throws: ``StoredValueError`` when the stored row cannot be read; a database error.
    public func run(_ id: RunID) async throws -> RunRecord? {
        try await readRun(id)
    }

    /// The state of run `id` alone (one column, no snapshot), `nil` when it is not stored.
    /// - Throws: ``StoredValueError`` when the stored state is not one; a database error.
    public func runState(of id: RunID) async throws -> RunState? {
        let text = try await writer.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM runs WHERE id = ?"), arguments: [id.rawValue])
        }
        return try text.map { try Self.enumValue(RunState.self, text: $0, "runs.state") }
    }

    /// The task records of run `id`, in the order they were first stored.
    ///
    /// - Parameters:
    ///   - id: The run's id.
    /// - Returns: The records; empty when the run is unknown.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func tasks(of id: RunID) async throws -> [TaskRecord] {
        try await readTasks(of: id)
    }

    /// The newest runs first (by creation time, then id), optionally only those of `pipeline`.
    ///
    /// - Parameters:
    ///   - pipeline: The pipeline name to keep, or `nil` for every pipeline.
    ///   - limit: The most runs to return; zero or less returns none.
    /// - Returns: The runs.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func runs(pipeline: String?, limit: Int) async throws -> [RunRecord] {
        try await readRuns(pipeline: pipeline, limit: limit)
    }

    /// The ids of the runs whose id starts with `prefix`, in id order, at most ten.
    ///
    /// - Parameters:
    ///   - prefix: The start of the id; `%` and `_` are plain characters.
    /// - Returns: Up to ``prefixMatchLimit`` ids.
    /// - Throws: A database error.
    public func runIDs(withPrefix prefix: String) async throws -> [RunID] {
        try await readRunIDs(withPrefix: prefix)
    }

    /// The most ids ``runIDs(withPrefix:)`` returns: enough to show that a prefix is ambiguous.
    public static let prefixMatchLimit = 10

    /// Log lines of run `id` in the order they were written, optionally only those of one task and attempt.
    ///
    /// - Parameters:
    ///   - id: The run's id.
    ///   - task: The task to keep, or `nil` for all.
    ///   - attempt: The attempt to keep, or `nil` for all.
    /// - Returns: The lines; empty when the run is unknown.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine] {
        try await readLogs(of: id, task: task, attempt: attempt)
    }

    /// The run's log lines after its first `count`, in write order.
    /// - Throws: A database error.
    public func logs(of id: RunID, after count: Int) async throws -> [LogLine] {
        try await readLogs(of: id, after: count)
    }

    /// The cache entry stored under `key`, expired or not.
    ///
    /// - Parameters:
    ///   - key: The cache key.
    /// - Returns: The entry, or `nil`.
    /// - Throws: ``StoredValueError`` when the stored row cannot be read; a database error.
    public func cacheEntry(forKey key: String) async throws -> CacheEntry? {
        try await readCacheEntry(forKey: key)
    }

    /// The cache entries stored under `keys`, by key: indexed lookups on the calling thread, in one read.
    ///
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func cacheEntries(forKeys keys: [String]) async throws -> [String: CacheEntry] {
        try readCacheEntriesNow(forKeys: keys)
    }

    /// Every cache entry, newest first (by creation time, then key).
    ///
    /// - Returns: The entries.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func cacheEntries() async throws -> [CacheEntry] {
        try await readCacheEntries()
    }

    /// Deletes the cache entries of `task` (in any pipeline), or all entries when `task` is `nil`.
    ///
    /// - Parameters:
    ///   - task: The task id, or `nil` for every entry.
    /// - Returns: How many entries were deleted.
    /// - Throws: A database error.
    public func clearCache(task: String?) async throws -> Int {
        try await deleteCacheEntries(task: task)
    }
}

/// The last batch id applied per run, in memory.
final class AppliedBatches: Sendable {
    private let last = Mutex<[RunID: String]>([:])

    /// Whether `batch` (with its id) is the last one applied to its fenced run.
    func isApplied(_ batch: StateBatch) -> Bool {
        guard let fence = batch.fence, let id = batch.id else { return false }
        return last.withLock { $0[fence.runID] == id }
    }

    /// Notes `batch` as applied. A replay follows its failed try at once, so the table is simply emptied when it
    /// holds 10,000 runs (a daemon running for months keeps it bounded).
    func note(_ batch: StateBatch) {
        guard let fence = batch.fence, let id = batch.id else { return }
        last.withLock { table in
            if table.count >= 10_000, table[fence.runID] == nil { table.removeAll(keepingCapacity: true) }
            table[fence.runID] = id
        }
    }
}
