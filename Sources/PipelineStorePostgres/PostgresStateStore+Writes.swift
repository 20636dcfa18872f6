internal import Logging
import PipelineEngine
import PipelineModel
import PipelineScheduler
internal import PostgresNIO

// Write transactions. JSON is encoded before the transaction starts, so row locks are held only while rows are written.
extension PostgresStateStore {
    /// Inserts a run and its tasks in one transaction, and takes its lease for `lease.owner` when given.
    func insertRun(
        _ run: RunRecord, tasks: [TaskRecord], lease: (owner: RunOwner, at: Timestamp, expiresAt: Timestamp)?
    ) async throws -> RunLease? {
        let snapshot = try snapshots.encoded(run.snapshot, encode: Self.snapshotJSON)
        let insert: PostgresQuery = """
            INSERT INTO runs (\(unescaped: Self.runColumns)) VALUES (\(run.id.rawValue), \(run.pipeline),
                \(run.state.rawValue), \(JSONValue.object(run.params).compactJSON), \(snapshot),
                \(run.baseDirectory), \(run.trigger?.compactJSON), \(run.createdAt.nanosecondsSince1970),
                \(run.startedAt?.nanosecondsSince1970), \(run.finishedAt?.nanosecondsSince1970), \(run.error),
                \(run.idempotencyKey))
            """
        let upsert = tasks.isEmpty ? nil : Self.upsertTasks(tasks.map { TaskUpdate(runID: run.id, record: $0, expected: nil) })
        let signal = run.state == .queued ? database.notify(.run) : nil
        let acquire = try lease.map { lease in
            try Self.acquireQuery(
                run.id, owner: lease.owner, at: lease.at, expiresAt: lease.expiresAt, mode: .whenFree)
        }
        let logger = logger
        let stored = try await database.transaction("store run \(run.id)") { connection -> RunLease? in
            do {
                try await connection.run(insert, logger: logger)
            } catch let error as PSQLError where error.sqlState == "23505" {
                if let key = run.idempotencyKey, error.constraint == "runs_idempotency_key" {
                    throw StateStoreError.duplicateIdempotencyKey(key)
                }
                throw StateStoreError.duplicateRun(run.id)
            }
            if let upsert { try await connection.run(upsert, logger: logger) }
            if let signal { try await connection.run(signal, logger: logger) }
            guard let acquire else { return nil }
            return try await connection.rows(acquire, logger: logger).first.flatMap { try Self.lease(run.id, from: $0) }
        }
        snapshots.remember(run.snapshot, for: run.id)
        return stored
    }

    /// Applies a batch in one transaction; any thrown error rolls all of it back.
    func apply(_ batch: StateBatch) async throws {
        guard !batch.isEmpty else { return }
        if let (statement, fence, id) = Self.fencedWrite(batch) {
            let rows = try await database.execute("commit a batch of run \(fence.runID)", statement)
            guard let (epoch, last) = rows.first else {
                throw StateStoreError.unknownRun(fence.runID)
            }
            if last == id { return }  // applied before: a retry after an unknown outcome
            guard epoch == fence.epoch else {
                throw StateStoreError.leaseLost(fence.runID, holder: try await lease(of: fence.runID))
            }
            return
        }
        // The snapshot never changes after the run is created: one this store knows is stored is not sent again.
        let runUpdate: PostgresQuery? = try batch.run.map { run in
            let snapshot = snapshots.holds(run.snapshot, for: run.id)
                ? nil : try snapshots.encoded(run.snapshot, encode: Self.snapshotJSON)
            return """
            UPDATE runs SET pipeline = \(run.pipeline), state = \(run.state.rawValue),
                params = \(JSONValue.object(run.params).compactJSON), snapshot = COALESCE(\(snapshot), snapshot),
                base_directory = \(run.baseDirectory), "trigger" = \(run.trigger?.compactJSON),
                created_at = \(run.createdAt.nanosecondsSince1970), started_at = \(run.startedAt?.nanosecondsSince1970),
                finished_at = \(run.finishedAt?.nanosecondsSince1970), error = \(run.error),
                idempotency_key = COALESCE(idempotency_key, \(run.idempotencyKey))
            WHERE id = \(run.id.rawValue) RETURNING id
            """
        }
        // The revision of each run whose tasks the batch writes grows by one: with the fence's record of the batch
        // when that covers it (one statement fewer), else in a statement of its own.
        let fencedRevision = batch.fence.map { fence in
            batch.id != nil && !batch.tasks.isEmpty && batch.tasks.allSatisfy { $0.runID == fence.runID }
        } ?? false
        let revisions = fencedRevision ? nil : Self.nextRevisions(batch.tasks)
        let taskWrites = Self.taskWriteGroups(batch.tasks)
        let logInsert = Self.insertLogs(batch.logs)
        let cacheUpserts = batch.cache.map(Self.upsertCacheEntry)
        // Every run the batch names, in the order its writes name them: the first one not stored is reported.
        var names: [RunID] = []
        for id in (batch.run.map { [$0.id] } ?? []) + batch.tasks.map(\.runID) + batch.logs.map(\.runID)
        where !names.contains(id) { names.append(id) }
        let named = names
        let fence = batch.fence
        let release = try fence.flatMap { batch.releasesFence ? try Self.releaseQuery($0) : nil }
        let signal = batch.run.flatMap { $0.state.isFinished || $0.state == .queued ? database.notify(.run) : nil }
        let logger = logger

        try await database.transaction("commit a batch of run \(named.first?.rawValue ?? "?")") { connection in
            if let fence, try await Self.checkFence(fence, batch: batch.id, writesTasks: fencedRevision, connection, logger) {
                return  // applied before
            }
            // The fence check found the fenced run: only other runs need looking up.
            if !named.isEmpty, named != fence.map({ [$0.runID] }) {
                let stored = try await connection.rows(
                    "SELECT id FROM runs WHERE id = ANY(\(named.map(\.rawValue)))", logger: logger
                ).map { try $0.decode(String.self) }
                if let missing = named.first(where: { !stored.contains($0.rawValue) }) {
                    throw StateStoreError.unknownRun(missing)
                }
            }
            if let runUpdate, let run = batch.run {
                do {
                    try await connection.run(runUpdate, logger: logger)
                } catch let error as PSQLError where error.sqlState == "23505" {
                    throw StateStoreError.duplicateIdempotencyKey(run.idempotencyKey ?? "")
                }
            }
            if let revisions { try await connection.run(revisions, logger: logger) }
            try await Self.writeTasks(taskWrites, connection, logger)
            if let logInsert { try await connection.run(logInsert, logger: logger) }
            for upsert in cacheUpserts { try await connection.run(upsert, logger: logger) }
            if let release { try await connection.run(release, logger: logger) }
            if let signal { try await connection.run(signal, logger: logger) }
        }
        if let run = batch.run { snapshots.remember(run.snapshot, for: run.id) }
    }

    /// One insert of every line, in order (`unnest … WITH ORDINALITY`, so `seq` follows the batch's order).
    static func insertLogs(_ lines: [LogLine]) -> PostgresQuery? {
        guard !lines.isEmpty else { return nil }
        return """
            INSERT INTO logs (\(unescaped: logColumns))
            SELECT run_id, task_id, attempt, stream, text, at
            FROM \(lines: lines) WITH ORDINALITY AS line (run_id, task_id, attempt, stream, text, at, position)
            ORDER BY position
            """
    }

    /// Inserts a cache entry or replaces the one with the same key.
    static func upsertCacheEntry(_ entry: CacheEntry) -> PostgresQuery {
        """
        INSERT INTO cache_entries (\(unescaped: cacheColumns)) VALUES (\(entry.key), \(entry.pipeline), \(entry.taskID),
            \(entry.runID.rawValue), \(JSONValue.object(entry.outputs).compactJSON), \(entry.createdAt.nanosecondsSince1970),
            \(entry.expiresAt?.nanosecondsSince1970))
        ON CONFLICT (key) DO UPDATE SET pipeline = excluded.pipeline, task_id = excluded.task_id,
            run_id = excluded.run_id, outputs = excluded.outputs, created_at = excluded.created_at,
            expires_at = excluded.expires_at
        """
    }
}
