import Foundation
import PipelineEngine
import PipelineModel
@testable import PipelineStoreSQLite
import Testing

/// What only the SQLite store promises: durability across instances, several processes on one file,
/// its connection settings and its stored-value contract.
@Suite("SQLiteStateStore")
struct SQLiteStateStoreTests {
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)
    static let pipeline = Pipeline(name: "nightly", tasks: [TaskSpec(id: "a", action: .run(["true"]))])

    static func run(_ id: String, state: RunState = .queued) -> RunRecord {
        RunRecord(
            id: RunID(rawValue: id), pipeline: "nightly", state: state, params: ["b": 1, "a": ["x": "y"]],
            snapshot: pipeline, baseDirectory: "/work", createdAt: start)
    }

    static func line(_ run: String, _ task: String, _ text: String) -> LogLine {
        LogLine(runID: RunID(rawValue: run), taskID: task, attempt: 1, stream: .stdout, text: text, at: start)
    }

    @Test("a run's tasks read back in the order they were created, written in one statement or one by one")
    func taskOrder() async throws {
        let store = try SQLiteStateStore.inMemory()
        let ids = (0..<600).map { "t\(($0 * 7919) % 600)" }  // not in id order
        try await store.createRun(Self.run("fresh"), tasks: ids.map { TaskRecord(taskID: $0) })
        #expect(try await store.tasks(of: RunID(rawValue: "fresh")).map(\.taskID) == ids)
        let started = ids.map { TaskRecord(taskID: $0, state: $0 == "t3" ? .running : .pending) }
        try await store.createRun(Self.run("started"), tasks: started)
        #expect(try await store.tasks(of: RunID(rawValue: "started")) == started)
    }

    @Test("defaultPath(home:) is kiln.db inside the home folder")
    func defaultPath() {
        #expect(SQLiteStateStore.defaultPath(home: "/home/me/.kiln") == "/home/me/.kiln/kiln.db")
        #expect(SQLiteStateStore.defaultPath(home: "/home/me/.kiln/") == "/home/me/.kiln/kiln.db")
    }

    @Test("opening a path creates the database file and its missing parent folders")
    func createsParentFolders() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/a/b/kiln.db"
            let store = try SQLiteStateStore(path: path)
            try await store.createRun(Self.run("r1"), tasks: [])
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("a file store runs in WAL mode with synchronous NORMAL and foreign keys on")
    func connectionSettings() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteStateStore(path: folder + "/kiln.db")
            for onWriter in [true, false] {
                #expect(try store.textRows("PRAGMA journal_mode", onWriter: onWriter) == [["wal"]])
                #expect(try store.textRows("PRAGMA synchronous", onWriter: onWriter) == [["1"]])
                #expect(try store.textRows("PRAGMA foreign_keys", onWriter: onWriter) == [["1"]])
            }
        }
    }

    @Test("a run's update rewrites its indexes only when an indexed column changes, and then stores the change")
    func runUpdatesSpareUnchangedIndexes() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let store = try SQLiteStateStore(path: path)
            var run = Self.run("r1")
            try await store.createRun(run, tasks: [])
            func walBytes() throws -> Int {
                (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            }
            // A change of state alone: one page (the run's row) joins the write-ahead log, not the pages of the
            // pipeline/creation-time and idempotency-key indexes.
            let before = try walBytes()
            run.state = .running
            run.startedAt = Self.start.adding(.seconds(1))
            try await store.commit(StateBatch(run: run))
            #expect(try walBytes() - before == 24 + 4096, "one WAL frame: a 24-byte header and one 4 KB page")
            #expect(try await store.run(run.id) == run)

            // Indexed columns that do change are stored.
            run.pipeline = "weekly"
            run.createdAt = Self.start.adding(.seconds(2))
            run.idempotencyKey = "launch-1"
            try await store.commit(StateBatch(run: run))
            #expect(try await store.run(run.id) == run)
            #expect(try await store.runs(pipeline: "weekly", limit: 10).map(\.id) == [run.id])
        }
    }

    @Test("a reopened file store sees everything committed before")
    func durableAcrossInstances() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let id = RunID(rawValue: "r1")
            var finished = Self.run("r1", state: .succeeded)
            finished.finishedAt = Self.start.adding(.seconds(5))
            let done = TaskRecord(taskID: "a", state: .succeeded, attempts: 1, outputs: ["n": 1])
            let entry = CacheEntry(
                key: "k", pipeline: "nightly", taskID: "a", runID: id, outputs: ["n": 1], createdAt: Self.start,
                expiresAt: nil)
            do {
                let store = try SQLiteStateStore(path: path)
                try await store.createRun(Self.run("r1"), tasks: [TaskRecord(taskID: "a")])
                try await store.commit(
                    StateBatch(
                        run: finished, tasks: [TaskUpdate(runID: id, record: done, expected: .pending)],
                        logs: [Self.line("r1", "a", "hello")], cache: [entry]))
            }
            let reopened = try SQLiteStateStore(path: path)
            #expect(try await reopened.run(id) == finished)
            #expect(try await reopened.tasks(of: id) == [done])
            #expect(try await reopened.logs(of: id, task: nil, attempt: nil) == [Self.line("r1", "a", "hello")])
            #expect(try await reopened.cacheEntries() == [entry])
        }
    }

    @Test("reads reuse a decoded snapshot only while its stored text is unchanged, even when another process rewrites it")
    func decodedSnapshotsFollowTheStoredText() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let reader = try SQLiteStateStore(path: path)
            let writer = try SQLiteStateStore(path: path)
            try await writer.createRun(Self.run("r1"), tasks: [])
            try await writer.createRun(Self.run("r2"), tasks: [])
            #expect(try await reader.run(RunID(rawValue: "r1"))?.snapshot == Self.pipeline)
            #expect(try await reader.runs(pipeline: nil, limit: 10).map(\.snapshot) == [Self.pipeline, Self.pipeline])

            var changed = Self.run("r1", state: .running)
            changed.snapshot = Pipeline(name: "nightly", tasks: [TaskSpec(id: "b", action: .run(["false"]))])
            try await writer.commit(StateBatch(run: changed))
            #expect(try await reader.run(RunID(rawValue: "r1"))?.snapshot == changed.snapshot)
            #expect(try await reader.run(RunID(rawValue: "r2"))?.snapshot == Self.pipeline)
            #expect(try await reader.run(RunID(rawValue: "r1"))?.snapshot == changed.snapshot)
        }
    }

    @Test("reopening runs no migration twice and keeps the data")
    func migrationsAreIdempotent() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            try await SQLiteStateStore(path: path).createRun(Self.run("r1"), tasks: [])
            for _ in 0..<3 {
                let store = try SQLiteStateStore(path: path)
                #expect(try store.textRows("SELECT identifier FROM grdb_migrations ORDER BY rowid") == [["v1"], ["v2-task-decisions"], ["v2-registry"], ["v3-scheduler"], ["v4-run-leases"], ["v4-deployments"], ["v5-task-lineage"], ["v6-scheduler-leases"], ["v7-task-queue"], ["v8-replay-safe-writes"]])
                #expect(try await store.runs(pipeline: nil, limit: 10).map(\.id.rawValue) == ["r1"])
            }
        }
    }

    @Test("a task's lineage round-trips through task_runs.lineage; a database from before lineage opens with none")
    func lineageColumn() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let store = try SQLiteStateStore(path: path)
            let lineage = TaskLineage(
                kiln: "0.1.0", platform: "linux-x86_64", startedAt: Timestamp(millisecondsSince1970: 1_764_979_200_123),
                files: ["data/x.csv": FileFacts(digest: "sha256:" + String(repeating: "a", count: 64), bytes: 120, rows: 4),
                        "config.json": FileFacts(digest: "sha256:" + String(repeating: "b", count: 64), bytes: 9)],
                seeds: [42, 7, 42])
            try await store.createRun(Self.run("r1"), tasks: [
                TaskRecord(taskID: "a", state: .succeeded, outputs: ["n": 1], lineage: lineage), TaskRecord(taskID: "b"),
            ])
            let read = try await SQLiteStateStore(path: path).tasks(of: RunID(rawValue: "r1"))
            #expect(read.first?.lineage == lineage)
            #expect(read.first?.lineage?.seeds == [7, 42])
            #expect(read.last?.lineage == nil)
            #expect(try store.textRows("SELECT lineage FROM task_runs WHERE task_id = 'a'").first?.first??.hasPrefix(#"{"files":{"config.json""#) == true)

            // What a kiln before lineage wrote: no column, no migration.
            try store.executeRaw("""
                ALTER TABLE task_runs DROP COLUMN lineage; DELETE FROM grdb_migrations WHERE identifier = 'v5-task-lineage';
                """)
            let upgraded = try SQLiteStateStore(path: path)
            #expect(try await upgraded.tasks(of: RunID(rawValue: "r1")).map(\.lineage) == [nil, nil])
            #expect(try await upgraded.tasks(of: RunID(rawValue: "r1")).first?.outputs == ["n": 1])
        }
    }

    @Test("two stores on one file commit concurrently without errors and keep every row")
    func twoWritersOnOneFile() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            // Opened together: both may try to migrate the new file at once.
            async let openFirst = SQLiteStateStore(path: path)
            async let openSecond = SQLiteStateStore(path: path)
            let stores = try await [openFirst, openSecond]
            let id = RunID(rawValue: "r1")
            try await stores[0].createRun(Self.run("r1"), tasks: [])
            let commits = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, store) in stores.enumerated() {
                    group.addTask {
                        for number in 0..<commits {
                            let task = "w\(index)-\(number)"
                            try await store.commit(
                                StateBatch(
                                    tasks: [TaskUpdate(runID: id, record: TaskRecord(taskID: task), expected: nil)],
                                    logs: [Self.line("r1", "w\(index)", "\(number)")]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            for store in stores {
                #expect(try await store.tasks(of: id).count == 2 * commits)
                for index in 0..<2 {
                    let lines = try await store.logs(of: id, task: "w\(index)", attempt: nil)
                    #expect(lines.map(\.text) == (0..<commits).map(String.init))
                }
            }
        }
    }

    @Test("the holder's lease confirm and cache lookups see another process's writes at once, between its own commits")
    func pointReadsSeeOtherWriters() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let (holder, other) = (try SQLiteStateStore(path: path), try SQLiteStateStore(path: path))
            let id = RunID(rawValue: "r1")
            let owner = RunOwner(label: "kiln run", host: "a", pid: 1, started: 1)
            let lease = try await holder.createRun(
                Self.run("r1"), tasks: [TaskRecord(taskID: "a")], leasedTo: owner, at: Self.start,
                expiresAt: Self.start.adding(.seconds(30)))
            #expect(try await holder.leaseEpoch(of: id) == lease.epoch)
            #expect(try await holder.leaseEpoch(of: RunID(rawValue: "unknown")) == nil)
            // The holder's connection has read and written the run; another process takes it over.
            let taker = RunOwner(label: "kiln resume", host: "a", pid: 2, started: 2)
            let taken = try await other.acquireLease(
                run: id, owner: taker, at: Self.start, expiresAt: Self.start.adding(.seconds(30)), mode: .takeover)
            #expect(try await holder.leaseEpoch(of: id) == taken.epoch)
            await #expect(throws: StateStoreError.self, "the old holder's commit is fenced after its confirm") {
                try await holder.commit(StateBatch(logs: [Self.line("r1", "a", "late")], fence: lease))
            }
            #expect(try await holder.leaseEpoch(of: id) == taken.epoch, "the same statement again after the fence check")
            try await other.releaseLease(taken)
            #expect(try await holder.leaseEpoch(of: id) == nil, "released by the other process")
            let entry = CacheEntry(
                key: "k", pipeline: "nightly", taskID: "a", runID: id, outputs: ["n": 1], createdAt: Self.start,
                expiresAt: nil)
            #expect(try await holder.cacheEntry(forKey: "k") == nil)
            try await other.commit(StateBatch(cache: [entry]))
            #expect(try await holder.cacheEntry(forKey: "k") == entry)
        }
    }

    @Test("task, log and cache rows keep empty text, multi-byte text, NULLs and extreme integers as they were")
    func boundValuesRoundTrip() async throws {
        let store = try SQLiteStateStore.inMemory()
        let id = RunID(rawValue: "r1")
        try await store.createRun(Self.run("r1"), tasks: [TaskRecord(taskID: "a")])
        let extreme = Timestamp(nanosecondsSince1970: .min)
        let record = TaskRecord(
            taskID: "a", state: .failed, attempts: Int.max, outputs: ["": "", "é": "☃ 𝄞", "n": 1.5], error: "",
            cacheKey: nil, cacheNote: "née\tafter", startedAt: extreme,
            finishedAt: Timestamp(nanosecondsSince1970: .max))
        let line = LogLine(runID: id, taskID: "a", attempt: 0, stream: .stderr, text: "", at: extreme)
        let entry = CacheEntry(
            key: "", pipeline: "nightly", taskID: "a", runID: id, outputs: [:], createdAt: extreme, expiresAt: nil)
        try await store.commit(
            StateBatch(tasks: [TaskUpdate(runID: id, record: record, expected: .pending)], logs: [line], cache: [entry]))
        #expect(try await store.tasks(of: id) == [record])
        #expect(try await store.logs(of: id, task: nil, attempt: nil) == [line])
        #expect(try await store.cacheEntry(forKey: "") == entry)
        #expect(try store.textRows("SELECT typeof(error), typeof(cache_key) FROM task_runs", onWriter: true)
            == [["text", "null"]], "an empty error is text, a missing cache key NULL")
        await #expect(throws: StateStoreError.conflict(run: id, task: "a", expected: .pending, actual: .failed)) {
            try await store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: record, expected: .pending)]))
        }
        await #expect(throws: StateStoreError.unknownRun(RunID(rawValue: "nope"))) {
            try await store.commit(StateBatch(tasks: [
                TaskUpdate(runID: RunID(rawValue: "nope"), record: TaskRecord(taskID: "a"), expected: nil),
            ]))
        }
        #expect(try await store.tasks(of: id) == [record], "still usable after a failed statement")
    }

    @Test("two stores racing to start the same tasks: exactly one compare-and-set wins each")
    func compareAndSetAcrossStores() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let stores = [try SQLiteStateStore(path: path), try SQLiteStateStore(path: path)]
            let id = RunID(rawValue: "r1")
            let taskIDs = (0..<50).map { "t\($0)" }
            try await stores[0].createRun(Self.run("r1"), tasks: taskIDs.map { TaskRecord(taskID: $0) })
            let wins = try await withThrowingTaskGroup(of: Int.self) { group in
                for store in stores {
                    group.addTask {
                        var wins = 0
                        for task in taskIDs {
                            let started = TaskRecord(taskID: task, state: .running, attempts: 1)
                            do {
                                try await store.commit(
                                    StateBatch(tasks: [TaskUpdate(runID: id, record: started, expected: .pending)]))
                                wins += 1
                            } catch StateStoreError.conflict(_, task, .pending, .running) {}
                        }
                        return wins
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wins == taskIDs.count)
            #expect(try await stores[1].tasks(of: id).allSatisfy { $0.state == .running && $0.attempts == 1 })
        }
    }

    @Test("a prefix lookup returns at most ten ids, the first in id order")
    func prefixLookupIsCapped() async throws {
        let store = try SQLiteStateStore(path: ":memory:")
        let ids = (10..<22).map { "20261129-1200\($0)-abcdef" }
        for id in ids.shuffled() { try await store.createRun(Self.run(id), tasks: []) }
        let found = try await store.runIDs(withPrefix: "20261129-")
        #expect(found.map(\.rawValue) == Array(ids.prefix(SQLiteStateStore.prefixMatchLimit)))
        #expect(SQLiteStateStore.prefixMatchLimit == 10)
    }

    @Test("a batch committed from a cancelled task is still stored")
    func commitIgnoresCancellation() async throws {
        let store = try SQLiteStateStore.inMemory()
        try await store.createRun(Self.run("r1"), tasks: [])
        let cancelled = Self.run("r1", state: .cancelled)
        let wasCancelled = try await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await store.commit(StateBatch(run: cancelled))
            return Task.isCancelled
        }.value
        #expect(wasCancelled)
        #expect(try await store.run(cancelled.id) == cancelled)
    }
}
