public import PipelineEngine
import PipelineModel

/// The behaviour every ``TaskQueue`` must have, as named checks to run against a fresh, empty queue.
///
/// ```swift
/// @Test("SQLite queue", arguments: TaskQueueConformance.checks)
/// func conforms(_ check: TaskQueueConformance.Check) async throws {
///     try await check.run(SQLiteStateStore.inMemory())
/// }
/// ```
public enum TaskQueueConformance {
    /// One requirement of the `TaskQueue` contract and the code that checks it.
    public struct Check: Sendable, CustomStringConvertible {
        /// The requirement, as a sentence.
        public let name: String
        /// Checks the requirement on `queue`, which must be empty.
        public let run: @Sendable (any TaskQueue) async throws -> Void

        /// Creates a check.
        public init(_ name: String, run: @escaping @Sendable (any TaskQueue) async throws -> Void) {
            self.name = name
            self.run = run
        }

        /// The requirement.
        public var description: String { name }
    }

    /// Every check, each to run on its own empty queue.
    public static let checks: [Check] = [
        Check("queued attempts are claimed oldest first, up to the limit, with every field", run: claimsOldestFirst),
        Check("a task with labels goes only to a worker that has all of them", run: labelsSelectWorkers),
        Check("concurrent claims never hand out the same attempt twice", run: concurrentClaimsAreDisjoint),
        Check("results are fenced by the claim token and collected once, with the worker that stored them",
              run: resultsAreFencedAndCollectedOnce),
        Check("storing results and claiming in one step stores the held ones and claims what fits, labels respected",
              run: finishAndClaimInOneStep),
        Check("a heartbeat keeps held claims and reports withdrawn ones", run: heartbeatReportsWithdrawn),
        Check("a lapsed claim is collected as failed and leaves its process for its host", run: lapsedClaimFails),
        Check("a handed-back attempt is claimed again under a new token", run: handBackRequeues),
        Check("an attempt enqueued again (a replayed enqueue) stays one row", run: replayedEnqueueAddsNothing),
        Check("claims on a host are listed with their worker and process; a run's, with their worker by task",
              run: claimsOnHost),
        Check("a new owner adopts the attempts still wanted, in any state, under its epoch; the rest are removed",
              run: adoptionKeepsWantedAttempts),
        Check("queueing is fenced by the run's lease: an owner that lost the run, or released it, queues nothing",
              run: enqueueIsFencedByTheLease),
    ]

    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)
    static func at(_ seconds: Int64) -> Timestamp { start.adding(.seconds(seconds)) }
    static let alpha = RunOwner(label: "alpha", host: "gpu-1", pid: 4242, started: 77)
    static let beta = RunOwner(label: "beta", host: "cpu-2", pid: 99, started: 12)

    static func attempt(_ task: String, run: String = "r1", number: Int = 1, labels: [String] = []) -> QueuedAttempt {
        QueuedAttempt(
            runID: RunID(rawValue: run), epoch: 3, taskID: task, attempt: number, labels: labels,
            work: AttemptWork(
                action: task.hasPrefix("cmd") ? .run(["echo", "hi ✓"]) : .uses("noop"),
                inputs: ["n": 1.5, "list": ["a", nil]], environment: ["A": "b"], workingDirectory: "/srv/p",
                decision: Decision(approved: true, reason: "ok", actor: "cli", at: start), withheldEnvironment: ["SECRET"]),
            queuedAt: at(0))
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message()) }
    }

    static func claimsOldestFirst(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("a"), attempt("cmd-b", number: 2)])
        try await queue.enqueue([attempt("c")])
        let first = try await queue.claim(worker: alpha, labels: [], limit: 2, at: at(1), expiresAt: at(31))
        try expect(first.map(\.attempt.taskID) == ["a", "cmd-b"], "claimed \(first.map(\.attempt.taskID)), expected [a, cmd-b]")
        try expect(first[1].attempt == attempt("cmd-b", number: 2), "the claimed attempt reads back as \(first[1].attempt)")
        try expect(first[0].claim != first[1].claim, "two claims are the same")
        let rest = try await queue.claim(worker: beta, labels: [], limit: 5, at: at(1), expiresAt: at(31))
        try expect(rest.map(\.attempt.taskID) == ["c"], "the second claim got \(rest.map(\.attempt.taskID)), expected [c]")
        let none = try await queue.claim(worker: beta, labels: [], limit: 5, at: at(1), expiresAt: at(31))
        try expect(none.isEmpty, "an empty queue handed out \(none.count) attempts")
    }

    static func replayedEnqueueAddsNothing(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("a"), attempt("b")])
        try await queue.enqueue([attempt("a"), attempt("b"), attempt("a", number: 2)])
        let claimed = try await queue.claim(worker: alpha, labels: [], limit: 10, at: at(1), expiresAt: at(31))
        try expect(
            claimed.map { "\($0.attempt.taskID)#\($0.attempt.attempt)" } == ["a#1", "b#1", "a#2"],
            "claimed \(claimed.map { "\($0.attempt.taskID)#\($0.attempt.attempt)" }), expected [a#1, b#1, a#2]")
    }

    static func labelsSelectWorkers(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("train", labels: ["gpu", "big"]), attempt("plain"), attempt("fit", labels: ["gpu"])])
        let cpu = try await queue.claim(worker: beta, labels: [], limit: 10, at: at(1), expiresAt: at(31))
        try expect(cpu.map(\.attempt.taskID) == ["plain"], "a worker without labels got \(cpu.map(\.attempt.taskID))")
        let gpu = try await queue.claim(worker: alpha, labels: ["gpu"], limit: 10, at: at(1), expiresAt: at(31))
        try expect(gpu.map(\.attempt.taskID) == ["fit"], "a gpu worker got \(gpu.map(\.attempt.taskID)), expected [fit]")
        let both = try await queue.claim(worker: alpha, labels: ["big", "gpu", "x"], limit: 10, at: at(1), expiresAt: at(31))
        try expect(both.map(\.attempt.taskID) == ["train"], "a gpu+big worker got \(both.map(\.attempt.taskID))")
    }

    static func concurrentClaimsAreDisjoint(_ queue: any TaskQueue) async throws {
        try await queue.enqueue((0..<200).map { attempt("t\($0)") })
        let claimed = try await withThrowingTaskGroup(of: [ClaimedAttempt].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var mine: [ClaimedAttempt] = []
                    while true {
                        let owner = RunOwner(label: "w\(worker)", host: "h", pid: Int32(worker), started: 1)
                        let batch = try await queue.claim(worker: owner, labels: [], limit: 7, at: at(1), expiresAt: at(31))
                        if batch.isEmpty { return mine }
                        mine += batch
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        try expect(claimed.count == 200, "8 workers claimed \(claimed.count) attempts in all, expected 200")
        try expect(Set(claimed.map(\.attempt.taskID)).count == 200, "an attempt was claimed twice")
    }

    static func resultsAreFencedAndCollectedOnce(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("a"), attempt("b"), attempt("x", run: "r2")])
        let claimed = try await queue.claim(worker: alpha, labels: [], limit: 3, at: at(1), expiresAt: at(31))
        let stale = QueueClaim(id: claimed[1].claim.id, token: claimed[1].claim.token + 1000)
        let ok = AttemptResult.succeeded(outputs: ["n": 2], cacheKey: "k", cacheNote: "miss", lineage: nil)
        let stored = try await queue.finish(
            [(claimed[0].claim, ok), (stale, .failed(error: "stale", cacheKey: nil)), (claimed[2].claim, .cancelled)],
            at: at(2))
        try expect(stored == [claimed[0].claim, claimed[2].claim], "finish stored \(stored), expected the two held claims")
        let collected = try await queue.collect(runs: [RunID(rawValue: "r1"): 3], at: at(3))
        try expect(collected == [FinishedAttempt(runID: RunID(rawValue: "r1"), taskID: "a", attempt: 1, result: ok, worker: alpha)],
                   "collected \(collected), expected only a's result, stored by worker alpha")
        let again = try await queue.collect(runs: [RunID(rawValue: "r1"): 3], at: at(3))
        try expect(again.isEmpty, "a result was collected twice")
        let other = try await queue.collect(runs: [RunID(rawValue: "r2"): 3], at: at(3))
        try expect(other.map(\.result) == [.cancelled], "run r2's result reads \(other)")
    }

    static func finishAndClaimInOneStep(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("a"), attempt("b")])
        let first = try await queue.claim(worker: alpha, labels: [], limit: 2, at: at(1), expiresAt: at(31))
        try await queue.enqueue([attempt("c", labels: ["gpu"]), attempt("d"), attempt("e"), attempt("f")])
        let ok = AttemptResult.succeeded(outputs: ["n": 1], cacheKey: nil, cacheNote: nil, lineage: nil)
        let stale = QueueClaim(id: first[1].claim.id, token: first[1].claim.token + 1000)
        let (stored, claimed) = try await queue.finishAndClaim(
            [(first[0].claim, ok), (stale, .cancelled)], at: at(2), worker: alpha, labels: [], limit: 2,
            expiresAt: at(32))
        try expect(stored == [first[0].claim], "stored \(stored), expected only the held claim of a")
        try expect(claimed.map(\.attempt.taskID) == ["d", "e"], "claimed \(claimed.map(\.attempt.taskID)), expected d, e")
        try expect(claimed.allSatisfy { $0.claim.token > 0 }, "a claim without a token")
        let collected = try await queue.collect(runs: [RunID(rawValue: "r1"): 3], at: at(3))
        try expect(collected.map(\.taskID) == ["a"], "collected \(collected), expected a's result")
        let (none, rest) = try await queue.finishAndClaim(
            [], at: at(4), worker: alpha, labels: ["gpu"], limit: 5, expiresAt: at(34))
        try expect(none.isEmpty && rest.map(\.attempt.taskID) == ["c", "f"], "then claimed \(rest.map(\.attempt.taskID))")
        let (done, nothing) = try await queue.finishAndClaim(
            [(claimed[0].claim, ok)], at: at(5), worker: alpha, labels: [], limit: 3, expiresAt: at(35))
        try expect(done == [claimed[0].claim] && nothing.isEmpty, "an empty queue: stored \(done), claimed \(nothing)")
    }

    static func heartbeatReportsWithdrawn(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("a"), attempt("b", run: "r2")])
        let claimed = try await queue.claim(worker: alpha, labels: [], limit: 2, at: at(1), expiresAt: at(11))
        try await queue.withdraw(run: RunID(rawValue: "r2"))
        let held = try await queue.renewClaims(claimed.map(\.claim), at: at(5), expiresAt: at(40))
        try expect(held == [claimed[0].claim], "the heartbeat kept \(held), expected only run r1's claim")
        // Renewed to 40: not lapsed at 30.
        let collected = try await queue.collect(runs: [RunID(rawValue: "r1"): 3], at: at(30))
        try expect(collected.isEmpty, "a renewed claim was collected as \(collected)")
    }

    static func lapsedClaimFails(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("cmd-a")])
        let claimed = try await queue.claim(worker: alpha, labels: [], limit: 1, at: at(1), expiresAt: at(11))
        let process = TaskProcess(host: "gpu-1", pid: 5150, started: 99)
        try await queue.recordProcess(process, of: claimed[0].claim)
        let early = try await queue.collect(runs: [RunID(rawValue: "r1"): 3], at: at(10))
        try expect(early.isEmpty, "a live claim was collected")
        let lapsed = try await queue.collect(runs: [RunID(rawValue: "r1"): 3], at: at(12))
        try expect(lapsed == [FinishedAttempt(
            runID: RunID(rawValue: "r1"), taskID: "cmd-a", attempt: 1, result: .lost(worker: alpha, expiredAt: at(11)))],
                   "a lapsed claim was collected as \(lapsed) (its worker stored no result: none is named)")
        guard case .failed(let error, _) = lapsed[0].result, error.contains("alpha on gpu-1 stopped heartbeating") else {
            throw ConformanceFailure("the failure does not name the worker: \(lapsed[0].result)")
        }
        let late = try await queue.finish([(claimed[0].claim, .cancelled)], at: at(13))
        try expect(late.isEmpty, "a reclaimed attempt's late result was stored")
        let elsewhere = try await queue.orphans(on: "cpu-2")
        try expect(elsewhere.isEmpty, "another host got orphans \(elsewhere)")
        let orphans = try await queue.orphans(on: "gpu-1")
        try expect(orphans == [process], "orphans on gpu-1: \(orphans), expected the recorded process")
        let twice = try await queue.orphans(on: "gpu-1")
        try expect(twice.isEmpty, "orphans were handed out twice")
    }

    static func handBackRequeues(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("a")])
        let first = try await queue.claim(worker: alpha, labels: [], limit: 1, at: at(1), expiresAt: at(31))
        try await queue.handBack(first.map(\.claim))
        let second = try await queue.claim(worker: beta, labels: [], limit: 1, at: at(2), expiresAt: at(32))
        try expect(second.map(\.attempt) == first.map(\.attempt), "the handed-back attempt was not claimed again")
        try expect(second[0].claim.token != first[0].claim.token, "the new claim kept the old token")
        let stale = try await queue.finish([(first[0].claim, .cancelled)], at: at(3))
        try expect(stale.isEmpty, "the first claim's result was stored after it was handed back")
    }

    static func claimsOnHost(_ queue: any TaskQueue) async throws {
        try await queue.enqueue([attempt("a"), attempt("b"), attempt("c")])
        let mine = try await queue.claim(worker: alpha, labels: [], limit: 1, at: at(1), expiresAt: at(31))
        _ = try await queue.claim(worker: beta, labels: [], limit: 1, at: at(1), expiresAt: at(31))
        let process = TaskProcess(host: "gpu-1", pid: 7, started: 8)
        try await queue.recordProcess(process, of: mine[0].claim)
        let listed = try await queue.claims(on: "gpu-1")
        try expect(listed == [HeldClaim(claim: mine[0].claim, worker: alpha, process: process)],
                   "claims on gpu-1: \(listed)")
        let workers = try await queue.workers(of: RunID(rawValue: "r1"))
        try expect(workers == ["a": alpha, "b": beta], "run r1's attempts are held by \(workers), expected a by alpha, b by beta")
        let none = try await queue.workers(of: RunID(rawValue: "r2"))
        try expect(none.isEmpty, "run r2 has no attempts, yet \(none)")
    }

    static func adoptionKeepsWantedAttempts(_ queue: any TaskQueue) async throws {
        let (r1, r2) = (RunID(rawValue: "r1"), RunID(rawValue: "r2"))
        try await queue.enqueue([attempt("b"), attempt("c"), attempt("d")])
        let claimed = try await queue.claim(worker: alpha, labels: [], limit: 3, at: at(1), expiresAt: at(31))
        let ok = AttemptResult.succeeded(outputs: ["n": 3], cacheKey: nil, cacheNote: nil, lineage: nil)
        _ = try await queue.finish([(claimed[1].claim, ok)], at: at(2))
        try await queue.enqueue([attempt("a"), attempt("e"), attempt("x", run: "r2")])
        // Run r1's new owner (epoch 4) finds a running (queued), b running (claimed), c running (ended), e running
        // as attempt 2 (its row is attempt 1), and d no longer running.
        let kept = try await queue.adopt(run: r1, running: ["a": 1, "b": 1, "c": 1, "e": 2], epoch: 4)
        try expect(kept == ["a": 1, "b": 1, "c": 1], "adopted \(kept), expected a, b and c as attempt 1")
        let stale = try await queue.collect(runs: [r1: 3], at: at(3))
        try expect(stale.isEmpty, "the previous owner (epoch 3) collected \(stale) after the adoption")
        let ended = try await queue.collect(runs: [r1: 4], at: at(3))
        try expect(ended == [FinishedAttempt(runID: r1, taskID: "c", attempt: 1, result: ok, worker: alpha)],
                   "the new owner collected \(ended), expected c's result")
        let held = try await queue.renewClaims([claimed[0].claim, claimed[2].claim], at: at(4), expiresAt: at(40))
        try expect(held == [claimed[0].claim], "the heartbeat kept \(held), expected only b's claim (d was removed)")
        let next = try await queue.claim(worker: beta, labels: [], limit: 5, at: at(5), expiresAt: at(35))
        try expect(next.map { "\($0.attempt.taskID)@\($0.attempt.epoch)" } == ["a@4", "x@3"],
                   "then claimed \(next.map { "\($0.attempt.taskID)@\($0.attempt.epoch)" }), expected a@4 and x@3 (run r2 untouched)")
        _ = try await queue.finish([(claimed[0].claim, .cancelled)], at: at(6))
        let late = try await queue.collect(runs: [r1: 4, r2: 3], at: at(7))
        try expect(late.map(\.taskID) == ["b"], "collected \(late.map(\.taskID)), expected b's result")
        let none = try await queue.adopt(run: r2, running: [:], epoch: 9)
        try expect(none.isEmpty, "adopting nothing kept \(none)")
        let gone = try await queue.renewClaims(next.map(\.claim), at: at(8), expiresAt: at(50))
        try expect(gone == [next[0].claim], "after run r2 kept nothing, the heartbeat kept \(gone), expected a's claim")
    }

    /// Needs the queue's runs: the queue is a ``StateStore`` too (the durable stores), or an ``InMemoryTaskQueue``
    /// fenced by one.
    static func enqueueIsFencedByTheLease(_ queue: any TaskQueue) async throws {
        guard let store = (queue as? any StateStore) ?? (queue as? InMemoryTaskQueue)?.leases else {
            throw ConformanceFailure("the queue has no runs to fence it: pass a state store, or a fenced in-memory queue")
        }
        let id = RunID(rawValue: "fenced")
        try await store.createRun(StateStoreConformance.run("fenced"), tasks: [StateStoreConformance.task("a")])
        let first = try await store.acquireLease(run: id, owner: alpha, at: at(0), expiresAt: at(30), mode: .whenFree)
        func queued(_ task: String, epoch: Int64) -> QueuedAttempt {
            var item = attempt(task, run: "fenced")
            item.epoch = epoch
            return item
        }
        try await queue.enqueue([queued("a", epoch: first.epoch)])
        let second = try await store.acquireLease(run: id, owner: beta, at: at(1), expiresAt: at(31), mode: .takeover)
        try await StateStoreConformance.expectError(
            .leaseLost(id, holder: second), "queueing under the lease taken over"
        ) { try await queue.enqueue([attempt("other-run"), queued("b", epoch: first.epoch)]) }
        try await queue.enqueue([queued("c", epoch: second.epoch)])
        try await store.releaseLease(second)
        try await StateStoreConformance.expectError(
            .leaseLost(id, holder: nil), "queueing under the released lease"
        ) { try await queue.enqueue([queued("d", epoch: second.epoch)]) }
        let claimed = try await queue.claim(worker: alpha, labels: [], limit: 10, at: at(2), expiresAt: at(32))
        try expect(claimed.map { "\($0.attempt.taskID)@\($0.attempt.epoch)" } == ["a@\(first.epoch)", "c@\(second.epoch)"],
                   "claimed \(claimed.map { "\($0.attempt.taskID)@\($0.attempt.epoch)" }), expected a and c only: "
                   + "a refused enqueue adds nothing, not even the attempts of other runs")
    }
}
