internal import Foundation
internal import GRDB
public import PipelineEngine
public import PipelineModel

// The task queue of workers (table `task_queue`, migration `v7-task-queue`). Every operation is one IMMEDIATE
// transaction, so claims of workers sharing the file are serialized: no row is claimed twice.
extension SQLiteStateStore: TaskQueue {
    private static let claimSQL = """
        UPDATE task_queue SET state = 'claimed', token = token + 1, worker = ?1, host = ?2, expires_at = ?3
        WHERE id IN (
            SELECT id FROM task_queue q WHERE state = 'queued'
                AND NOT EXISTS (SELECT 1 FROM json_each(q.labels) WHERE value NOT IN (SELECT value FROM json_each(?4)))
            ORDER BY id LIMIT ?5)
        RETURNING id, token, run_id, epoch, task_id, attempt, labels, work, queued_at
        """

    /// Adds queued rows, fenced by the runs' leases in the same transaction.
    public func enqueue(_ attempts: [QueuedAttempt]) async throws {
        guard !attempts.isEmpty else { return }
        let rows = try attempts.map { attempt in
            (attempt, try Self.queueJSON(attempt.labels), attempt.work.json.compactJSON)
        }
        try await writer.writeRetryingWhileBusy { db in
            var fenced = Set<QueueFence>()
            for attempt in attempts where fenced.insert(QueueFence(run: attempt.runID, epoch: attempt.epoch)).inserted {
                try Self.checkQueueFence(run: attempt.runID, epoch: attempt.epoch, db)
            }
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO task_queue (run_id, epoch, task_id, attempt, labels, work, queued_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'queued')
                """)
            for (attempt, labels, work) in rows {
                try insert.execute(arguments: [
                    attempt.runID.rawValue, attempt.epoch, attempt.taskID, attempt.attempt, labels, work,
                    attempt.queuedAt.nanosecondsSince1970,
                ])
            }
        }
    }

    /// Claims the oldest queued rows whose labels `labels` covers.
    public func claim(
        worker: RunOwner, labels: Set<String>, limit: Int, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> [ClaimedAttempt] {
        guard limit > 0 else { return [] }
        let owner = try worker.storedText()
        let wanted = try Self.queueJSON(labels.sorted())
        let rows = try await writer.writeRetryingWhileBusy { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.claimSQL), arguments: [
                owner, worker.host, expiresAt.nanosecondsSince1970, wanted, limit,
            ])
        }
        return try rows.map { row in
            ClaimedAttempt(
                claim: QueueClaim(id: row[0], token: row[1]),
                attempt: QueuedAttempt(
                    runID: RunID(rawValue: row[2]), epoch: row[3], taskID: row[4], attempt: row[5],
                    labels: try Self.queueValue([String].self, row[6], column: "task_queue.labels"),
                    work: try Self.queueWork(row[7]),
                    queuedAt: Timestamp(nanosecondsSince1970: row[8])))
        }.sorted { $0.claim.id < $1.claim.id }
    }

    /// Extends the held claims among `claims`.
    public func renewClaims(
        _ claims: [QueueClaim], at now: Timestamp, expiresAt: Timestamp
    ) async throws -> Set<QueueClaim> {
        guard !claims.isEmpty else { return [] }
        return try await writer.writeRetryingWhileBusy { db in
            let update = try db.cachedStatement(sql: """
                UPDATE task_queue SET expires_at = ? WHERE id = ? AND token = ? AND state = 'claimed'
                """)
            var held = Set<QueueClaim>()
            for claim in claims {
                try update.execute(arguments: [expiresAt.nanosecondsSince1970, claim.id, claim.token])
                if db.changesCount > 0 { held.insert(claim) }
            }
            return held
        }
    }

    /// Records the process group of a held claim's command.
    public func recordProcess(_ process: TaskProcess?, of claim: QueueClaim) async throws {
        let text = try process.map { try Self.queueJSON($0) }
        try await writer.writeRetryingWhileBusy { db in
            try db.cachedStatement(sql: """
                UPDATE task_queue SET process = ? WHERE id = ? AND token = ? AND state = 'claimed'
                """).execute(arguments: [text, claim.id, claim.token])
        }
    }

    /// Stores the results of held claims.
    public func finish(_ results: [(QueueClaim, AttemptResult)], at now: Timestamp) async throws -> Set<QueueClaim> {
        guard !results.isEmpty else { return [] }
        let encoded = results.map { ($0.0, $0.1.json.compactJSON) }
        return try await writer.writeRetryingWhileBusy { db in
            let update = try db.cachedStatement(sql: """
                UPDATE task_queue SET state = 'done', result = ?, process = NULL
                WHERE id = ? AND token = ? AND state = 'claimed'
                """)
            var stored = Set<QueueClaim>()
            for (claim, result) in encoded {
                try update.execute(arguments: [result, claim.id, claim.token])
                if db.changesCount > 0 { stored.insert(claim) }
            }
            return stored
        }
    }

    /// Puts held claims back in the queue.
    public func handBack(_ claims: [QueueClaim]) async throws {
        guard !claims.isEmpty else { return }
        try await writer.writeRetryingWhileBusy { db in
            let update = try db.cachedStatement(sql: """
                UPDATE task_queue SET state = 'queued', worker = NULL, host = NULL, expires_at = NULL, process = NULL
                WHERE id = ? AND token = ? AND state = 'claimed'
                """)
            for claim in claims { try update.execute(arguments: [claim.id, claim.token]) }
        }
    }

    /// Removes and returns the ended attempts of `runs` (rows of each run's epoch only), ending lapsed claims first.
    public func collect(runs: [RunID: Int64], at now: Timestamp) async throws -> [FinishedAttempt] {
        guard !runs.isEmpty else { return [] }
        // The rows of a run that its current owner queued or adopted.
        let list = try Self.queueJSON(runs.map { OwnedRun(run: $0.key.rawValue, epoch: $0.value) })
        let owned = """
            (run_id, epoch) IN (SELECT json_extract(value, '$.run'), json_extract(value, '$.epoch') FROM json_each(?))
            """
        let rows = try await writer.writeRetryingWhileBusy { db -> [Row] in
            let lapsed = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, worker, expires_at, host, process FROM task_queue
                WHERE state = 'claimed' AND expires_at <= ? AND \(owned)
                """), arguments: [now.nanosecondsSince1970, list])
            for row in lapsed {
                let worker = try Self.queueValue(RunOwner.self, row[1], column: "task_queue.worker")
                let result = AttemptResult.lost(
                    worker: worker, expiredAt: Timestamp(nanosecondsSince1970: row[2])).json.compactJSON
                // A lapsed claim's end is the owner's: no worker stored it (its failure names the worker).
                try db.cachedStatement(sql: """
                    UPDATE task_queue SET state = 'done', result = ?, process = NULL, worker = NULL WHERE id = ?
                    """).execute(arguments: [result, row[0] as Int64])
                if let process: String = row[4] {
                    try db.cachedStatement(sql: "INSERT INTO task_queue_orphans (host, process) VALUES (?, ?)")
                        .execute(arguments: [row[3] as String?, process])
                }
            }
            return try Row.fetchAll(db.cachedStatement(sql: """
                DELETE FROM task_queue WHERE state = 'done' AND \(owned)
                RETURNING id, run_id, task_id, attempt, result, worker
                """), arguments: [list])
        }
        return try rows.sorted { ($0[0] as Int64) < ($1[0] as Int64) }.map { row in
            FinishedAttempt(
                runID: RunID(rawValue: row[1]), taskID: row[2], attempt: row[3],
                result: try Self.queueResult(row[4]),
                worker: try (row[5] as String?).map {
                    try Self.queueValue(RunOwner.self, $0, column: "task_queue.worker")
                })
        }
    }

    /// A run and the lease epoch its attempts were queued under.
    private struct QueueFence: Hashable {
        let run: RunID
        let epoch: Int64
    }

    /// A run and its owner's epoch, as ``collect(runs:at:)`` passes them to SQL.
    private struct OwnedRun: Encodable {
        let run: String
        let epoch: Int64
    }

    /// Keeps the rows of run `id` listed in `running` (moved to `epoch`) and removes the others.
    public func adopt(run id: RunID, running: [String: Int], epoch: Int64) async throws -> [String: Int] {
        let wanted = try Self.queueJSON(running.mapValues(Int64.init))
        let kept = try await writer.writeRetryingWhileBusy { db -> [Row] in
            try db.cachedStatement(sql: """
                DELETE FROM task_queue WHERE run_id = ?1 AND attempt IS NOT json_extract(?2, '$.' || json_quote(task_id))
                """).execute(arguments: [id.rawValue, wanted])
            return try Row.fetchAll(db.cachedStatement(sql: """
                UPDATE task_queue SET epoch = ?2 WHERE run_id = ?1 RETURNING task_id, attempt
                """), arguments: [id.rawValue, epoch])
        }
        return Dictionary(kept.map { ($0[0] as String, $0[1] as Int) }, uniquingKeysWith: { first, _ in first })
    }

    /// Removes every row of run `id`.
    public func withdraw(run id: RunID) async throws {
        try await writer.writeRetryingWhileBusy { db in
            try db.cachedStatement(sql: "DELETE FROM task_queue WHERE run_id = ?").execute(arguments: [id.rawValue])
        }
    }

    /// The workers holding run `id`'s attempts, by task id.
    public func workers(of id: RunID) async throws -> [String: RunOwner] {
        // Sendable columns out of the read, so it runs on the reader's queue instead of blocking this thread.
        let rows = try await writer.read { db -> [(task: String, worker: String)] in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT task_id, worker FROM task_queue WHERE run_id = ? AND state = 'claimed'
                """), arguments: [id.rawValue]).map { ($0[0], $0[1]) }
        }
        var workers: [String: RunOwner] = [:]
        for row in rows {
            workers[row.task] = try Self.queueValue(RunOwner.self, row.worker, column: "task_queue.worker")
        }
        return workers
    }

    /// Claims held by workers on `host`.
    public func claims(on host: String) async throws -> [HeldClaim] {
        let rows = try await writer.read { db -> [(id: Int64, token: Int64, worker: String, process: String?)] in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, token, worker, process FROM task_queue WHERE state = 'claimed' AND host = ? ORDER BY id
                """), arguments: [host]).map { ($0[0], $0[1], $0[2], $0[3]) }
        }
        return try rows.map { row in
            HeldClaim(
                claim: QueueClaim(id: row.id, token: row.token),
                worker: try Self.queueValue(RunOwner.self, row.worker, column: "task_queue.worker"),
                process: try row.process.map { try Self.queueValue(TaskProcess.self, $0, column: "task_queue.process") })
        }
    }

    /// Removes and returns the orphaned process groups on `host`.
    public func orphans(on host: String) async throws -> [TaskProcess] {
        let texts = try await writer.writeRetryingWhileBusy { db in
            try String.fetchAll(db.cachedStatement(sql: """
                DELETE FROM task_queue_orphans WHERE host = ? RETURNING process
                """), arguments: [host])
        }
        return try texts.map { try Self.queueValue(TaskProcess.self, $0, column: "task_queue_orphans.process") }
    }

    /// Queued runs without a lease, oldest first.
    public func unclaimedQueuedRuns(limit: Int) async throws -> [RunID] {
        try await writer.read { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT id FROM runs WHERE state = 'queued' AND lease_owner IS NULL ORDER BY created_at, id LIMIT ?
                """), arguments: [limit]).map(RunID.init(rawValue:))
        }
    }

    /// Waiting runs, newest first (no snapshot is read).
    public func waitingRuns(limit: Int) async throws -> [RunID] {
        try await writer.read { db in
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT id FROM runs WHERE state = 'waiting' ORDER BY created_at DESC, id DESC LIMIT ?
                """), arguments: [limit]).map(RunID.init(rawValue:))
        }
    }

    static func queueJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// An attempt's work from its stored text.
    static func queueWork(_ text: String) throws -> AttemptWork {
        guard let value = JSONValue(parsing: text), let work = AttemptWork(json: value) else {
            throw StoredValueError(column: "task_queue.work", value: text, reason: "not the stored form of an attempt's work")
        }
        return work
    }

    /// An attempt's result from its stored text.
    static func queueResult(_ text: String) throws -> AttemptResult {
        guard let value = JSONValue(parsing: text), let result = AttemptResult(json: value) else {
            throw StoredValueError(column: "task_queue.result", value: text, reason: "not the stored form of an attempt's result")
        }
        return result
    }

    static func queueValue<Value: Decodable>(_ type: Value.Type, _ text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw StoredValueError(column: column, value: text, reason: "\(error)")
        }
    }
}
