internal import Foundation
internal import GRDB
import PipelineEngine
import PipelineModel

// How records become statement arguments and rows become records. Column orders match the SQL in
// SQLiteStateStore+Writes.swift and SQLiteStateStore+Reads.swift.
extension SQLiteStateStore {
    /// `runs` columns, in argument and select order.
    static let runColumns =
        #"id, pipeline, state, params, snapshot, base_directory, "trigger", created_at, started_at, finished_at, error, idempotency_key"#

    /// `task_runs` columns, in argument and select order.
    static let taskColumns =
        "run_id, task_id, state, attempts, outputs, error, cache_key, cache_note, started_at, finished_at, retry_at, deadline_at, decision, process, lineage"

    /// `logs` columns, in argument and select order (without `seq`).
    static let logColumns = "run_id, task_id, attempt, stream, text, at"

    /// `cache_entries` columns, in argument and select order.
    static let cacheColumns = "key, pipeline, task_id, run_id, outputs, created_at, expires_at"

    // MARK: Records to arguments

    /// The arguments for the `runs` columns, with `snapshot` (the encoded ``RunRecord/snapshot``, or `nil` for NULL).
    static func arguments(for run: RunRecord, snapshot: String?) -> StatementArguments {
        [
            run.id.rawValue, run.pipeline, run.state.rawValue, JSONValue.object(run.params).compactJSON,
            snapshot, run.baseDirectory, run.trigger?.compactJSON,
            run.createdAt.nanosecondsSince1970, run.startedAt?.nanosecondsSince1970,
            run.finishedAt?.nanosecondsSince1970, run.error, run.idempotencyKey,
        ]
    }

    /// The arguments of an update of the columns a run's life changes: id, state, params, snapshot, base directory,
    /// trigger, start, end, error.
    static func updateArguments(for run: RunRecord, snapshot: String?) -> StatementArguments {
        [
            run.id.rawValue, run.state.rawValue, JSONValue.object(run.params).compactJSON, snapshot, run.baseDirectory,
            run.trigger?.compactJSON, run.startedAt?.nanosecondsSince1970, run.finishedAt?.nanosecondsSince1970,
            run.error,
        ]
    }

    /// The arguments of an update of a run's indexed columns: id, pipeline, creation time, idempotency key.
    static func identityArguments(for run: RunRecord) -> StatementArguments {
        [run.id.rawValue, run.pipeline, run.createdAt.nanosecondsSince1970, run.idempotencyKey]
    }

    /// The arguments for the `task_runs` columns.
    static func arguments(for record: TaskRecord, of run: RunID) -> [SQLValue] {
        [
            .text(run.rawValue), .text(record.taskID), .text(record.state.rawValue), .integer(Int64(record.attempts)),
            SQLValue(record.outputs.map { JSONValue.object($0).compactJSON }), SQLValue(record.error),
            SQLValue(record.cacheKey), SQLValue(record.cacheNote),
            SQLValue(record.startedAt?.nanosecondsSince1970), SQLValue(record.finishedAt?.nanosecondsSince1970),
            SQLValue(record.retryAt?.nanosecondsSince1970), SQLValue(record.deadline?.nanosecondsSince1970),
            SQLValue(record.decision?.json.compactJSON), SQLValue(record.process.map(processJSON)),
            SQLValue(record.lineage?.storedText),
        ]
    }

    /// The arguments for the `logs` columns.
    static func arguments(for line: LogLine) -> [SQLValue] {
        [
            .text(line.runID.rawValue), .text(line.taskID), .integer(Int64(line.attempt)), .text(line.stream.rawValue),
            .text(line.text), .integer(line.at.nanosecondsSince1970),
        ]
    }

    /// The arguments for the `cache_entries` columns.
    static func arguments(for entry: CacheEntry) -> [SQLValue] {
        [
            .text(entry.key), .text(entry.pipeline), .text(entry.taskID), .text(entry.runID.rawValue),
            .text(JSONValue.object(entry.outputs).compactJSON), .integer(entry.createdAt.nanosecondsSince1970),
            SQLValue(entry.expiresAt?.nanosecondsSince1970),
        ]
    }

    /// The stored form of a pipeline snapshot: its `Codable` JSON, compact, with sorted keys.
    static func snapshotJSON(_ pipeline: Pipeline) throws -> String {
        try CompactJSONEncoder().encode(pipeline)
    }

    // MARK: Rows to records

    /// A run from a row of ``runColumns`` (its snapshot decoded once per stored text, see ``SnapshotCache``).
    func runRecord(from row: Row) throws -> RunRecord {
        let id = RunID(rawValue: try row.decode(atIndex: 0))
        return RunRecord(
            id: id,
            pipeline: try row.decode(atIndex: 1),
            state: try Self.enumValue(RunState.self, row, 2, "runs.state"),
            params: try Self.jsonObject(try row.decode(atIndex: 3), "runs.params"),
            snapshot: try snapshots.decoded(try row.decode(atIndex: 4), for: id) {
                try Pipeline(snapshotJSON: $0) ?? Self.json(Pipeline.self, $0, "runs.snapshot")
            },
            baseDirectory: try row.decode(atIndex: 5),
            trigger: try (row.decode(String?.self, atIndex: 6)).map { try Self.jsonValue($0, "runs.trigger") },
            createdAt: Timestamp(nanosecondsSince1970: try row.decode(atIndex: 7)),
            startedAt: try Self.timestamp(row, 8),
            finishedAt: try Self.timestamp(row, 9),
            error: try row.decode(atIndex: 10),
            idempotencyKey: try row.decode(atIndex: 11))
    }

    /// A task record from a row of ``taskColumns``.
    static func taskRecord(from row: Row) throws -> TaskRecord {
        TaskRecord(
            taskID: try row.decode(atIndex: 1),
            state: try enumValue(TaskState.self, row, 2, "task_runs.state"),
            attempts: try row.decode(atIndex: 3),
            outputs: try (row.decode(String?.self, atIndex: 4)).map {
                try jsonObject($0, "task_runs.outputs")
            },
            error: try row.decode(atIndex: 5),
            cacheKey: try row.decode(atIndex: 6),
            cacheNote: try row.decode(atIndex: 7),
            startedAt: try timestamp(row, 8),
            finishedAt: try timestamp(row, 9),
            retryAt: try timestamp(row, 10),
            deadline: try timestamp(row, 11),
            decision: try (row.decode(String?.self, atIndex: 12)).map { text in
                guard let decision = Decision(json: try jsonValue(text, "task_runs.decision")) else {
                    throw StoredValueError(column: "task_runs.decision", value: text, reason: "not a decision object")
                }
                return decision
            },
            process: try (row.decode(String?.self, atIndex: 13)).map { try json(TaskProcess.self, $0, "task_runs.process") },
            lineage: try (row.decode(String?.self, atIndex: 14)).map { text in
                guard let lineage = TaskLineage(json: try jsonValue(text, "task_runs.lineage")) else {
                    throw StoredValueError(column: "task_runs.lineage", value: text, reason: "not a task lineage object")
                }
                return lineage
            })
    }

    /// `{"host":…,"pid":…,"started":…}`, keys sorted.
    static func processJSON(_ process: TaskProcess) -> String {
        JSONValue.object([
            "host": .string(process.host), "pid": .number(Double(process.pid)), "started": .number(Double(process.started)),
        ]).compactJSON
    }

    /// A log line from a row of ``logColumns``.
    static func logLine(from row: Row) throws -> LogLine {
        LogLine(
            runID: RunID(rawValue: try row.decode(atIndex: 0)),
            taskID: try row.decode(atIndex: 1),
            attempt: try row.decode(atIndex: 2),
            stream: try enumValue(LogStream.self, row, 3, "logs.stream"),
            text: try row.decode(atIndex: 4),
            at: Timestamp(nanosecondsSince1970: try row.decode(atIndex: 5)))
    }

    /// A cache entry from a row of ``cacheColumns``.
    static func cacheEntry(from row: Row) throws -> CacheEntry {
        CacheEntry(
            key: try row.decode(atIndex: 0),
            pipeline: try row.decode(atIndex: 1),
            taskID: try row.decode(atIndex: 2),
            runID: RunID(rawValue: try row.decode(atIndex: 3)),
            outputs: try jsonObject(try row.decode(atIndex: 4), "cache_entries.outputs"),
            createdAt: Timestamp(nanosecondsSince1970: try row.decode(atIndex: 5)),
            expiresAt: try timestamp(row, 6))
    }

    // MARK: Column helpers

    private static func timestamp(_ row: Row, _ index: Int) throws -> Timestamp? {
        try row.decode(Int64?.self, atIndex: index).map { Timestamp(nanosecondsSince1970: $0) }
    }

    private static func enumValue<Value: RawRepresentable>(
        _ type: Value.Type, _ row: Row, _ index: Int, _ column: String
    ) throws -> Value where Value.RawValue == String {
        try enumValue(type, text: try row.decode(atIndex: index), column)
    }

    /// The case of `Value` that `text`, read from `column`, stores.
    static func enumValue<Value: RawRepresentable>(
        _ type: Value.Type, text: String, _ column: String
    ) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw StoredValueError(column: column, value: text, reason: "not a known \(Value.self)")
        }
        return value
    }


    /// A JSON column (outputs, params, triggers, decisions, lineage), parsed directly (``JSONValue/init(parsing:)``);
    /// `JSONDecoder` says what is wrong with text that does not parse.
    private static func jsonValue(_ text: String, _ column: String) throws -> JSONValue {
        if let value = JSONValue(parsing: text) { return value }
        return try json(JSONValue.self, text, column)
    }

    /// A JSON object column, as ``jsonValue(_:_:)`` reads it.
    private static func jsonObject(_ text: String, _ column: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try jsonValue(text, column) else {
            throw StoredValueError(column: column, value: text, reason: "not a JSON object")
        }
        return members
    }

    private static func json<Value: Decodable>(_ type: Value.Type, _ text: String, _ column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw StoredValueError(column: column, value: text, reason: "\(error)")
        }
    }
}
