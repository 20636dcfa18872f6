import PipelineEngine
import PipelineModel
@testable import PipelineStoreSQLite
import Testing

/// The tables, columns and stored values are a contract other tools read: these tests pin them.
@Suite("SQLite schema contract")
struct SchemaContractTests {
    @Test(
        "each table has its documented columns",
        arguments: [
            (
                "runs",
                [
                    "id", "pipeline", "state", "params", "snapshot", "base_directory", "trigger", "created_at",
                    "started_at", "finished_at", "error", "idempotency_key", "lease_owner", "lease_epoch",
                    "lease_acquired_at", "lease_heartbeat_at", "lease_expires_at",
                ]
            ),
            (
                "task_runs",
                [
                    "run_id", "task_id", "state", "attempts", "outputs", "error", "cache_key", "cache_note", "started_at",
                    "finished_at", "retry_at", "deadline_at", "decision", "process", "lineage",
                ]
            ),
            ("logs", ["seq", "run_id", "task_id", "attempt", "stream", "text", "at"]),
            ("cache_entries", ["key", "pipeline", "task_id", "run_id", "outputs", "created_at", "expires_at"]),
            ("trigger_state", ["pipeline", "rule", "last_fire_at", "mark", "queued"]),
            ("model_metrics", ["seq", "model", "version", "metric", "value", "at"]),
        ])
    func columns(table: String, expected: [String]) throws {
        let store = try SQLiteStateStore.inMemory()
        let names = try store.textRows("SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
        #expect(names == expected.map { [$0] })
    }

    @Test("states, streams and timestamps are stored as raw values and integer nanoseconds, JSON compact and sorted")
    func storedValues() async throws {
        let store = try SQLiteStateStore.inMemory()
        let id = RunID(rawValue: "r1")
        let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)
        let run = RunRecord(
            id: id, pipeline: "nightly", state: .running, params: ["b": 1.5, "a": ["y": true, "x": nil]],
            snapshot: Pipeline(name: "nightly", tasks: []), baseDirectory: "/work", trigger: ["type": "manual"],
            createdAt: start)
        try await store.createRun(run, tasks: [])
        let record = TaskRecord(taskID: "t", state: .cached, attempts: 2, outputs: ["z": 1, "m": "text"], retryAt: start)
        try await store.commit(
            StateBatch(
                tasks: [TaskUpdate(runID: id, record: record, expected: nil)],
                logs: [LogLine(runID: id, taskID: "t", attempt: 2, stream: .system, text: "hi", at: start)]))

        #expect(
            try store.textRows(#"SELECT state, params, "trigger", created_at, started_at, snapshot FROM runs"#)
                == [["running", #"{"a":{"x":null,"y":true},"b":1.5}"#, #"{"type":"manual"}"#, "1764979200123456789", nil,
                    #"{"name":"nightly","params":{},"tasks":[]}"#]])
        #expect(
            try store.textRows("SELECT state, attempts, outputs, retry_at FROM task_runs")
                == [["cached", "2", #"{"m":"text","z":1}"#, "1764979200123456789"]])
        #expect(try store.textRows("SELECT stream, attempt, at FROM logs") == [["system", "2", "1764979200123456789"]])
    }

    @Test("a stored value this version cannot read is reported with its column")
    func unreadableValue() async throws {
        let store = try SQLiteStateStore.inMemory()
        let id = RunID(rawValue: "r1")
        try await store.createRun(
            RunRecord(
                id: id, pipeline: "p", state: .queued, params: [:], snapshot: Pipeline(name: "p", tasks: []),
                baseDirectory: "/", createdAt: Timestamp(nanosecondsSince1970: 0)),
            tasks: [TaskRecord(taskID: "t")])
        try store.executeRaw("UPDATE task_runs SET state = 'paused'")
        await #expect(throws: StoredValueError(column: "task_runs.state", value: "paused", reason: "not a known TaskState")) {
            try await store.tasks(of: id)
        }
    }
}
