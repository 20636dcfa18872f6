import PipelineEngine
import PipelineModel

// Retention: listing finished runs, the artifacts the others name, deleting finished runs.
extension StateStoreConformance {
    /// A run in `state`, created at `start`, ended at `ended` seconds after it (none when `nil`).
    static func run(_ id: String, _ state: RunState, endedAt ended: Int64?) -> RunRecord {
        var record = run(id)
        record.state = state
        record.startedAt = ended == nil ? nil : start
        record.finishedAt = ended.map(at)
        return record
    }

    /// A reference made of one repeated hex byte.
    static func reference(_ byte: String) -> String { "sha256:" + String(repeating: byte, count: 32) }

    /// Old finished runs, unfinished runs and a recent one, with tasks and logs.
    static func storeRetentionRuns(_ store: any StateStore) async throws {
        var producer = task("train", .succeeded, attempts: 1)
        producer.outputs = ["model": .string(reference("aa")), "data": ["parts": [.string(reference("bb"))]]]
        try await store.createRun(run("old-ok", .succeeded, endedAt: 10), tasks: [producer, task("report", .succeeded)])
        try await store.commit(StateBatch(logs: [line("old-ok", "train", 1, "one"), line("old-ok", "train", 1, "two"),
                                                 line("old-ok", "report", 1, "three")]))
        try await store.createRun(run("old-failed", .failed, endedAt: 5), tasks: [task("train", .failed)])
        try await store.createRun(run("old-cancelled", .cancelled, endedAt: nil), tasks: [])
        var running = task("train", .succeeded, attempts: 1)
        running.outputs = ["model": .string(reference("cc"))]
        try await store.createRun(run("queued", .queued, endedAt: nil), tasks: [task("train")])
        try await store.createRun(run("running", .running, endedAt: nil), tasks: [running])
        try await store.createRun(run("waiting", .waiting, endedAt: nil), tasks: [task("approve", .waiting)])
        var recent = task("train", .succeeded, attempts: 1)
        recent.outputs = ["model": .string(reference("dd")), "note": "not a reference: sha256:xyz"]
        try await store.createRun(run("recent", .succeeded, endedAt: 100), tasks: [recent])
    }

    static func finishedRunsBeforeCutoff(_ store: any StateStore) async throws {
        try await storeRetentionRuns(store)
        let found = try await store.finishedRuns(before: at(50))
        try expectEqual(
            found,
            [
                FinishedRun(id: RunID(rawValue: "old-cancelled"), pipeline: "nightly", state: .cancelled, finishedAt: start,
                            tasks: 0, logLines: 0),
                FinishedRun(id: RunID(rawValue: "old-failed"), pipeline: "nightly", state: .failed, finishedAt: at(5),
                            tasks: 1, logLines: 0),
                FinishedRun(id: RunID(rawValue: "old-ok"), pipeline: "nightly", state: .succeeded, finishedAt: at(10),
                            tasks: 2, logLines: 3),
            ], "finishedRuns(before:) (queued, running and waiting runs never; the recent one not yet)")
        try expectEqual(try await store.finishedRuns(before: at(0)), [], "finishedRuns before the first end")
    }

    static func artifactReferencesOfOtherRuns(_ store: any StateStore) async throws {
        try await storeRetentionRuns(store)
        try expectEqual(
            try await store.artifactReferences(excludingRuns: []),
            [reference("aa"), reference("bb"), reference("cc"), reference("dd")], "artifactReferences of every run")
        try expectEqual(
            try await store.artifactReferences(excludingRuns: [RunID(rawValue: "old-ok"), RunID(rawValue: "running")]),
            [reference("dd")], "artifactReferences without old-ok and running")
    }

    static func deleteOnlyFinishedRuns(_ store: any StateStore) async throws {
        try await storeRetentionRuns(store)
        let ids = ["old-ok", "queued", "running", "waiting", "unknown"].map(RunID.init(rawValue:))
        try expectEqual(
            try await store.deleteFinishedRuns(ids), RunDeletion(runs: 1, tasks: 2, logLines: 3),
            "deleteFinishedRuns of old-ok, three unfinished runs and an unknown one")
        try expectEqual(try await store.run(RunID(rawValue: "old-ok")), nil, "the deleted run")
        try expectEqual(try await store.tasks(of: RunID(rawValue: "old-ok")), [], "the deleted run's tasks")
        try expectEqual(
            try await store.logs(of: RunID(rawValue: "old-ok"), task: nil, attempt: nil), [], "the deleted run's logs")
        for id in ["queued", "running", "waiting", "old-failed", "recent"] {
            try expectEqual(try await store.run(RunID(rawValue: id))?.id.rawValue, id, "run \(id) after the deletion")
        }
        try expectEqual(try await store.tasks(of: RunID(rawValue: "running")).count, 1, "the running run's tasks")
        try expectEqual(try await store.deleteFinishedRuns([]), RunDeletion(), "deleting no runs")
    }
}
