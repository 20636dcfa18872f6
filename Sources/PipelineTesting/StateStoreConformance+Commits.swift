import PipelineEngine
import PipelineModel

// Checks of committing batches: atomicity and compare-and-set.
extension StateStoreConformance {
    static func batchIsStoredWhole(_ store: any StateStore) async throws {
        let created = run("r1")
        try await store.createRun(created, tasks: [task("extract"), task("train")])
        var running = created
        running.state = .running
        running.startedAt = at(1)
        running.trigger = ["type": "manual", "user": "ada"]
        running.params = ["since": "2026-11-01", "depth": ["a": [1, 2]]]
        running.snapshot.description = "a run update replaces the snapshot too"
        var extract = fullTask("extract")
        extract.state = .succeeded
        let lines = [line("r1", "extract", 1, "hello"), line("r1", "extract", 1, "oops", .stderr, at: 2)]
        let cached = entry("k1", task: "extract", created: 3, expires: 3600)
        try await store.commit(
            StateBatch(
                run: running, tasks: [TaskUpdate(runID: created.id, record: extract, expected: .pending)], logs: lines,
                cache: [cached]))

        try expectEqual(try await store.run(created.id), running, "the run after a batch that changed it")
        try expectEqual(
            try await tasksByID(store, "r1"), ["extract": extract, "train": task("train")], "the tasks after the batch")
        try expectEqual(try await store.logs(of: created.id, task: nil, attempt: nil), lines, "the logs after the batch")
        try expectEqual(try await store.logs(of: created.id, after: 1), Array(lines.dropFirst()), "the logs after one")
        try expectEqual(try await store.logs(of: created.id, after: 0), lines, "the logs after none")
        try expectEqual(try await store.logs(of: created.id, after: 5), [], "the logs after more than there are")
        try expectEqual(try await store.cacheEntry(forKey: "k1"), cached, "the cache entry after the batch")
    }

    static func emptyBatchChangesNothing(_ store: any StateStore) async throws {
        try await store.createRun(run("r1"), tasks: [task("a")])
        try await store.commit(StateBatch())
        try expectEqual(try await store.run(RunID(rawValue: "r1")), run("r1"), "the run after an empty batch")
        try expectEqual(try await tasksByID(store, "r1"), ["a": task("a")], "the tasks after an empty batch")
    }

    static func unconditionalUpdate(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a", .running, attempts: 1)])
        let replaced = fullTask("a")
        let added = task("late", .skipped)
        try await store.commit(
            StateBatch(tasks: [
                TaskUpdate(runID: id, record: replaced, expected: nil), TaskUpdate(runID: id, record: added, expected: nil),
            ]))
        try expectEqual(try await tasksByID(store, "r1"), ["a": replaced, "late": added], "the tasks after unconditional updates")
    }

    static func compareAndSetApplies(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a"), task("b")])
        let started = TaskRecord(taskID: "a", state: .running, attempts: 1, startedAt: at(1))
        try await store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: started, expected: .pending)]))
        try expectEqual(try await tasksByID(store, "r1"), ["a": started, "b": task("b")], "the tasks after pending → running")

        var done = started
        done.state = .succeeded
        done.outputs = ["f1": 0.93]
        done.finishedAt = at(5)
        try await store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: done, expected: .running)]))
        try expectEqual(try await tasksByID(store, "r1")["a"], done, "task a after running → succeeded")
    }

    static func updatesApplyInOrder(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a")])
        let running = task("a", .running, attempts: 1)
        let pending = TaskRecord(taskID: "a", state: .pending, attempts: 1, error: "exit 1", retryAt: at(30))
        try await store.commit(
            StateBatch(tasks: [
                TaskUpdate(runID: id, record: running, expected: .pending),
                TaskUpdate(runID: id, record: pending, expected: .running),
            ]))
        try expectEqual(try await tasksByID(store, "r1")["a"], pending, "task a after pending → running → pending in one batch")
    }

    static func wideBatchAppliesInOrder(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        let names = (0..<300).map { "t\($0)" }
        try await store.createRun(run("r1"), tasks: names.map { task($0) })
        var updates = names.map { TaskUpdate(runID: id, record: task($0, .running, attempts: 1), expected: .pending) }
        // A task written twice in one batch, an upsert of a new task between compare-and-sets, then a full record.
        updates.append(TaskUpdate(runID: id, record: task("t0", .succeeded, attempts: 1), expected: .running))
        updates.append(TaskUpdate(runID: id, record: task("extra", .pending), expected: nil))
        updates.append(TaskUpdate(runID: id, record: fullTask("t1"), expected: nil))
        updates.append(TaskUpdate(runID: id, record: task("extra", .running, attempts: 1), expected: .pending))
        try await store.commit(StateBatch(tasks: updates))
        var expected = Dictionary(uniqueKeysWithValues: names.map { ($0, task($0, .running, attempts: 1)) })
        expected["t0"] = task("t0", .succeeded, attempts: 1)
        expected["t1"] = fullTask("t1")
        expected["extra"] = task("extra", .running, attempts: 1)
        try expectEqual(try await tasksByID(store, "r1"), expected, "the tasks after a wide mixed batch")

        // One stale compare-and-set among 300 good ones: nothing of the batch is written, and the stale one is named.
        var stale = names.dropFirst(2).map {
            TaskUpdate(runID: id, record: task($0, .succeeded, attempts: 1), expected: .running)
        }
        stale[148] = TaskUpdate(runID: id, record: task("t150", .failed, attempts: 1), expected: .pending)
        try await expectError(
            .conflict(run: id, task: "t150", expected: .pending, actual: .running), "a stale compare-and-set in a wide batch"
        ) {
            try await store.commit(StateBatch(tasks: stale))
        }
        try expectEqual(try await tasksByID(store, "r1"), expected, "the tasks after a wide batch with a conflict")
    }

    static func conflictWritesNothing(_ store: any StateStore) async throws {
        let created = run("r1")
        let before = ["a": task("a"), "b": task("b", .running, attempts: 1), "c": task("c")]
        try await store.createRun(created, tasks: Array(before.values))
        var finished = created
        finished.state = .failed
        finished.error = "should not be stored"
        let batch = StateBatch(
            run: finished,
            tasks: [
                TaskUpdate(runID: created.id, record: task("a", .running, attempts: 1), expected: .pending),
                TaskUpdate(runID: created.id, record: task("c", .cancelled), expected: nil),
                TaskUpdate(runID: created.id, record: task("b", .failed, attempts: 1), expected: .pending),
            ],
            logs: [line("r1", "a", 1, "should not be stored", at: 1)],
            cache: [entry("k1", task: "a", created: 1)])
        try await expectError(
            .conflict(run: created.id, task: "b", expected: .pending, actual: .running), "a stale compare-and-set"
        ) {
            try await store.commit(batch)
        }
        try expectEqual(try await store.run(created.id), created, "the run after a conflicting batch")
        try expectEqual(try await tasksByID(store, "r1"), before, "the tasks after a conflicting batch")
        try expectEqual(try await store.logs(of: created.id, task: nil, attempt: nil), [], "the logs after a conflicting batch")
        try expectEqual(try await store.cacheEntry(forKey: "k1"), nil, "the cache after a conflicting batch")
        try expectEqual(try await store.cacheEntries(), [], "the cache entries after a conflicting batch")
    }

    static func onlyTheFirstDecisionIsRecorded(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("approve", .waiting, attempts: 1)])
        var approved = task("approve", .waiting, attempts: 1)
        approved.decision = Decision(approved: true, reason: "looks good", actor: "ada", at: at(2))
        var rejected = approved
        rejected.decision = Decision(approved: false, reason: nil, actor: "bob", at: at(3))
        try await store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: approved, expected: .waiting, undecided: true)]))
        try await expectError(.alreadyDecided(run: id, task: "approve"), "a second decision") {
            try await store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: rejected, expected: .waiting, undecided: true)]))
        }
        try expectEqual(try await tasksByID(store, "r1"), ["approve": approved], "the task after two decisions")
    }

    static func retryAfterConflict(_ store: any StateStore) async throws {
        let created = run("r1")
        try await store.createRun(created, tasks: [task("a", .running)])
        var changed = fullRun("r1")
        changed.snapshot.description = "changed by the retried batch"
        changed.snapshot.tasks.removeLast()
        let stale = TaskUpdate(runID: created.id, record: task("a", .succeeded), expected: .pending)
        try await expectError(
            .conflict(run: created.id, task: "a", expected: .pending, actual: .running), "a stale compare-and-set"
        ) {
            try await store.commit(StateBatch(run: changed, tasks: [stale]))
        }
        // No read in between: a store that caches what it wrote must not trust the rolled-back write.
        try await store.commit(StateBatch(run: changed))
        try expectEqual(try await store.run(created.id), changed, "the run after retrying without the stale update")
    }

    static func compareAndSetOnMissingTask(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a")])
        try await expectError(
            .conflict(run: id, task: "ghost", expected: .pending, actual: nil), "compare-and-set of a missing task"
        ) {
            try await store.commit(StateBatch(tasks: [TaskUpdate(runID: id, record: task("ghost", .running), expected: .pending)]))
        }
        try expectEqual(try await tasksByID(store, "r1"), ["a": task("a")], "the tasks after it")
    }

    static func unknownRunInBatch(_ store: any StateStore) async throws {
        let known = RunID(rawValue: "r1")
        let unknown = RunID(rawValue: "r9")
        try await store.createRun(run("r1"), tasks: [task("a")])
        try await expectError(.unknownRun(unknown), "a batch whose run record is unknown") {
            try await store.commit(
                StateBatch(
                    run: run("r9"), tasks: [TaskUpdate(runID: known, record: task("a", .running), expected: .pending)]))
        }
        for expected in [nil, TaskState.pending] {
            try await expectError(.unknownRun(unknown), "a task update (expected \(expected?.rawValue ?? "nil")) of an unknown run") {
                try await store.commit(
                    StateBatch(tasks: [
                        TaskUpdate(runID: known, record: task("a", .running), expected: .pending),
                        TaskUpdate(runID: unknown, record: task("a", .running), expected: expected),
                    ]))
            }
        }
        try expectEqual(try await tasksByID(store, "r1"), ["a": task("a")], "the known run's tasks after those batches")
        try expectEqual(try await store.run(unknown), nil, "the unknown run after those batches")
        try expectEqual(try await store.tasks(of: unknown), [], "the unknown run's tasks after those batches")
        try expectEqual(try await store.runs(pipeline: nil, limit: 10).map(\.id), [known], "the runs after those batches")
    }
}
