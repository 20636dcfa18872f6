internal import Logging
import PipelineEngine
import PipelineModel
internal import PostgresNIO

// Task writes of a batch, as few statements as the batch allows: consecutive writes of one kind (upserts, or
// compare-and-set updates) whose tasks are all different become one statement over `UNNEST`ed column arrays. A wide
// fan-out's 1,000 task changes are then one round trip instead of 1,000.
extension PostgresStateStore {
    /// One multi-row statement of a batch: the writes it covers, and whether they are compare-and-set updates.
    struct TaskWriteGroup: Sendable {
        var updates: [TaskUpdate]
        var query: PostgresQuery
        var checked: Bool
    }

    /// Splits `updates` into statements, keeping their order: a group ends where the kind of write changes or a task
    /// comes back (one statement cannot write a row twice).
    static func taskWriteGroups(_ updates: [TaskUpdate]) -> [TaskWriteGroup] {
        var groups: [TaskWriteGroup] = []
        var current: [TaskUpdate] = []
        var keys = Set<TaskKey>()
        func close() {
            guard let first = current.first else { return }
            let checked = first.expected != nil
            groups.append(TaskWriteGroup(
                updates: current, query: checked ? compareAndSetTasks(current) : upsertTasks(current), checked: checked))
            current.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
        }
        for update in updates {
            let key = TaskKey(run: update.runID.rawValue, task: update.record.taskID)
            if let first = current.first, (first.expected != nil) != (update.expected != nil) || keys.contains(key) {
                close()
            }
            current.append(update)
            keys.insert(key)
        }
        close()
        return groups
    }

    /// Runs the statements of `groups` on `connection`. A compare-and-set update that changed no row throws its
    /// failure (the transaction then rolls back all of the batch).
    static func writeTasks(_ groups: [TaskWriteGroup], _ connection: PostgresConnection, _ logger: Logger) async throws {
        for group in groups {
            guard group.checked else {
                try await connection.run(group.query, logger: logger)
                continue
            }
            let changed = try await connection.rows(group.query, logger: logger)
            guard changed.count < group.updates.count else { continue }
            var written = Set<TaskKey>()
            for row in changed {
                let (run, task) = try row.decode((String, String).self)
                written.insert(TaskKey(run: run, task: task))
            }
            let missed = group.updates.first {
                !written.contains(TaskKey(run: $0.runID.rawValue, task: $0.record.taskID))
            }!
            try await throwCompareAndSetFailure(missed, expected: missed.expected!, connection, logger)
        }
    }

    /// Inserts task records, or replaces the stored ones with the same run and task id: one statement. Each row
    /// takes its run's revision (raised first by ``nextRevisions(_:)`` in a commit; 0 for a run being created).
    static func upsertTasks(_ updates: [TaskUpdate]) -> PostgresQuery {
        let c = TaskColumns(updates)
        return """
            INSERT INTO task_runs (\(unescaped: taskColumns), revision)
            SELECT u.*, COALESCE(r.revision, 0)
            FROM UNNEST(\(columns: c)) AS u(\(unescaped: taskColumns)) LEFT JOIN runs r ON r.id = u.run_id
            \(unescaped: upsertConflict)
            """
    }

    /// Raises the revision of each run whose tasks a commit writes (locking their rows until it ends), before the
    /// task writes that take it.
    static func nextRevisions(_ updates: [TaskUpdate]) -> PostgresQuery? {
        var runs: [String] = []
        for update in updates where !runs.contains(update.runID.rawValue) { runs.append(update.runID.rawValue) }
        guard !runs.isEmpty else { return nil }
        return "UPDATE runs SET revision = revision + 1 WHERE id = ANY(\(runs))"
    }

    /// Replaces the task records whose stored state is the update's `expected` (and, for an `undecided` update, that
    /// have no decision): one statement, returning the run and task id of each row it changed.
    static func compareAndSetTasks(_ updates: [TaskUpdate]) -> PostgresQuery {
        let c = TaskColumns(updates)
        let expected = updates.map { $0.expected!.rawValue }
        let undecided = updates.map(\.undecided)
        return """
            UPDATE task_runs t SET state = u.state, attempts = u.attempts, outputs = u.outputs, error = u.error,
                cache_key = u.cache_key, cache_note = u.cache_note, started_at = u.started_at,
                finished_at = u.finished_at, retry_at = u.retry_at, deadline_at = u.deadline_at, decision = u.decision,
                process = u.process, lineage = u.lineage, revision = r.revision
            FROM UNNEST(\(columns: c), \(expected)::text[], \(undecided)::boolean[])
                AS u(run_id, task_id, state, attempts, outputs, error, cache_key, cache_note, started_at, finished_at,
                     retry_at, deadline_at, decision, process, lineage, expected, undecided),
                runs r
            WHERE t.run_id = u.run_id AND t.task_id = u.task_id AND t.state = u.expected
                AND (NOT u.undecided OR t.decision IS NULL) AND r.id = u.run_id
            RETURNING t.run_id, t.task_id
            """
    }

    /// Throws the error for a compare-and-set update that changed no row: the task's state was not `expected`, or
    /// it was but a decision was recorded first.
    static func throwCompareAndSetFailure(
        _ update: TaskUpdate, expected: TaskState, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Never {
        let actual = try await connection.rows(
            "SELECT state FROM task_runs WHERE run_id = \(update.runID.rawValue) AND task_id = \(update.record.taskID)",
            logger: logger
        ).first.map { try $0.decode(String.self) }
        if update.undecided, actual == expected.rawValue {
            throw StateStoreError.alreadyDecided(run: update.runID, task: update.record.taskID)
        }
        throw StateStoreError.conflict(
            run: update.runID, task: update.record.taskID, expected: expected,
            actual: actual.flatMap(TaskState.init(rawValue:)))
    }

    /// A batch the executor stores while its run goes on — unconditional task writes and log lines of the fenced run,
    /// nothing else — as one statement (atomic by itself: no `BEGIN`/`COMMIT` round trips): it locks the run's row,
    /// records the batch's id and writes the tasks and lines only when the fence holds and the batch is not applied
    /// yet, and returns the run's epoch and its last batch id as they were before. `nil` for any other batch.
    ///
    /// Of several updates of one task (its start and its end), the last is written: one statement writes a row once.
    static func fencedWrite(_ batch: StateBatch) -> (statement: FencedWriteStatement, fence: RunLease, id: String)? {
        guard let fence = batch.fence, let id = batch.id, batch.run == nil, batch.cache.isEmpty,
            !batch.releasesFence, !batch.tasks.isEmpty || !batch.logs.isEmpty,
            batch.tasks.allSatisfy({ $0.expected == nil && $0.runID == fence.runID }),
            batch.logs.allSatisfy({ $0.runID == fence.runID })
        else { return nil }
        let superseded = batch.supersededTaskUpdates
        let statement = FencedWriteStatement(
            run: fence.runID.rawValue, batch: id, revisionStep: batch.tasks.isEmpty ? 0 : 1, epoch: fence.epoch,
            tasks: TaskColumns(batch.tasks.indices.filter { !superseded[$0] }.map { batch.tasks[$0] }),
            lines: batch.logs)
        return (statement, fence, id)
    }

    /// What an upsert of task rows does with a row that exists: replaces every column but the key.
    static let upsertConflict = """
        ON CONFLICT (run_id, task_id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
            outputs = excluded.outputs, error = excluded.error, cache_key = excluded.cache_key,
            cache_note = excluded.cache_note, started_at = excluded.started_at, finished_at = excluded.finished_at,
            retry_at = excluded.retry_at, deadline_at = excluded.deadline_at, decision = excluded.decision,
            process = excluded.process, lineage = excluded.lineage, revision = excluded.revision
        """

    /// A task row's key.
    struct TaskKey: Hashable {
        var run: String
        var task: String
    }

    /// The `task_runs` columns of several records, one array per column.
    struct TaskColumns: Sendable {
        var runs: [String] = [], tasks: [String] = [], states: [String] = [], attempts: [Int64] = []
        var outputs = NullableArray<String>(), errors = NullableArray<String>()
        var cacheKeys = NullableArray<String>(), cacheNotes = NullableArray<String>()
        var startedAt = NullableArray<Int64>(), finishedAt = NullableArray<Int64>()
        var retryAt = NullableArray<Int64>(), deadlineAt = NullableArray<Int64>()
        var decisions = NullableArray<String>(), processes = NullableArray<String>()
        var lineages = NullableArray<String>()

        init(_ updates: [TaskUpdate]) {
            for update in updates {
                let v = TaskValues(update.record)
                runs.append(update.runID.rawValue)
                tasks.append(update.record.taskID)
                states.append(v.state)
                attempts.append(v.attempts)
                outputs.elements.append(v.outputs)
                errors.elements.append(v.error)
                cacheKeys.elements.append(v.cacheKey)
                cacheNotes.elements.append(v.cacheNote)
                startedAt.elements.append(v.startedAt)
                finishedAt.elements.append(v.finishedAt)
                retryAt.elements.append(v.retryAt)
                deadlineAt.elements.append(v.deadlineAt)
                decisions.elements.append(v.decision)
                processes.elements.append(v.process)
                lineages.elements.append(v.lineage)
            }
        }
    }
}

/// A one-dimensional array parameter that may hold NULLs (PostgresNIO's own arrays cannot), in the binary array
/// format: header, then each element as its length (-1 for NULL) and bytes.
struct NullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable & Sendable>:
    PostgresNonThrowingEncodable, Sendable
{
    var elements: [Element?] = []

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)  // dimensions
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)  // has NULLs
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)  // lower bound
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex)
        }
    }
}

extension PostgresQuery.StringInterpolation {
    /// The column arrays of task records, in ``PostgresStateStore/taskColumns`` order, as arguments of `UNNEST(…)`.
    mutating func appendInterpolation(columns c: PostgresStateStore.TaskColumns) {
        appendInterpolation(c.runs)
        appendLiteral("::text[], ")
        appendInterpolation(c.tasks)
        appendLiteral("::text[], ")
        appendInterpolation(c.states)
        appendLiteral("::text[], ")
        appendInterpolation(c.attempts)
        appendLiteral("::bigint[], ")
        appendInterpolation(c.outputs)
        appendLiteral("::text[], ")
        appendInterpolation(c.errors)
        appendLiteral("::text[], ")
        appendInterpolation(c.cacheKeys)
        appendLiteral("::text[], ")
        appendInterpolation(c.cacheNotes)
        appendLiteral("::text[], ")
        appendInterpolation(c.startedAt)
        appendLiteral("::bigint[], ")
        appendInterpolation(c.finishedAt)
        appendLiteral("::bigint[], ")
        appendInterpolation(c.retryAt)
        appendLiteral("::bigint[], ")
        appendInterpolation(c.deadlineAt)
        appendLiteral("::bigint[], ")
        appendInterpolation(c.decisions)
        appendLiteral("::text[], ")
        appendInterpolation(c.processes)
        appendLiteral("::text[], ")
        appendInterpolation(c.lineages)
        appendLiteral("::text[]")
    }

    /// `unnest(…)` of log lines' columns, in ``PostgresStateStore/logColumns`` order.
    mutating func appendInterpolation(lines: [LogLine]) {
        appendLiteral("unnest(")
        appendInterpolation(lines.map(\.runID.rawValue))
        appendLiteral("::text[], ")
        appendInterpolation(lines.map(\.taskID))
        appendLiteral("::text[], ")
        appendInterpolation(lines.map { Int64($0.attempt) })
        appendLiteral("::bigint[], ")
        appendInterpolation(lines.map(\.stream.rawValue))
        appendLiteral("::text[], ")
        appendInterpolation(lines.map(\.text))
        appendLiteral("::text[], ")
        appendInterpolation(lines.map(\.at.nanosecondsSince1970))
        appendLiteral("::bigint[])")
    }
}

/// The one statement of a fenced batch of task and log writes (see ``PostgresStateStore/fencedWrite(_:)``), prepared
/// once per connection: planning its four parts on every commit cost the server about 0.25 ms per batch.
struct FencedWriteStatement: StoreStatement {
    static let name = "kiln_fenced_write"
    static let sql = """
        WITH p AS (
            SELECT id, last_batch, CASE WHEN lease_owner IS NULL THEN -1 ELSE lease_epoch END AS epoch
            FROM runs WHERE id = $1::text FOR UPDATE),
        ok AS (
            UPDATE runs r SET last_batch = $2::text, revision = r.revision + $3::bigint FROM p
            WHERE r.id = p.id AND p.epoch = $4::bigint AND p.last_batch IS DISTINCT FROM $2::text
            RETURNING r.id, r.revision),
        t AS (
            INSERT INTO task_runs (\(PostgresStateStore.taskColumns), revision)
            SELECT u.*, ok.revision FROM UNNEST($5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[],
                $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[],
                $17::text[], $18::text[], $19::text[]) AS u, ok
            \(PostgresStateStore.upsertConflict)),
        l AS (
            INSERT INTO logs (\(PostgresStateStore.logColumns))
            SELECT run_id, task_id, attempt, stream, text, at
            FROM UNNEST($20::text[], $21::text[], $22::bigint[], $23::text[], $24::text[], $25::bigint[])
                WITH ORDINALITY AS line (run_id, task_id, attempt, stream, text, at, position)
            WHERE EXISTS (SELECT 1 FROM ok)
            ORDER BY position)
        SELECT epoch, last_batch FROM p
        """
    /// The run's lease epoch (-1 when released) and its last batch id, as they were before the statement.
    typealias Row = (Int64, String?)

    let run: String, batch: String, revisionStep: Int64, epoch: Int64
    let tasks: PostgresStateStore.TaskColumns
    let lines: [LogLine]

    var arguments: [any PostgresEncodable] {
        let c = tasks
        return [
            run, batch, revisionStep, epoch,
            c.runs, c.tasks, c.states, c.attempts, c.outputs, c.errors, c.cacheKeys, c.cacheNotes, c.startedAt,
            c.finishedAt, c.retryAt, c.deadlineAt, c.decisions, c.processes, c.lineages,
            lines.map(\.runID.rawValue), lines.map(\.taskID), lines.map { Int64($0.attempt) },
            lines.map(\.stream.rawValue), lines.map(\.text), lines.map(\.at.nanosecondsSince1970),
        ]
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
