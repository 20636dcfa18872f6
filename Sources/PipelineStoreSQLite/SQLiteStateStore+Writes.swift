internal import GRDB
import PipelineEngine
import PipelineModel
import PipelineScheduler

// Write transactions. JSON is encoded before the transaction starts so the write lock, which other
// `kiln` processes wait for, is held only while rows are written.
extension SQLiteStateStore {
    private static let insertRunSQL = "INSERT INTO runs (\(runColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"

    /// The columns a run's life changes (arguments: ``updateArguments(for:snapshot:)``); `?4` is NULL when the stored
    /// snapshot is known to be the record's (see ``SnapshotCache``).
    private static let updateRunSQL = """
        UPDATE runs SET state = ?2, params = ?3, snapshot = COALESCE(?4, snapshot), base_directory = ?5,
            "trigger" = ?6, started_at = ?7, finished_at = ?8, error = ?9
        WHERE id = ?1
        """

    /// The indexed columns of a run (its pipeline and creation time; an idempotency key is only ever added), written
    /// only when they differ: SQLite rewrites the index entries of every indexed column an `UPDATE` assigns, even to
    /// the same value, and each index page it touches is another page in the commit (arguments:
    /// ``identityArguments(for:)``).
    private static let updateRunIdentitySQL = """
        UPDATE runs SET pipeline = ?2, created_at = ?3, idempotency_key = COALESCE(idempotency_key, ?4)
        WHERE id = ?1 AND (pipeline IS NOT ?2 OR created_at IS NOT ?3 OR (idempotency_key IS NULL AND ?4 IS NOT NULL))
        """

    private static let upsertTaskSQL = """
        INSERT INTO task_runs (\(taskColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
        ON CONFLICT (run_id, task_id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
            outputs = excluded.outputs, error = excluded.error, cache_key = excluded.cache_key,
            cache_note = excluded.cache_note, started_at = excluded.started_at, finished_at = excluded.finished_at,
            retry_at = excluded.retry_at, deadline_at = excluded.deadline_at, decision = excluded.decision,
            process = excluded.process, lineage = excluded.lineage
        """

    /// A task's row updated in place (the same arguments as ``upsertTaskSQL``): the row of a run's task is written
    /// when the run is created, so its updates find it, and an `UPDATE` skips the attempted insert (its foreign key
    /// and uniqueness checks) that the upsert makes first. The upsert stays for a row that is not there.
    private static let updateTaskSQL = """
        UPDATE task_runs SET state = ?3, attempts = ?4, outputs = ?5, error = ?6, cache_key = ?7, cache_note = ?8,
            started_at = ?9, finished_at = ?10, retry_at = ?11, deadline_at = ?12, decision = ?13, process = ?14,
            lineage = ?15
        WHERE run_id = ?1 AND task_id = ?2
        """

    /// The compare-and-set form: `?16` is the expected state.
    private static let compareAndSetTaskSQL = updateTaskSQL + " AND state = ?16"

    /// The compare-and-set form for a decision: the expected state, and no decision yet.
    private static let compareAndSetUndecidedTaskSQL = compareAndSetTaskSQL + " AND decision IS NULL"

    private static let insertLogSQL = "INSERT INTO logs (\(logColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"

    private static let upsertCacheSQL = """
        INSERT INTO cache_entries (\(cacheColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        ON CONFLICT (key) DO UPDATE SET pipeline = excluded.pipeline, task_id = excluded.task_id,
            run_id = excluded.run_id, outputs = excluded.outputs, created_at = excluded.created_at,
            expires_at = excluded.expires_at
        """

    /// Inserts a run and its tasks in one transaction, and takes its lease for `lease.owner` when given.
    @discardableResult
    func insertRun(
        _ run: RunRecord, tasks: [TaskRecord], lease: (owner: RunOwner, at: Timestamp, expiresAt: Timestamp)? = nil
    ) async throws -> RunLease? {
        let snapshot = try snapshots.encoded(run.snapshot, encode: Self.snapshotJSON)
        let runArguments = Self.arguments(for: run, snapshot: snapshot)
        // A new run's tasks are all pending and untouched: their rows go in with one statement, from a JSON list of
        // their ids, instead of one bound statement each (half the work per row for a 1,000-task run; for a few
        // tasks, reading the list costs more than it saves).
        let rows: TaskRows
        if tasks.count >= 8, tasks.allSatisfy({ $0 == TaskRecord(taskID: $0.taskID) }) {
            rows = .fresh(JSONValue.array(tasks.map { .string($0.taskID) }).compactJSON)
        } else {
            rows = .records(tasks.map { Self.arguments(for: $0, of: run.id) })
        }
        let leaseArguments: StatementArguments? = try lease.map { lease in
            [
                run.id.rawValue, try lease.owner.storedText(), lease.at.nanosecondsSince1970,
                lease.expiresAt.nanosecondsSince1970, false, nil,
            ]
        }
        do {
            let lease = try await insertRun(run, runArguments, rows, leaseArguments)
            if run.state == .queued { wakeups?.post(.run) }
            return lease
        } catch {
            snapshots.forget(run.id)
            throw error
        }
    }

    /// The task rows of a run being created.
    private enum TaskRows: Sendable {
        /// Every task pending and untouched: their ids, as a JSON list.
        case fresh(String)
        /// The arguments of each row (``upsertTaskSQL``).
        case records([[SQLValue]])
    }

    /// The rows of a new run's untouched tasks, in list order (`tasks(of:)` reads them in `rowid` order, the plan's,
    /// as before). A repeated id keeps one row, as the upsert does.
    private static let insertFreshTasksSQL = """
        INSERT INTO task_runs (run_id, task_id, state, attempts) SELECT ?1, value, ?3, 0 FROM json_each(?2) WHERE true
        ON CONFLICT (run_id, task_id) DO NOTHING
        """

    private func insertRun(
        _ run: RunRecord, _ runArguments: StatementArguments, _ rows: TaskRows, _ leaseArguments: StatementArguments?
    ) async throws -> RunLease? {
        try await writer.writeRetryingWhileBusy { [snapshots] db in
            let insert = try db.cachedStatement(sql: Self.insertRunSQL)
            insert.setUncheckedArguments(runArguments)
            do {
                try insert.execute()
            } catch let error as DatabaseError
                where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
                || error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            {
                if let key = run.idempotencyKey, (error.message ?? "").contains("idempotency_key") {
                    throw StateStoreError.duplicateIdempotencyKey(key)
                }
                throw StateStoreError.duplicateRun(run.id)
            }
            switch rows {
            case .fresh(let ids):
                try db.cachedStatement(sql: Self.insertFreshTasksSQL)
                    .execute(arguments: [run.id.rawValue, ids, TaskState.pending.rawValue])
            case .records(let arguments):
                let upsert = try db.cachedStatement(sql: Self.upsertTaskSQL)
                for row in arguments { try upsert.run(row) }
            }
            snapshots.remember(run.snapshot, for: run.id)
            guard let leaseArguments else { return nil }
            try db.cachedStatement(sql: Self.acquireSQL).execute(arguments: leaseArguments)
            return try Self.readLease(run.id, db)
        }
    }

    /// Applies a batch in one transaction; any thrown error rolls all of it back.
    func apply(_ batch: StateBatch) async throws {
        guard !batch.isEmpty, !appliedBatches.isApplied(batch) else { return }
        // Without the snapshot: it is encoded (inside the transaction, where the check cannot race another
        // write of this store) only when the store does not know it is already stored.
        let runArguments = batch.run.map { Self.updateArguments(for: $0, snapshot: nil) }
        let superseded = batch.supersededTaskUpdates
        let taskArguments = batch.tasks.indices.map { index -> [SQLValue]? in
            guard !superseded[index] else { return nil }
            let update = batch.tasks[index]
            var arguments = Self.arguments(for: update.record, of: update.runID)
            if let expected = update.expected { arguments.append(.text(expected.rawValue)) }
            return arguments
        }
        let logArguments = batch.logs.map { Self.arguments(for: $0) }
        let cacheArguments = batch.cache.map { Self.arguments(for: $0) }
        let fence = batch.fence

        do {
            try await writer.writeRetryingWhileBusy { [snapshots] db in
                if let fence { try Self.checkFence(fence, db) }
                if let run = batch.run, let runArguments {
                    let update = try db.cachedStatement(sql: Self.updateRunSQL)
                    let snapshotIsStored = snapshots.holds(run.snapshot, for: run.id)
                    update.setUncheckedArguments(
                        snapshotIsStored
                            ? runArguments
                            : Self.updateArguments(
                                for: run, snapshot: try snapshots.encoded(run.snapshot, encode: Self.snapshotJSON)))
                    try update.execute()
                    if db.changesCount == 0 { throw StateStoreError.unknownRun(run.id) }
                    try db.cachedStatement(sql: Self.updateRunIdentitySQL)
                        .execute(arguments: Self.identityArguments(for: run))
                    snapshots.remember(run.snapshot, for: run.id)
                }
                try Self.write(batch, taskArguments, logArguments, cacheArguments, db)
                if batch.releasesFence, let fence { try Self.release(fence, db) }
            }
            appliedBatches.note(batch)
            if let state = batch.run?.state, state.isFinished || state == .queued { wakeups?.post(.run) }
        } catch {
            // The transaction rolled back: what the cache was told may not be stored.
            if let run = batch.run { snapshots.forget(run.id) }
            throw error
        }
    }

    /// Writes the task, log and cache parts of a batch (task updates whose arguments are `nil` are superseded).
    private static func write(
        _ batch: StateBatch, _ taskArguments: [[SQLValue]?], _ logArguments: [[SQLValue]],
        _ cacheArguments: [[SQLValue]], _ db: Database
    ) throws {
        let updateTask = try db.cachedStatement(sql: updateTaskSQL)
        for (update, arguments) in zip(batch.tasks, taskArguments) {
            guard let arguments else { continue }
            if let expected = update.expected {
                try compareAndSet(update, expected: expected, arguments: arguments, db)
            } else {
                try updateTask.run(arguments)
                guard db.changesCount == 0 else { continue }
                try execute(db.cachedStatement(sql: upsertTaskSQL), arguments, run: update.runID)
            }
        }
        if !logArguments.isEmpty {
            let insert = try db.cachedStatement(sql: insertLogSQL)
            for (line, arguments) in zip(batch.logs, logArguments) {
                try execute(insert, arguments, run: line.runID)
            }
        }
        if !cacheArguments.isEmpty {
            let upsert = try db.cachedStatement(sql: upsertCacheSQL)
            for arguments in cacheArguments { try upsert.run(arguments) }
        }
    }

    /// Writes a task update whose row must be in state `expected`; throws on a mismatch.
    private static func compareAndSet(
        _ update: TaskUpdate, expected: TaskState, arguments: [SQLValue], _ db: Database
    ) throws {
        let compareAndSet = try db.cachedStatement(sql: update.undecided ? compareAndSetUndecidedTaskSQL : compareAndSetTaskSQL)
        try compareAndSet.run(arguments)
        guard db.changesCount == 0 else { return }

        let actual = try String.fetchOne(
            db.cachedStatement(sql: "SELECT state FROM task_runs WHERE run_id = ? AND task_id = ?"),
            arguments: [update.runID.rawValue, update.record.taskID])
        if actual == nil, try !runExists(update.runID, db) { throw StateStoreError.unknownRun(update.runID) }
        if update.undecided, actual == expected.rawValue {
            throw StateStoreError.alreadyDecided(run: update.runID, task: update.record.taskID)
        }
        throw StateStoreError.conflict(
            run: update.runID, task: update.record.taskID, expected: expected,
            actual: actual.flatMap(TaskState.init(rawValue:)))
    }

    /// Runs `statement`, reporting a foreign key failure as the unknown run it means.
    private static func execute(_ statement: Statement, _ arguments: [SQLValue], run: RunID) throws {
        do {
            try statement.run(arguments)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw StateStoreError.unknownRun(run)
        }
    }

    /// Whether run `id` is stored.
    private static func runExists(_ id: RunID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM runs WHERE id = ?"), arguments: [id.rawValue]) ?? false
    }

    /// Deletes the cache entries of `task`, or all of them.
    func deleteCacheEntries(task: String?) async throws -> Int {
        try await writer.writeRetryingWhileBusy { db in
            if let task {
                try db.execute(sql: "DELETE FROM cache_entries WHERE task_id = ?", arguments: [task])
            } else {
                try db.execute(sql: "DELETE FROM cache_entries")
            }
            return db.changesCount
        }
    }
}
