import PipelineEngine
import PipelineModel

// Checks of run ownership: leases, their expiry, takeover and fencing.
extension StateStoreConformance {
    static let ownerA = RunOwner(label: "kiln run", host: "build-1", pid: 4242, started: 1_000)
    static let ownerB = RunOwner(label: "kiln serve", host: "build-2", pid: 77, started: 5_000)

    static func leaseIsExclusiveUntilItExpires(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a")])
        try expectEqual(try await store.lease(of: id), nil, "the lease of a run nobody took")
        let first = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        try expectEqual(
            first, RunLease(runID: id, owner: ownerA, epoch: 1, acquiredAt: at(0), heartbeatAt: at(0), expiresAt: at(30)),
            "the first lease")
        try expectEqual(try await store.lease(of: id), first, "the stored lease")
        try await expectError(.leased(first), "another owner while the lease is live") {
            _ = try await store.acquireLease(run: id, owner: ownerB, at: at(29), expiresAt: at(59), mode: .whenFree)
        }
        let renewed = try await store.renewLease(first, at: at(20), expiresAt: at(50))
        try expectEqual(renewed.expiresAt, at(50), "the expiry after a heartbeat")
        try expectEqual(try await store.lease(of: id), renewed, "the stored lease after a heartbeat")
        try await expectError(.leased(renewed), "another owner before the renewed expiry") {
            _ = try await store.acquireLease(run: id, owner: ownerB, at: at(49), expiresAt: at(79), mode: .whenFree)
        }
        let second = try await store.acquireLease(run: id, owner: ownerB, at: at(50), expiresAt: at(80), mode: .whenFree)
        try expectEqual(second.epoch, 2, "the epoch of a lease taken after expiry")
        try expectEqual(second.owner, ownerB, "the owner after expiry")
    }

    static func takeoverFencesTheOldOwner(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a", .running, attempts: 1)])
        let old = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        let new = try await store.acquireLease(run: id, owner: ownerB, at: at(5), expiresAt: at(35), mode: .takeover)
        try expectEqual(new.epoch, old.epoch + 1, "the epoch of a takeover")
        let stale = StateBatch(
            tasks: [TaskUpdate(runID: id, record: task("a", .succeeded, attempts: 1), expected: nil)],
            logs: [line("r1", "a", 1, "written by the old owner", at: 6)], fence: old)
        try await expectError(.leaseLost(id, holder: new), "a commit fenced by the taken-over lease") {
            try await store.commit(stale)
        }
        try expectEqual(try await tasksByID(store, "r1"), ["a": task("a", .running, attempts: 1)], "tasks after a fenced-out commit")
        try expectEqual(try await store.logs(of: id, task: nil, attempt: nil), [], "logs after a fenced-out commit")
        try await expectError(.leaseLost(id, holder: new), "a heartbeat of the taken-over lease") {
            _ = try await store.renewLease(old, at: at(7), expiresAt: at(37))
        }
        try await store.releaseLease(old)
        try expectEqual(try await store.lease(of: id), new, "releasing a taken-over lease leaves the new one")
        var fresh = StateBatch(tasks: [TaskUpdate(runID: id, record: task("a", .succeeded, attempts: 2), expected: .running)])
        fresh.fence = new
        try await store.commit(fresh)
        try expectEqual(try await tasksByID(store, "r1"), ["a": task("a", .succeeded, attempts: 2)], "tasks after a fenced commit")
    }

    static func onlyOneReplacesADeadHolder(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [])
        let dead = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        let third = RunOwner(label: "kiln resume", host: "build-3", pid: 9, started: 9)
        let winner = try await store.acquireLease(
            run: id, owner: ownerB, at: at(1), expiresAt: at(31), mode: .replacing(dead))
        try expectEqual(winner.epoch, dead.epoch + 1, "the epoch of the first replacement")
        try await expectError(.leased(winner), "a second process replacing the same dead holder") {
            _ = try await store.acquireLease(run: id, owner: third, at: at(2), expiresAt: at(32), mode: .replacing(dead))
        }
        try expectEqual(try await store.lease(of: id), winner, "the lease after two replacements raced")
    }

    static func releasedLeaseFreesTheRun(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [])
        try expectEqual(try await store.leaseEpoch(of: id), nil, "the lease epoch before any lease")
        let first = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        try expectEqual(try await store.leaseEpoch(of: id), first.epoch, "the held lease's epoch")
        try await store.releaseLease(first)
        try expectEqual(try await store.lease(of: id), nil, "the lease after release")
        try expectEqual(try await store.leaseEpoch(of: id), nil, "the lease epoch after release")
        let second = try await store.acquireLease(run: id, owner: ownerB, at: at(1), expiresAt: at(31), mode: .whenFree)
        try expectEqual(second.epoch, 2, "epochs keep growing across a release")
        try await expectError(.leaseLost(id, holder: second), "a commit fenced by a released lease") {
            try await store.commit(StateBatch(logs: [line("r1", "a", 1, "late")], fence: first))
        }
        let again = try await store.acquireLease(run: id, owner: ownerB, at: at(2), expiresAt: at(32), mode: .whenFree)
        try expectEqual(again.epoch, 3, "the same owner taking its run again gets a new epoch")
        try await expectError(.unknownRun(RunID(rawValue: "nope")), "a lease on an unknown run") {
            _ = try await store.acquireLease(
                run: RunID(rawValue: "nope"), owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        }
    }

    static func runCreatedWithItsLease(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        let lease = try await store.createRun(run("r1"), tasks: [task("a")], leasedTo: ownerA, at: at(0), expiresAt: at(30))
        try expectEqual(
            lease, RunLease(runID: id, owner: ownerA, epoch: 1, acquiredAt: at(0), heartbeatAt: at(0), expiresAt: at(30)),
            "the lease taken with the run")
        try expectEqual(try await store.lease(of: id), lease, "the stored lease")
        try expectEqual(try await store.tasks(of: id).map(\.taskID), ["a"], "the tasks created with the run")
        try await expectError(.leased(lease), "another owner while the lease taken with the run is live") {
            _ = try await store.acquireLease(run: id, owner: ownerB, at: at(1), expiresAt: at(31), mode: .whenFree)
        }
        try await expectError(.duplicateRun(id), "creating the same run again with a lease") {
            _ = try await store.createRun(run("r1"), tasks: [], leasedTo: ownerB, at: at(2), expiresAt: at(32))
        }
        try expectEqual(try await store.lease(of: id), lease, "the lease after a refused duplicate")
    }

    static func batchReleasesItsFence(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a", .running, attempts: 1)])
        let lease = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        var finished = run("r1")
        finished.state = .succeeded
        try await store.commit(StateBatch(
            run: finished, tasks: [TaskUpdate(runID: id, record: task("a", .succeeded, attempts: 1), expected: nil)],
            fence: lease, releasesFence: true))
        try expectEqual(try await store.run(id)?.state, .succeeded, "the run stored by the releasing batch")
        try expectEqual(try await store.tasks(of: id).first?.state, .succeeded, "the task stored by the releasing batch")
        try expectEqual(try await store.lease(of: id), nil, "the lease after the releasing batch")
        try await expectError(.leaseLost(id, holder: nil), "a commit fenced by the released lease") {
            try await store.commit(StateBatch(logs: [line("r1", "a", 1, "late")], fence: lease))
        }
        let next = try await store.acquireLease(run: id, owner: ownerB, at: at(1), expiresAt: at(31), mode: .whenFree)
        try await expectError(.leaseLost(id, holder: next), "a releasing batch fenced by a lease taken over") {
            try await store.commit(StateBatch(
                tasks: [TaskUpdate(runID: id, record: task("a", .failed, attempts: 2), expected: nil)],
                fence: lease, releasesFence: true))
        }
        try expectEqual(try await store.lease(of: id), next, "the new holder's lease after a stale releasing batch")
        try expectEqual(try await store.tasks(of: id).first?.state, .succeeded, "the task after a stale releasing batch")
    }

    static func replayedBatchAppliesOnce(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a", .running, attempts: 1)])
        let lease = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        let progress = StateBatch(
            tasks: [TaskUpdate(runID: id, record: task("a", .pending, attempts: 1), expected: .running)],
            logs: [line("r1", "a", 1, "attempt 1 failed")], fence: lease, id: "batch-1")
        try await store.commit(progress)
        // Committed again (a retry after a lost reply): no conflict, no second log line.
        try await store.commit(progress)
        try expectEqual(try await store.tasks(of: id).first?.state, .pending, "the task after a replayed batch")
        try expectEqual(
            try await store.logs(of: id, task: nil, attempt: nil).count, 1, "log lines after a replayed batch")
        var finished = run("r1")
        finished.state = .succeeded
        let last = StateBatch(
            run: finished, tasks: [TaskUpdate(runID: id, record: task("a", .succeeded, attempts: 2), expected: nil)],
            logs: [line("r1", "a", 2, "done")], fence: lease, releasesFence: true, id: "batch-2")
        try await store.commit(last)
        // The replay of a batch that released its fence succeeds too (the lease is gone: it is not checked).
        try await store.commit(last)
        try expectEqual(try await store.logs(of: id, task: nil, attempt: nil).count, 2, "log lines after a replayed last batch")
        try expectEqual(try await store.lease(of: id), nil, "the lease after a replayed releasing batch")
        // An earlier batch is not the last one: replaying it now is fenced like any stale write.
        try await expectError(.leaseLost(id, holder: nil), "an older batch committed again after the release") {
            try await store.commit(progress)
        }
    }

    static func progressBatchAppliesOnce(_ store: any StateStore) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a", .pending), task("b", .pending)])
        let lease = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        let progress = StateBatch(
            tasks: [
                TaskUpdate(runID: id, record: task("a", .running, attempts: 1), expected: nil),
                TaskUpdate(runID: id, record: task("b", .running, attempts: 1), expected: nil),
                TaskUpdate(runID: id, record: task("a", .succeeded, attempts: 1), expected: nil),
            ],
            logs: [line("r1", "a", 1, "one", at: 1), line("r1", "b", 1, "two", at: 2), line("r1", "a", 1, "three", at: 3)],
            fence: lease, id: "progress-1")
        try await store.commit(progress)
        try await store.commit(progress)  // a retry after a lost reply
        let stored = ["a": task("a", .succeeded, attempts: 1), "b": task("b", .running, attempts: 1)]
        try expectEqual(try await tasksByID(store, "r1"), stored, "tasks after a progress batch and its replay")
        try expectEqual(
            try await store.logs(of: id, task: nil, attempt: nil).map(\.text), ["one", "two", "three"],
            "log lines after a progress batch and its replay, in the batch's order")
        let lines = [line("r1", "b", 1, "four", at: 4)]
        try await store.commit(StateBatch(logs: lines, fence: lease, id: "progress-2"))
        try expectEqual(try await store.logs(of: id, task: "b", attempt: nil).map(\.text), ["two", "four"], "a batch of lines only")

        let new = try await store.acquireLease(run: id, owner: ownerB, at: at(5), expiresAt: at(35), mode: .takeover)
        let stale = StateBatch(
            tasks: [TaskUpdate(runID: id, record: task("b", .succeeded, attempts: 1), expected: nil)],
            logs: [line("r1", "b", 1, "written by the old owner", at: 6)], fence: lease, id: "progress-3")
        try await expectError(.leaseLost(id, holder: new), "a progress batch fenced by the taken-over lease") {
            try await store.commit(stale)
        }
        try expectEqual(try await tasksByID(store, "r1"), stored, "tasks after a fenced-out progress batch")
        try expectEqual(try await store.logs(of: id, task: nil, attempt: nil).count, 4, "lines after a fenced-out batch")
    }

    /// `keepsRevisions`: the store must keep revisions (not fall back to reading every task, the protocol's default).
    static func changedTasksAreReadByRevision(_ store: any StateStore, keepsRevisions: Bool = false) async throws {
        let id = RunID(rawValue: "r1")
        try await store.createRun(run("r1"), tasks: [task("a"), task("b"), task("c")])
        try await store.createRun(run("r2"), tasks: [task("a")])
        func changed(after revision: Int64?) async throws -> (tasks: [String: TaskRecord], revision: Int64) {
            let changes = try await store.tasks(of: id, changedAfter: revision)
            let byID = Dictionary(changes.tasks.map { ($0.taskID, $0) }, uniquingKeysWith: { first, _ in first })
            try expectEqual(byID.count, changes.tasks.count, "tasks read once each")
            return (byID, changes.revision)
        }
        let created = try await changed(after: nil)
        try expectEqual(created.tasks, ["a": task("a"), "b": task("b"), "c": task("c")], "every task, asked with no revision")

        // A fenced progress batch (two writes of b), then an unconditional and a compare-and-set update.
        let lease = try await store.acquireLease(run: id, owner: ownerA, at: at(0), expiresAt: at(30), mode: .whenFree)
        try await store.commit(StateBatch(
            tasks: [
                TaskUpdate(runID: id, record: task("b", .running, attempts: 1), expected: nil),
                TaskUpdate(runID: id, record: task("b", .succeeded, attempts: 1), expected: nil),
            ],
            fence: lease, id: "progress-1"))
        let first = try await changed(after: created.revision)
        if first.revision == 0, !keepsRevisions {
            // A store that keeps no revisions (the protocol's default): every look reads every task.
            try expectEqual(first.tasks.keys.sorted(), ["a", "b", "c"], "every task, from a store without revisions")
            try expectEqual(first.tasks["b"], task("b", .succeeded, attempts: 1), "b, from a store without revisions")
            return
        }
        try expectEqual(first.tasks, ["b": task("b", .succeeded, attempts: 1)], "the tasks a progress batch changed")
        if first.revision <= created.revision {
            throw ConformanceFailure("the revision did not grow with a commit: \(created.revision) → \(first.revision)")
        }
        let again = try await changed(after: first.revision)
        try expectEqual(again.tasks, [:], "the tasks changed since the last look, with no commit since")
        try expectEqual(again.revision, first.revision, "the revision, with no commit since the last look")
        try await store.commit(StateBatch(tasks: [
            TaskUpdate(runID: id, record: task("a", .running, attempts: 1), expected: nil),
            TaskUpdate(runID: id, record: task("c", .skipped), expected: .pending),
        ], fence: lease))
        let second = try await changed(after: first.revision)
        try expectEqual(second.tasks, ["a": task("a", .running, attempts: 1), "c": task("c", .skipped)],
                        "the tasks an upsert and a compare-and-set changed")
        try expectEqual(try await changed(after: created.revision).tasks.keys.sorted(), ["a", "b", "c"],
                        "the tasks changed since creation, asked again")

        // A conflict writes nothing, lines alone change no task, another run's commit changes nothing here.
        try await expectError(.conflict(run: id, task: "a", expected: .pending, actual: .running), "a stale compare-and-set") {
            try await store.commit(StateBatch(tasks: [
                TaskUpdate(runID: id, record: task("b", .failed), expected: nil),
                TaskUpdate(runID: id, record: task("a", .failed), expected: .pending),
            ]))
        }
        try await store.commit(StateBatch(logs: [line("r1", "a", 1, "hello")], fence: lease, id: "progress-2"))
        try await store.commit(StateBatch(tasks: [
            TaskUpdate(runID: RunID(rawValue: "r2"), record: task("a", .running, attempts: 1), expected: nil)
        ]))
        let quiet = try await changed(after: second.revision)
        try expectEqual(quiet.tasks, [:], "the tasks changed by a conflict, lines, and another run's commit")
        try expectEqual(try await store.tasks(of: RunID(rawValue: "r2"), changedAfter: 0).tasks.map(\.state), [.running],
                        "the other run's changed task")
    }
}
