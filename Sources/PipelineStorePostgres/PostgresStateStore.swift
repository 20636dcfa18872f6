internal import Logging
public import PipelineEngine
public import PipelineModel
internal import PostgresNIO

/// A ``StateStore`` (and ``TriggerStateStore``) kept in a PostgreSQL database: for workers on several machines that
/// share one state.
///
/// ```swift
/// let database = try await PostgresStoreDatabase.open(PostgresStoreConfiguration(url: "postgres://kiln@db/kiln"))
/// let store = PostgresStateStore(database: database)
/// try await store.createRun(run, tasks: records)
/// try await store.commit(StateBatch(tasks: [TaskUpdate(runID: run.id, record: started, expected: .pending)]))
/// ```
///
/// Each operation is one transaction on a pooled connection (isolation `READ COMMITTED`; a lone statement needs no
/// `BEGIN`). The compare-and-set rules
/// are those of the SQLite store, enforced row by row: a fenced batch first locks its run's row
/// (`SELECT … FOR UPDATE`) and compares the lease epoch, so it and a takeover of the same run are serialized; a task
/// update with an expected state is an `UPDATE … WHERE state = $expected` (and `decision IS NULL` for a decision),
/// which PostgreSQL re-checks against the newest row after waiting for a concurrent writer; lease changes are single
/// conditional `UPDATE`s. A batch that fails any check rolls back whole.
public final class PostgresStateStore: StateStore {
    /// The database and its pool.
    public let database: PostgresStoreDatabase
    /// The snapshots of the runs this store last wrote or read: an unchanged one is not encoded and sent again.
    let snapshots = SnapshotCache()
    /// When this store's stored results last notified the runs' owners (see ``finish(_:at:)``).
    let finishedNotices = NoticeInterval(.milliseconds(20))

    /// A store on an open database (which may be shared with a ``PostgresRegistryStore``).
    ///
    /// - Parameters:
    ///   - database: The open, migrated database.
    public init(database: PostgresStoreDatabase) {
        self.database = database
    }

    /// The most ids ``runIDs(withPrefix:)`` returns: enough to show that a prefix is ambiguous.
    public static let prefixMatchLimit = 10

    var logger: Logger { database.logger }

    /// Stores a new run and the initial records of its tasks in one transaction.
    ///
    /// - Throws: ``StateStoreError/duplicateRun(_:)`` or ``StateStoreError/duplicateIdempotencyKey(_:)`` (nothing is
    ///   written); ``PostgresStoreError`` when the server fails.
    public func createRun(_ run: RunRecord, tasks: [TaskRecord]) async throws {
        _ = try await insertRun(run, tasks: tasks, lease: nil)
    }

    /// Stores a new run and its tasks and takes the run's lease for `owner`, in one transaction.
    ///
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

    /// Applies `batch` in one transaction: all of it or none of it.
    ///
    /// - Throws: ``StateStoreError/conflict(run:task:expected:actual:)``, ``StateStoreError/alreadyDecided(run:task:)``,
    ///   ``StateStoreError/leaseLost(_:holder:)``, ``StateStoreError/unknownRun(_:)`` (nothing is written);
    ///   ``PostgresStoreError`` when the server fails.
    public func commit(_ batch: StateBatch) async throws {
        try await apply(batch)
    }

    /// The run with `id`, or `nil`.
    /// - Throws: ``PostgresStoreError``.
    public func run(_ id: RunID) async throws -> RunRecord? {
        let run = try await database.rows(
            "read run \(id)", "SELECT \(unescaped: Self.runColumns) FROM runs WHERE id = \(id.rawValue)"
        ).first.map(runRecord(from:))
        if let run { snapshots.remember(run.snapshot, for: run.id) }
        return run
    }

    /// The state of run `id` alone (one column, no snapshot), `nil` when it is not stored.
    /// - Throws: ``PostgresStoreError``; ``StoredValueError`` when the stored state is not one.
    public func runState(of id: RunID) async throws -> RunState? {
        try await database.rows("read the state of run \(id)", "SELECT state FROM runs WHERE id = \(id.rawValue)")
            .first.map { row in try Self.enumValue(RunState.self, row.makeRandomAccess()[0], "runs.state") }
    }

    /// The task records of run `id`, in the order they were first stored; empty when the run is unknown.
    /// - Throws: ``PostgresStoreError``.
    public func tasks(of id: RunID) async throws -> [TaskRecord] {
        try await database.rows(
            "read the tasks of run \(id)",
            "SELECT \(unescaped: Self.taskColumns) FROM task_runs WHERE run_id = \(id.rawValue) ORDER BY seq"
        ).map(Self.taskRecord(from:))
    }

    /// The run's tasks written by commits after `revision` (every task with `nil`), and the run's revision: one
    /// statement, so it sees each commit whole, and the newest revision among the rows read is the run's as far as
    /// they go (a commit raises the revision only to write tasks, and writes them all with it).
    /// - Throws: ``PostgresStoreError``.
    public func tasks(of id: RunID, changedAfter revision: Int64?) async throws -> TaskChanges {
        let rows = try await database.rows(
            "read the changed tasks of run \(id)",
            """
            SELECT \(unescaped: Self.taskColumns), revision FROM task_runs
            WHERE run_id = \(id.rawValue) AND revision > \(revision ?? -1) ORDER BY seq
            """)
        var changes = TaskChanges(tasks: [], revision: revision ?? 0)
        changes.tasks.reserveCapacity(rows.count)
        for row in rows {
            changes.tasks.append(try Self.taskRecord(from: row))
            changes.revision = max(changes.revision, try row.makeRandomAccess()[15].decode(Int64.self))
        }
        return changes
    }

    /// The newest runs first (by creation time, then id), optionally only those of `pipeline`.
    /// - Throws: ``PostgresStoreError``.
    public func runs(pipeline: String?, limit: Int) async throws -> [RunRecord] {
        guard limit > 0 else { return [] }
        let query: PostgresQuery =
            if let pipeline {
                """
                SELECT \(unescaped: Self.runColumns) FROM runs WHERE pipeline = \(pipeline)
                ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """
            } else {
                "SELECT \(unescaped: Self.runColumns) FROM runs ORDER BY created_at DESC, id DESC LIMIT \(limit)"
            }
        return try await database.rows("list runs", query).map(runRecord(from:))
    }

    /// The ids of the runs whose id starts with `prefix`, in id order, at most ``prefixMatchLimit``.
    /// `%` and `_` are plain characters.
    /// - Throws: ``PostgresStoreError``.
    public func runIDs(withPrefix prefix: String) async throws -> [RunID] {
        // A range on the primary key (collation "C": byte order), so it uses the index and needs no escaping.
        try await database.rows(
            "find runs by id prefix",
            """
            SELECT id FROM runs WHERE id >= \(prefix) AND id < \(prefix + "\u{10FFFF}")
            ORDER BY id LIMIT \(Self.prefixMatchLimit)
            """
        ).map { RunID(rawValue: try $0.decode(String.self)) }
    }

    /// Log lines of run `id` in write order, optionally only those of one task and attempt.
    /// - Throws: ``PostgresStoreError``.
    public func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine] {
        var query: PostgresQuery = "SELECT \(unescaped: Self.logColumns) FROM logs WHERE run_id = \(id.rawValue)"
        if let task {
            query.sql += " AND task_id = $\(query.binds.count + 1)"
            query.binds.append(task)
        }
        if let attempt {
            query.sql += " AND attempt = $\(query.binds.count + 1)"
            query.binds.append(Int64(attempt))
        }
        query.sql += " ORDER BY seq"
        return try await database.rows("read the logs of run \(id)", query).map(Self.logLine(from:))
    }

    /// The run's log lines after its first `count`, in write order (the server skips the rest).
    /// - Throws: ``PostgresStoreError``.
    public func logs(of id: RunID, after count: Int) async throws -> [LogLine] {
        try await database.rows("read the logs of run \(id)", """
            SELECT \(unescaped: Self.logColumns) FROM logs WHERE run_id = \(id.rawValue)
            ORDER BY seq OFFSET \(Int64(max(0, count)))
            """).map(Self.logLine(from:))
    }

    /// The cache entry stored under `key`, expired or not.
    /// - Throws: ``PostgresStoreError``.
    public func cacheEntry(forKey key: String) async throws -> CacheEntry? {
        try await database.rows(
            "read a cache entry", "SELECT \(unescaped: Self.cacheColumns) FROM cache_entries WHERE key = \(key)"
        ).first.map(Self.cacheEntry(from:))
    }

    /// The cache entries stored under `keys`, by key: one query.
    /// - Throws: ``PostgresStoreError``.
    public func cacheEntries(forKeys keys: [String]) async throws -> [String: CacheEntry] {
        guard !keys.isEmpty else { return [:] }
        let entries = try await database.rows(
            "read cache entries", "SELECT \(unescaped: Self.cacheColumns) FROM cache_entries WHERE key = ANY(\(keys))"
        ).map(Self.cacheEntry(from:))
        return Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every cache entry, newest first (by creation time, then key).
    /// - Throws: ``PostgresStoreError``.
    public func cacheEntries() async throws -> [CacheEntry] {
        try await database.rows(
            "list cache entries",
            "SELECT \(unescaped: Self.cacheColumns) FROM cache_entries ORDER BY created_at DESC, key DESC"
        ).map(Self.cacheEntry(from:))
    }

    /// Deletes the cache entries of `task` (in any pipeline), or all entries when `task` is `nil`.
    /// - Returns: How many entries were deleted.
    /// - Throws: ``PostgresStoreError``.
    public func clearCache(task: String?) async throws -> Int {
        let query: PostgresQuery =
            if let task {
                "DELETE FROM cache_entries WHERE task_id = \(task) RETURNING key"
            } else {
                "DELETE FROM cache_entries RETURNING key"
            }
        return try await database.rows("clear the cache", query).count
    }
}
