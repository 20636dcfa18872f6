internal import Foundation
internal import Logging
public import PipelineEngine
public import PipelineModel
internal import PostgresNIO

// The task queue of workers (table `task_queue`, migration 3). Claims are one `UPDATE … FROM (SELECT … FOR UPDATE
// SKIP LOCKED)`: concurrent workers skip each other's rows instead of waiting, and never get the same row. Batches
// (enqueue, heartbeat, results) are one statement over `UNNEST`ed arrays.
extension PostgresStateStore: TaskQueue, TaskQueueEvents {
    /// The `kind` events of this database's task queue (`LISTEN` on one pooled connection).
    public func events(_ kind: TaskQueueEvent) -> AsyncStream<Void> {
        database.listen(on: database.queueChannel(kind), bufferingNewest: 1) { _ in () }
    }

    /// Adds queued rows in one statement; an attempt already queued is left as it is (a replayed enqueue). Fenced:
    /// the runs' rows are locked (`FOR SHARE`) and nothing is added when one of them has moved to another lease.
    public func enqueue(_ attempts: [QueuedAttempt]) async throws {
        guard !attempts.isEmpty else { return }
        var (runs, epochs, tasks, numbers, labels, works, times) =
            ([String](), [Int64](), [String](), [Int64](), [String](), [String](), [Int64]())
        for attempt in attempts {
            runs.append(attempt.runID.rawValue)
            epochs.append(attempt.epoch)
            tasks.append(attempt.taskID)
            numbers.append(Int64(attempt.attempt))
            labels.append(attempt.labels.isEmpty ? "[]" : try Self.queueJSON(attempt.labels))
            works.append(attempt.work.json.compactJSON)
            times.append(attempt.queuedAt.nanosecondsSince1970)
        }
        // A takeover of one of the runs waits for this statement, or this statement sees it and refuses. Idle
        // workers hear of the new rows at once (the notification goes out when the statement commits).
        let statement = EnqueueStatement(
            runs: runs, epochs: epochs, tasks: tasks, attempts: numbers, labels: labels, works: works, times: times,
            channel: database.queueChannel(.queued))
        let rows = try await database.execute("enqueue \(attempts.count) attempts", statement)
        guard let (_, refused) = rows.first, let run = refused.first else { return }
        let id = RunID(rawValue: run)
        throw StateStoreError.leaseLost(id, holder: try await lease(of: id))
    }

    /// Claims the oldest queued rows whose labels `labels` covers, skipping rows other workers are claiming.
    public func claim(
        worker: RunOwner, labels: Set<String>, limit: Int, at now: Timestamp, expiresAt: Timestamp
    ) async throws -> [ClaimedAttempt] {
        guard limit > 0 else { return [] }
        let statement = ClaimStatement(
            worker: try worker.storedText(), host: worker.host, expiresAt: expiresAt.nanosecondsSince1970,
            labels: labels.sorted(), limit: Int64(limit))
        return try await database.execute("claim attempts", statement).map(Self.claimedAttempt)
            .sorted { $0.claim.id < $1.claim.id }
    }

    /// A claimed attempt from the columns a claim returns.
    static func claimedAttempt(_ row: ClaimStatement.Row) throws -> ClaimedAttempt {
        let (id, token, run, epoch, task, attempt, labels, work, queuedAt) = row
        return ClaimedAttempt(
            claim: QueueClaim(id: id, token: token),
            attempt: QueuedAttempt(
                runID: RunID(rawValue: run), epoch: epoch, taskID: task, attempt: Int(attempt),
                labels: labels == "[]" ? [] : try json([String].self, labels, "task_queue.labels"),
                work: try queueWork(work),
                queuedAt: Timestamp(nanosecondsSince1970: queuedAt)))
    }

    /// Extends the held claims among `claims`, in one statement.
    public func renewClaims(
        _ claims: [QueueClaim], at now: Timestamp, expiresAt: Timestamp
    ) async throws -> Set<QueueClaim> {
        guard !claims.isEmpty else { return [] }
        let rows = try await database.rows("renew \(claims.count) claims", """
            UPDATE task_queue t SET expires_at = \(expiresAt.nanosecondsSince1970)
            FROM UNNEST(\(claims.map(\.id))::bigint[], \(claims.map(\.token))::bigint[]) AS c(id, token)
            WHERE t.id = c.id AND t.token = c.token AND t.state = 'claimed'
            RETURNING t.id, t.token
            """)
        return Set(try rows.map { row in
            let (id, token) = try row.decode((Int64, Int64).self)
            return QueueClaim(id: id, token: token)
        })
    }

    /// Records the process group of a held claim's command.
    public func recordProcess(_ process: TaskProcess?, of claim: QueueClaim) async throws {
        let text = process.map(Self.processJSON)
        _ = try await database.rows("record the process of a claimed attempt", """
            UPDATE task_queue SET process = \(text) WHERE id = \(claim.id) AND token = \(claim.token) AND state = 'claimed'
            """)
    }

    /// Stores the results of held claims, in one statement.
    ///
    /// The runs' owners are told (``TaskQueueEvent/finished``) at most every 20 ms by this store: a `NOTIFY` wakes
    /// every listening session of the database, whatever its channel, and serializes the commits of the statements
    /// that send one, so a worker storing a result every millisecond would wake them all a thousand times a second.
    /// An owner looks again 10 ms after a look that found results, which picks up what arrived untold; a result after
    /// a quiet spell is told at once.
    public func finish(_ results: [(QueueClaim, AttemptResult)], at now: Timestamp) async throws -> Set<QueueClaim> {
        guard !results.isEmpty else { return [] }
        let statement = FinishStatement(
            ids: results.map(\.0.id), tokens: results.map(\.0.token), results: results.map { $0.1.json.compactJSON },
            channel: finishedNotices.take() ? database.queueChannel(.finished) : "")
        return Set(try await database.execute("store \(results.count) attempt results", statement).map { row in
            QueueClaim(id: row.0, token: row.1)
        })
    }

    /// Stores the results of held claims and claims up to `limit` queued attempts, in one statement (see
    /// ``finish(_:at:)`` and ``claim(worker:labels:limit:at:expiresAt:)``).
    public func finishAndClaim(
        _ results: [(QueueClaim, AttemptResult)], at now: Timestamp, worker: RunOwner, labels: Set<String>,
        limit: Int, expiresAt: Timestamp
    ) async throws -> (stored: Set<QueueClaim>, claimed: [ClaimedAttempt]) {
        guard !results.isEmpty, limit > 0 else {
            let stored = try await finish(results, at: now)
            let claimed = try await claim(worker: worker, labels: labels, limit: limit, at: now, expiresAt: expiresAt)
            return (stored, claimed)
        }
        let statement = FinishAndClaimStatement(
            ids: results.map(\.0.id), tokens: results.map(\.0.token), results: results.map { $0.1.json.compactJSON },
            channel: finishedNotices.take() ? database.queueChannel(.finished) : "",
            worker: try worker.storedText(), host: worker.host, expiresAt: expiresAt.nanosecondsSince1970,
            labels: labels.sorted(), limit: Int64(limit))
        var stored = Set<QueueClaim>(), claimed: [ClaimedAttempt] = []
        for row in try await database.execute("store \(results.count) results and claim attempts", statement) {
            let (isResult, id, token, run, epoch, task, attempt, labels, work, queuedAt, _) = row
            if isResult {
                stored.insert(QueueClaim(id: id, token: token))
                continue
            }
            guard let run, let epoch, let task, let attempt, let labels, let work, let queuedAt else {
                throw PostgresStoreError.unreadable(
                    column: "task_queue", value: "\(id)", reason: "a claimed row without its columns")
            }
            claimed.append(try Self.claimedAttempt((id, token, run, epoch, task, attempt, labels, work, queuedAt)))
        }
        return (stored, claimed.sorted { $0.claim.id < $1.claim.id })
    }

    /// Puts held claims back in the queue.
    public func handBack(_ claims: [QueueClaim]) async throws {
        guard !claims.isEmpty else { return }
        _ = try await database.rows("hand back \(claims.count) claims", """
            UPDATE task_queue t SET state = 'queued', worker = NULL, host = NULL, expires_at = NULL, process = NULL
            FROM UNNEST(\(claims.map(\.id))::bigint[], \(claims.map(\.token))::bigint[]) AS c(id, token)
            WHERE t.id = c.id AND t.token = c.token AND t.state = 'claimed'
            """)
    }

    /// Removes and returns the ended attempts of `runs` (rows of each run's epoch only), ending lapsed claims first.
    /// Usually two statements: the lapsed claims (none) and the `DELETE … RETURNING` of results.
    public func collect(runs: [RunID: Int64], at now: Timestamp) async throws -> [FinishedAttempt] {
        guard !runs.isEmpty else { return [] }
        let (list, epochs) = (runs.keys.map(\.rawValue), Array(runs.values))
        let lapsed = try await database.execute(
            "find lapsed claims", LapsedStatement(runs: list, epochs: epochs, now: now.nanosecondsSince1970),
            readOnly: true)
        if !lapsed.isEmpty {
            var ends: [(id: Int64, token: Int64, result: String, host: String?, process: String?)] = []
            for (id, token, worker, expiry, host, process) in lapsed {
                let owner = try Self.json(RunOwner.self, worker, "task_queue.worker")
                let result = AttemptResult.lost(
                    worker: owner, expiredAt: Timestamp(nanosecondsSince1970: expiry)).json.compactJSON
                ends.append((id, token, result, host, process))
            }
            let logger = logger
            try await database.transaction("end lapsed claims") { [ends] connection in
                for end in ends {
                    let changed = try await connection.count("""
                        UPDATE task_queue SET state = 'done', result = \(end.result), process = NULL, worker = NULL
                        WHERE id = \(end.id) AND token = \(end.token) AND state = 'claimed'
                            AND expires_at <= \(now.nanosecondsSince1970)
                        RETURNING id
                        """, logger: logger)
                    if changed > 0, let process = end.process {
                        try await connection.run(
                            "INSERT INTO task_queue_orphans (host, process) VALUES (\(end.host ?? ""), \(process))",
                            logger: logger)
                    }
                }
            }
        }
        let rows = try await database.execute("collect attempt results", CollectStatement(runs: list, epochs: epochs))
        // The results come from a few workers: each one's stored text is decoded once.
        var workers: [String: RunOwner] = [:]
        return try rows.map { row in
            let (id, run, task, attempt, result, worker) = row
            var owner: RunOwner?
            if let worker {
                owner = try workers[worker] ?? Self.json(RunOwner.self, worker, "task_queue.worker")
                workers[worker] = owner
            }
            return (id, FinishedAttempt(
                runID: RunID(rawValue: run), taskID: task, attempt: Int(attempt), result: try Self.queueResult(result),
                worker: owner))
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Removes every row of run `id`.
    public func withdraw(run id: RunID) async throws {
        _ = try await database.rows(
            "withdraw the attempts of run \(id)", "DELETE FROM task_queue WHERE run_id = \(id.rawValue)")
    }

    /// Keeps the rows of run `id` listed in `running` (moved to `epoch`) and removes the others, in one statement.
    public func adopt(run id: RunID, running: [String: Int], epoch: Int64) async throws -> [String: Int] {
        let (tasks, attempts) = (Array(running.keys), running.values.map(Int64.init))
        let rows = try await database.rows("adopt the attempts of run \(id)", """
            WITH wanted AS (SELECT * FROM UNNEST(\(tasks)::text[], \(attempts)::bigint[]) AS w (task_id, attempt)),
            dropped AS (
                DELETE FROM task_queue q WHERE q.run_id = \(id.rawValue)
                    AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.task_id = q.task_id AND w.attempt = q.attempt))
            UPDATE task_queue q SET epoch = \(epoch) FROM wanted w
            WHERE q.run_id = \(id.rawValue) AND q.task_id = w.task_id AND q.attempt = w.attempt
            RETURNING q.task_id, q.attempt
            """)
        var kept: [String: Int] = [:]
        for row in rows {
            let (task, attempt) = try row.decode((String, Int64).self)
            kept[task] = Int(attempt)
        }
        return kept
    }

    /// The workers holding run `id`'s attempts, by task id.
    public func workers(of id: RunID) async throws -> [String: RunOwner] {
        let rows = try await database.rows("list the workers of run \(id)", """
            SELECT task_id, worker FROM task_queue WHERE run_id = \(id.rawValue) AND state = 'claimed'
            """)
        var workers: [String: RunOwner] = [:]
        for row in rows {
            let (task, worker) = try row.decode((String, String).self)
            workers[task] = try Self.json(RunOwner.self, worker, "task_queue.worker")
        }
        return workers
    }

    /// Claims held by workers on `host`.
    public func claims(on host: String) async throws -> [HeldClaim] {
        let rows = try await database.rows("list claims on \(host)", """
            SELECT id, token, worker, process FROM task_queue WHERE state = 'claimed' AND host = \(host) ORDER BY id
            """)
        return try rows.map { row in
            let (id, token, worker, process) = try row.decode((Int64, Int64, String, String?).self)
            return HeldClaim(
                claim: QueueClaim(id: id, token: token),
                worker: try Self.json(RunOwner.self, worker, "task_queue.worker"),
                process: try process.map { try Self.json(TaskProcess.self, $0, "task_queue.process") })
        }
    }

    /// Removes and returns the orphaned process groups on `host`.
    public func orphans(on host: String) async throws -> [TaskProcess] {
        let rows = try await database.rows("take the orphaned processes on \(host)", """
            DELETE FROM task_queue_orphans WHERE host = \(host) RETURNING process
            """)
        return try rows.map { try Self.json(TaskProcess.self, try $0.decode(String.self), "task_queue_orphans.process") }
    }

    /// Queued runs without a lease, oldest first.
    public func unclaimedQueuedRuns(limit: Int) async throws -> [RunID] {
        try await database.rows("list queued runs", """
            SELECT id FROM runs WHERE state = 'queued' AND lease_owner IS NULL ORDER BY created_at, id LIMIT \(limit)
            """).map { RunID(rawValue: try $0.decode(String.self)) }
    }

    /// Waiting runs, newest first (no snapshot is read).
    public func waitingRuns(limit: Int) async throws -> [RunID] {
        try await database.rows("list waiting runs", """
            SELECT id FROM runs WHERE state = 'waiting' ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """).map { RunID(rawValue: try $0.decode(String.self)) }
    }

    /// An attempt's work from its stored text.
    static func queueWork(_ text: String) throws -> AttemptWork {
        guard let value = JSONValue(parsing: text), let work = AttemptWork(json: value) else {
            throw PostgresStoreError.unreadable(column: "task_queue.work", value: text, reason: "not the stored form of an attempt's work")
        }
        return work
    }

    /// An attempt's result from its stored text.
    static func queueResult(_ text: String) throws -> AttemptResult {
        guard let value = JSONValue(parsing: text), let result = AttemptResult(json: value) else {
            throw PostgresStoreError.unreadable(column: "task_queue.result", value: text, reason: "not the stored form of an attempt's result")
        }
        return result
    }

    static func queueJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

// The statements every claimed attempt runs, prepared once per connection: planning the claim each time cost the
// server about as much as running it.

/// SQL the queue's statements share.
private enum QueueSQL {
    /// Stores the results (`$3`) of the held claims whose ids and tokens are `$1` and `$2`; returns their ids and
    /// tokens.
    static let storeResults = """
        UPDATE task_queue t SET state = 'done', result = c.result, process = NULL
        FROM UNNEST($1::bigint[], $2::bigint[], $3::text[]) AS c(id, token, result)
        WHERE t.id = c.id AND t.token = c.token AND t.state = 'claimed'
        RETURNING t.id, t.token
        """

    /// Notifies channel `$4` (unless it is empty) when the CTE `stored` has rows.
    static let tellStored =
        "SELECT pg_notify($4::text, '') FROM (SELECT 1 FROM stored LIMIT 1) AS any_stored WHERE $4::text <> ''"

    /// Claims the oldest queued rows whose labels the worker's cover, skipping rows others are claiming; its five
    /// parameters (worker, host, expiry, labels, limit) are numbered from `first`.
    static func claim(parameters first: Int) -> String {
        let parameter = { (offset: Int) in "$\(first + offset)" }
        let (worker, host, expires, labels, limit) = (parameter(0), parameter(1), parameter(2), parameter(3), parameter(4))
        return """
            UPDATE task_queue q SET state = 'claimed', token = q.token + 1, worker = \(worker), host = \(host),
                expires_at = \(expires)
            FROM (
                SELECT id FROM task_queue c WHERE state = 'queued'
                    AND (c.labels = '[]' OR NOT EXISTS (
                        SELECT 1 FROM json_array_elements_text(c.labels::json) AS l(v) WHERE l.v <> ALL(\(labels)::text[])))
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED) s
            WHERE q.id = s.id
            RETURNING q.id, q.token, q.run_id, q.epoch, q.task_id, q.attempt, q.labels, q.work, q.queued_at
            """
    }
}

/// Queues attempts, fenced by their runs' leases (see ``PostgresStateStore/enqueue(_:)``): the column arrays of the
/// attempts are `$1`…`$7`, the channel that tells idle workers `$8`. Returns one row: the notifications sent, and
/// the runs whose lease moved on (nothing was added then).
private struct EnqueueStatement: StoreStatement {
    static let name = "kiln_enqueue_attempts"
    static let sql = """
        WITH u AS (
            SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                                 $7::bigint[]) AS u(r, e, t, a, l, w, q)),
        held AS (
            SELECT id, CASE WHEN lease_owner IS NULL THEN -1 ELSE lease_epoch END AS epoch
            FROM runs WHERE id IN (SELECT r FROM u) FOR SHARE),
        refused AS (
            SELECT DISTINCT u.r FROM u JOIN held ON held.id = u.r WHERE held.epoch <> u.e),
        added AS (
            INSERT INTO task_queue (run_id, epoch, task_id, attempt, labels, work, queued_at, state)
            SELECT r, e, t, a, l, w, q, 'queued' FROM u
            WHERE NOT EXISTS (SELECT 1 FROM refused)
            ON CONFLICT (run_id, task_id, attempt) DO NOTHING
            RETURNING 1),
        notified AS (
            SELECT pg_notify($8::text, '') FROM (SELECT 1 FROM added LIMIT 1) AS any_added)
        SELECT (SELECT count(*) FROM notified), ARRAY(SELECT r FROM refused ORDER BY r)
        """
    typealias Row = (Int64, [String])

    let runs: [String], epochs: [Int64], tasks: [String], attempts: [Int64], labels: [String], works: [String]
    let times: [Int64], channel: String

    var arguments: [any PostgresEncodable] { [runs, epochs, tasks, attempts, labels, works, times, channel] }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Claims the oldest queued rows whose labels the worker's cover (see ``PostgresStateStore/claim(worker:labels:limit:at:expiresAt:)``).
struct ClaimStatement: StoreStatement {
    static let name = "kiln_claim_attempts"
    static let sql = QueueSQL.claim(parameters: 1)
    typealias Row = (Int64, Int64, String, Int64, String, Int64, String, String, Int64)

    let worker: String, host: String, expiresAt: Int64, labels: [String], limit: Int64

    var arguments: [any PostgresEncodable] { [worker, host, expiresAt, labels, limit] }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Stores results of held claims (see ``PostgresStateStore/finish(_:at:)``).
private struct FinishStatement: StoreStatement {
    static let name = "kiln_finish_attempts"
    // The owners waiting for these results hear of them at once: the notification (on channel $4, unless empty)
    // goes out when the statement commits. A CTE only runs when read, hence the count of it in every row.
    static let sql = """
        WITH stored AS (\(QueueSQL.storeResults)), told AS MATERIALIZED (\(QueueSQL.tellStored))
        SELECT id, token, (SELECT count(*) FROM told) FROM stored
        """
    typealias Row = (Int64, Int64, Int64)

    let ids: [Int64], tokens: [Int64], results: [String], channel: String

    var arguments: [any PostgresEncodable] { [ids, tokens, results, channel] }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Stores results of held claims and claims queued attempts (see
/// ``PostgresStateStore/finishAndClaim(_:at:worker:labels:limit:expiresAt:)``): the two CTEs write different rows (held
/// claims, queued rows). Each row says which it is: a stored result (`true`: id and token), or a claimed attempt.
private struct FinishAndClaimStatement: StoreStatement {
    static let name = "kiln_finish_and_claim_attempts"
    static let sql = """
        WITH stored AS (\(QueueSQL.storeResults)), told AS MATERIALIZED (\(QueueSQL.tellStored)),
        claimed AS (\(QueueSQL.claim(parameters: 5)))
        SELECT true, id, token, NULL::text, NULL::bigint, NULL::text, NULL::bigint, NULL::text, NULL::text,
            NULL::bigint, (SELECT count(*) FROM told) FROM stored
        UNION ALL
        SELECT false, id, token, run_id, epoch, task_id, attempt, labels, work, queued_at, 0 FROM claimed
        """
    typealias Row = (Bool, Int64, Int64, String?, Int64?, String?, Int64?, String?, String?, Int64?, Int64)

    let ids: [Int64], tokens: [Int64], results: [String], channel: String
    let worker: String, host: String, expiresAt: Int64, labels: [String], limit: Int64

    var arguments: [any PostgresEncodable] {
        [ids, tokens, results, channel, worker, host, expiresAt, labels, limit]
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The claims of some runs whose lease has lapsed.
private struct LapsedStatement: StoreStatement {
    static let name = "kiln_lapsed_claims"
    static let sql = """
        SELECT id, token, worker, expires_at, host, process FROM task_queue
        WHERE state = 'claimed' AND expires_at <= $2 AND run_id = ANY($1::text[])
            AND (run_id, epoch) IN (SELECT * FROM UNNEST($1::text[], $3::bigint[]))
        """
    typealias Row = (Int64, Int64, String, Int64, String?, String?)

    let runs: [String], epochs: [Int64], now: Int64

    var arguments: [any PostgresEncodable] { [runs, now, epochs] }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Removes and returns the ended attempts of some runs (of each run, the rows of its owner's epoch).
private struct CollectStatement: StoreStatement {
    static let name = "kiln_collect_results"
    static let sql = """
        DELETE FROM task_queue WHERE state = 'done' AND run_id = ANY($1::text[])
            AND (run_id, epoch) IN (SELECT * FROM UNNEST($1::text[], $2::bigint[]))
        RETURNING id, run_id, task_id, attempt, result, worker
        """
    typealias Row = (Int64, String, String, Int64, String, String?)

    let runs: [String], epochs: [Int64]

    var arguments: [any PostgresEncodable] { [runs, epochs] }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
