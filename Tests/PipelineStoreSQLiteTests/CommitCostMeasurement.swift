import Foundation
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite
import Testing

/// Prints what a commit costs; asserts nothing about time. Run it in release:
/// `KILN_STORE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter CommitCostMeasurement`
@Suite(
    "Commit cost measurement",
    .enabled(if: ProcessInfo.processInfo.environment["KILN_STORE_BENCH"] != nil, "set KILN_STORE_BENCH=1 to measure"))
struct CommitCostMeasurement {
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_000_000_000)
    static let id = RunID(rawValue: "r1")

    @Test("prints microseconds per committed batch, file and in-memory stores")
    func measure() async throws {
        try await withTemporaryDirectory { folder in
            for (label, store) in [("file", try SQLiteStateStore(path: folder + "/kiln.db")), ("memory", try .inMemory())] {
                try await measure(store, label)
            }
        }
    }

    private func measure(_ store: SQLiteStateStore, _ label: String) async throws {
        let taskIDs = (0..<1000).map { "task-\($0)" }
        let pipeline = Pipeline(name: "bench", tasks: taskIDs.map { TaskSpec(id: $0, action: .run(["true"])) })
        let run = RunRecord(
            id: Self.id, pipeline: "bench", state: .running, params: ["n": 1], snapshot: pipeline, baseDirectory: "/",
            createdAt: Self.start)
        try await store.createRun(run, tasks: taskIDs.map { TaskRecord(taskID: $0) })

        func flip(_ task: String, _ round: Int) -> TaskUpdate {
            let running = round % 2 == 0
            let record = TaskRecord(
                taskID: task, state: running ? .running : .pending, attempts: round + 1, startedAt: Self.start,
                retryAt: running ? nil : Self.start)
            return TaskUpdate(runID: Self.id, record: record, expected: running ? .pending : .running)
        }
        func line(_ round: Int) -> LogLine {
            LogLine(runID: Self.id, taskID: "task-0", attempt: 1, stream: .stdout, text: "epoch \(round) loss 0.0123", at: Self.start)
        }

        try await report(label, "1 task update (unconditional upsert)", rounds: 5000) { round in
            var update = flip("task-3", round)
            update.expected = nil
            return StateBatch(tasks: [update])
        } commit: { try await store.commit($0) }
        try await report(label, "1 task update (compare-and-set)", rounds: 5000) { round in
            StateBatch(tasks: [flip("task-0", round)])
        } commit: { try await store.commit($0) }
        try await report(label, "1 task update + 1 log line", rounds: 5000) { round in
            StateBatch(tasks: [flip("task-1", round)], logs: [line(round)])
        } commit: { try await store.commit($0) }
        try await report(label, "1 run record + 1 task update", rounds: 2000) { round in
            StateBatch(run: run, tasks: [flip("task-2", round)])
        } commit: { try await store.commit($0) }
        try await report(label, "1,000 task updates", rounds: 50) { round in
            StateBatch(tasks: taskIDs.map { flip($0, round) })
        } commit: { try await store.commit($0) }
        try await report(label, "1,000 log lines", rounds: 50) { round in
            StateBatch(logs: (0..<1000).map { line(round * 1000 + $0) })
        } commit: { try await store.commit($0) }
    }

    private func report(
        _ label: String, _ what: String, rounds: Int, batch: (Int) -> StateBatch,
        commit: (StateBatch) async throws -> Void
    ) async throws {
        let batches = (0..<rounds).map(batch)
        // CPU time as well as wall time: on a shared machine the wall time includes waiting for a core.
        let cpuBefore = Self.processCPUTime()
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            for batch in batches { try await commit(batch) }
        }
        let cpu = Self.processCPUTime() - cpuBefore
        let wall = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        print(
            "commit cost [\(label)] \(what): \(String(format: "%.1f", cpu / Double(rounds))) µs CPU, "
                + "\(String(format: "%.1f", wall / Double(rounds))) µs wall per batch (\(rounds) batches)")
    }

    /// CPU time used by this process so far, in microseconds.
    private static func processCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
    }
}
