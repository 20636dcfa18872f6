import PipelineEngine
import PipelineModel

// Checks of creating and listing runs.
extension StateStoreConformance {
    static func createdRunReadsBack(_ store: any StateStore) async throws {
        let full = fullRun("r-full")
        let tasks = [fullTask("train"), task("extract", .succeeded, attempts: 1), task("report")]
        try await store.createRun(full, tasks: tasks)
        try expectEqual(try await store.run(full.id), full, "run(_:) of a run with every field set")
        try expectEqual(
            try await tasksByID(store, "r-full"), Dictionary(uniqueKeysWithValues: tasks.map { ($0.taskID, $0) }),
            "tasks(of:) of that run")

        var minimal = run("r-minimal")
        minimal.trigger = nil
        try await store.createRun(minimal, tasks: [TaskRecord(taskID: "only", outputs: [:])])
        try expectEqual(try await store.run(minimal.id), minimal, "run(_:) of a run without optional fields")
        try expectEqual(
            try await store.tasks(of: minimal.id), [TaskRecord(taskID: "only", outputs: [:])],
            "tasks(of:) with empty (not nil) outputs")
        try expectEqual(try await store.run(full.id), full, "the first run after creating a second one")
    }

    static func newRunTasksReadBack(_ store: any StateStore) async throws {
        // Untouched tasks (a new run's), with ids that need escaping somewhere.
        let ids = ["zeta", "alpha", "quote\"d", "back\\slash", "é", "mid", "0"] + (0..<300).map { "t\(299 - $0)" }
        try await store.createRun(run("r-fresh"), tasks: ids.map { task($0) })
        try expectEqual(
            try await tasksByID(store, "r-fresh"), Dictionary(uniqueKeysWithValues: ids.map { ($0, task($0)) }),
            "tasks(of:) of a new run")
        // One task already started: every record is kept as given.
        let mixed = [task("b"), task("a", .running, attempts: 1), task("c")]
        try await store.createRun(run("r-mixed"), tasks: mixed)
        try expectEqual(
            try await tasksByID(store, "r-mixed"), Dictionary(uniqueKeysWithValues: mixed.map { ($0.taskID, $0) }),
            "tasks(of:) of a run created with a started task")
    }

    static func unknownRunReadsAsNothing(_ store: any StateStore) async throws {
        try await store.createRun(run("r1"), tasks: [task("a")])
        let unknown = RunID(rawValue: "r2")
        try expectEqual(try await store.run(unknown), nil, "run(_:) of an unknown id")
        try expectEqual(try await store.runState(of: unknown), nil, "runState(of:) of an unknown id")
        try expectEqual(try await store.runState(of: RunID(rawValue: "r1")), .queued, "runState(of:) of a stored run")
        try expectEqual(try await store.tasks(of: unknown), [], "tasks(of:) of an unknown id")
        try expectEqual(try await store.logs(of: unknown, task: nil, attempt: nil), [], "logs(of:) of an unknown id")
    }

    static func duplicateRunIsRejected(_ store: any StateStore) async throws {
        let first = run("r1")
        try await store.createRun(first, tasks: [task("a"), task("b")])
        var second = fullRun("r1")
        second.pipeline = "other"
        try await expectError(.duplicateRun(first.id), "createRun with a used id") {
            try await store.createRun(second, tasks: [task("a", .succeeded), task("c")])
        }
        try expectEqual(try await store.run(first.id), first, "the first run after a duplicate create")
        try expectEqual(
            try await tasksByID(store, "r1"), ["a": task("a"), "b": task("b")], "the first run's tasks after a duplicate create")
        try expectEqual(try await store.runs(pipeline: nil, limit: 10).count, 1, "number of runs after a duplicate create")
    }

    static func duplicateIdempotencyKeyIsRejected(_ store: any StateStore) async throws {
        var first = run("r1")
        first.idempotencyKey = "nightly/schedule@1"
        try await store.createRun(first, tasks: [task("a")])
        var second = run("r2")
        second.idempotencyKey = "nightly/schedule@1"
        try await expectError(.duplicateIdempotencyKey("nightly/schedule@1"), "createRun with a used idempotency key") {
            try await store.createRun(second, tasks: [task("a")])
        }
        try expectEqual(try await store.run(second.id), nil, "the refused run")
        try await store.createRun(run("r3"), tasks: [])
        try await store.createRun(run("r4"), tasks: [])  // runs without a key never collide
        var updated = first
        updated.state = .running
        updated.idempotencyKey = nil
        try await store.commit(StateBatch(run: updated))
        try expectEqual(try await store.run(first.id)?.idempotencyKey, "nightly/schedule@1", "the key after an update without it")
        try expectEqual(try await store.run(first.id)?.state, .running, "the state after that update")
    }

    static func runsAreListedNewestFirst(_ store: any StateStore) async throws {
        // Ids sort differently from creation times; "run-a" and "run-b" tie on time and order by id.
        try await store.createRun(run("run-d", pipeline: "a", createdAt: at(0)), tasks: [])
        try await store.createRun(run("run-a", pipeline: "a", createdAt: at(10)), tasks: [])
        try await store.createRun(run("run-b", pipeline: "a", createdAt: at(10)), tasks: [])
        try await store.createRun(run("run-c", pipeline: "b", createdAt: at(5)), tasks: [])

        func ids(_ pipeline: String?, _ limit: Int) async throws -> [String] {
            try await store.runs(pipeline: pipeline, limit: limit).map(\.id.rawValue)
        }
        try expectEqual(try await ids(nil, 10), ["run-b", "run-a", "run-c", "run-d"], "runs(pipeline: nil, limit: 10)")
        try expectEqual(try await ids(nil, 1), ["run-b"], "runs(pipeline: nil, limit: 1)")
        try expectEqual(try await ids("a", 10), ["run-b", "run-a", "run-d"], "runs(pipeline: \"a\", limit: 10)")
        try expectEqual(try await ids("a", 2), ["run-b", "run-a"], "runs(pipeline: \"a\", limit: 2)")
        try expectEqual(try await ids("b", 10), ["run-c"], "runs(pipeline: \"b\", limit: 10)")
        try expectEqual(try await ids("zzz", 10), [], "runs of a pipeline without runs")
        try expectEqual(try await ids(nil, 0), [], "runs(pipeline: nil, limit: 0)")
        try expectEqual(
            try await store.runs(pipeline: "b", limit: 1), [run("run-c", pipeline: "b", createdAt: at(5))],
            "the records runs(pipeline:limit:) returns")
    }

    static func waitingRunsAreListed(_ store: any StateStore) async throws {
        for (id, state, time) in [("w-old", RunState.waiting, Int64(1)), ("r", .running, 2), ("w-new", .waiting, 3),
                                  ("f", .succeeded, 4), ("w-mid", .waiting, 2)] {
            var record = run(id, createdAt: at(time))
            record.state = state
            try await store.createRun(record, tasks: [])
        }
        try expectEqual(
            try await store.waitingRuns(limit: 10).map(\.rawValue), ["w-new", "w-mid", "w-old"], "waitingRuns(limit: 10)")
        try expectEqual(try await store.waitingRuns(limit: 1).map(\.rawValue), ["w-new"], "waitingRuns(limit: 1)")
    }

    static func runIDsByPrefix(_ store: any StateStore) async throws {
        let ids = [
            "20261129-101010-aaa111", "20261129-101010-aaa222", "20261129-111111-bbb333", "2026_x", "2026ax", "20%lit",
        ]
        for id in ids.reversed() { try await store.createRun(run(id), tasks: []) }

        func found(_ prefix: String) async throws -> [String] {
            try await store.runIDs(withPrefix: prefix).map(\.rawValue)
        }
        try expectEqual(
            try await found("20261129-10"), ["20261129-101010-aaa111", "20261129-101010-aaa222"],
            "runIDs(withPrefix: \"20261129-10\")")
        try expectEqual(
            try await found("20261129-101010-aaa111"), ["20261129-101010-aaa111"], "runIDs(withPrefix:) of a whole id")
        try expectEqual(try await found("2026_"), ["2026_x"], "runIDs(withPrefix: \"2026_\") (underscore is literal)")
        try expectEqual(try await found("20%"), ["20%lit"], "runIDs(withPrefix: \"20%\") (percent is literal)")
        try expectEqual(try await found("nope"), [], "runIDs(withPrefix:) without matches")
        try expectEqual(try await found("20261129-101010-aaa1110"), [], "runIDs(withPrefix:) longer than any id")
        try expectEqual(try await found(""), ids.sorted(), "runIDs(withPrefix: \"\") (every id, sorted)")
    }
}
