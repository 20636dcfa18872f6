internal import Foundation
import PipelineEngine
import PipelineModel
internal import PostgresNIO

// How records become bound values and rows become records. Column lists and orders are those of the SQLite store.
extension PostgresStateStore {
    /// `runs` columns, in insert and select order.
    static let runColumns =
        #"id, pipeline, state, params, snapshot, base_directory, "trigger", created_at, started_at, finished_at, error, idempotency_key"#

    /// `task_runs` columns, in insert and select order.
    static let taskColumns =
        "run_id, task_id, state, attempts, outputs, error, cache_key, cache_note, started_at, finished_at, retry_at, deadline_at, decision, process, lineage"

    /// `logs` columns, in insert and select order (without `seq`).
    static let logColumns = "run_id, task_id, attempt, stream, text, at"

    /// `cache_entries` columns, in insert and select order.
    static let cacheColumns = "key, pipeline, task_id, run_id, outputs, created_at, expires_at"

    // MARK: Records to values

    /// The compact JSON text of a pipeline snapshot, keys sorted (decodes to the same `Pipeline`).
    static func snapshotJSON(_ pipeline: Pipeline) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(pipeline), as: UTF8.self)
    }

    /// The values of the `task_runs` columns after `run_id` and `task_id`, as a `SET`-ready list.
    struct TaskValues: Sendable {
        var state: String
        var attempts: Int64
        var outputs: String?
        var error: String?
        var cacheKey: String?
        var cacheNote: String?
        var startedAt: Int64?
        var finishedAt: Int64?
        var retryAt: Int64?
        var deadlineAt: Int64?
        var decision: String?
        var process: String?
        var lineage: String?

        init(_ record: TaskRecord) {
            state = record.state.rawValue
            attempts = Int64(record.attempts)
            outputs = record.outputs.map { JSONValue.object($0).compactJSON }
            error = record.error
            cacheKey = record.cacheKey
            cacheNote = record.cacheNote
            startedAt = record.startedAt?.nanosecondsSince1970
            finishedAt = record.finishedAt?.nanosecondsSince1970
            retryAt = record.retryAt?.nanosecondsSince1970
            deadlineAt = record.deadline?.nanosecondsSince1970
            decision = record.decision?.json.compactJSON
            process = record.process.map(PostgresStateStore.processJSON)
            lineage = record.lineage?.storedText
        }
    }

    /// `{"host":…,"pid":…,"started":…}`, keys sorted.
    static func processJSON(_ process: TaskProcess) -> String {
        JSONValue.object([
            "host": .string(process.host), "pid": .number(Double(process.pid)), "started": .number(Double(process.started)),
        ]).compactJSON
    }

    // MARK: Rows to records

    /// A run from a row of ``runColumns`` (its snapshot decoded once per stored text, see ``SnapshotCache``).
    func runRecord(from row: PostgresRow) throws -> RunRecord {
        let cells = row.makeRandomAccess()
        let id = RunID(rawValue: try cells[0].decode(String.self))
        return RunRecord(
            id: id,
            pipeline: try cells[1].decode(String.self),
            state: try Self.enumValue(RunState.self, cells[2], "runs.state"),
            params: try Self.jsonObject(cells[3].decode(String.self), "runs.params"),
            snapshot: try snapshots.decoded(try cells[4].decode(String.self), for: id) {
                try Pipeline(snapshotJSON: $0) ?? Self.json(Pipeline.self, $0, "runs.snapshot")
            },
            baseDirectory: try cells[5].decode(String.self),
            trigger: try cells[6].decode(String?.self).map { try Self.jsonValue($0, "runs.trigger") },
            createdAt: Timestamp(nanosecondsSince1970: try cells[7].decode(Int64.self)),
            startedAt: try Self.timestamp(cells[8]),
            finishedAt: try Self.timestamp(cells[9]),
            error: try cells[10].decode(String?.self),
            idempotencyKey: try cells[11].decode(String?.self))
    }

    /// A task record from a row of ``taskColumns``.
    static func taskRecord(from row: PostgresRow) throws -> TaskRecord {
        let cells = row.makeRandomAccess()
        return TaskRecord(
            taskID: try cells[1].decode(String.self),
            state: try enumValue(TaskState.self, cells[2], "task_runs.state"),
            attempts: try cells[3].decode(Int.self),
            outputs: try cells[4].decode(String?.self).map { try jsonObject($0, "task_runs.outputs") },
            error: try cells[5].decode(String?.self),
            cacheKey: try cells[6].decode(String?.self),
            cacheNote: try cells[7].decode(String?.self),
            startedAt: try timestamp(cells[8]),
            finishedAt: try timestamp(cells[9]),
            retryAt: try timestamp(cells[10]),
            deadline: try timestamp(cells[11]),
            decision: try cells[12].decode(String?.self).map { text in
                guard let decision = Decision(json: try jsonValue(text, "task_runs.decision")) else {
                    throw PostgresStoreError.unreadable(column: "task_runs.decision", value: text, reason: "not a decision object")
                }
                return decision
            },
            process: try cells[13].decode(String?.self).map { try json(TaskProcess.self, $0, "task_runs.process") },
            lineage: try cells[14].decode(String?.self).map { text in
                guard let lineage = TaskLineage(json: try jsonValue(text, "task_runs.lineage")) else {
                    throw PostgresStoreError.unreadable(column: "task_runs.lineage", value: text, reason: "not a task lineage object")
                }
                return lineage
            })
    }

    /// A log line from a row of ``logColumns``.
    static func logLine(from row: PostgresRow) throws -> LogLine {
        let cells = row.makeRandomAccess()
        return LogLine(
            runID: RunID(rawValue: try cells[0].decode(String.self)),
            taskID: try cells[1].decode(String.self),
            attempt: try cells[2].decode(Int.self),
            stream: try enumValue(LogStream.self, cells[3], "logs.stream"),
            text: try cells[4].decode(String.self),
            at: Timestamp(nanosecondsSince1970: try cells[5].decode(Int64.self)))
    }

    /// A cache entry from a row of ``cacheColumns``.
    static func cacheEntry(from row: PostgresRow) throws -> CacheEntry {
        let cells = row.makeRandomAccess()
        return CacheEntry(
            key: try cells[0].decode(String.self),
            pipeline: try cells[1].decode(String.self),
            taskID: try cells[2].decode(String.self),
            runID: RunID(rawValue: try cells[3].decode(String.self)),
            outputs: try jsonObject(cells[4].decode(String.self), "cache_entries.outputs"),
            createdAt: Timestamp(nanosecondsSince1970: try cells[5].decode(Int64.self)),
            expiresAt: try timestamp(cells[6]))
    }

    // MARK: Column helpers

    static func timestamp(_ cell: PostgresCell) throws -> Timestamp? {
        try cell.decode(Int64?.self).map { Timestamp(nanosecondsSince1970: $0) }
    }

    static func enumValue<Value: RawRepresentable>(
        _ type: Value.Type, _ cell: PostgresCell, _ column: String
    ) throws -> Value where Value.RawValue == String {
        let text = try cell.decode(String.self)
        guard let value = Value(rawValue: text) else {
            throw PostgresStoreError.unreadable(column: column, value: text, reason: "not a known \(Value.self)")
        }
        return value
    }


    /// A JSON column (outputs, params, triggers, decisions, lineage), parsed directly (``JSONValue/init(parsing:)``);
    /// `JSONDecoder` says what is wrong with text that does not parse.
    static func jsonValue(_ text: String, _ column: String) throws -> JSONValue {
        if let value = JSONValue(parsing: text) { return value }
        return try json(JSONValue.self, text, column)
    }

    /// A JSON object column, as ``jsonValue(_:_:)`` reads it.
    static func jsonObject(_ text: String, _ column: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try jsonValue(text, column) else {
            throw PostgresStoreError.unreadable(column: column, value: text, reason: "not a JSON object")
        }
        return members
    }

    static func json<Value: Decodable>(_ type: Value.Type, _ text: String, _ column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresStoreError.unreadable(column: column, value: text, reason: "\(error)")
        }
    }
}
