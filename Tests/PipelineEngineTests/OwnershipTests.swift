import PipelineEngine
import PipelineModel
import PipelineTesting
import Synchronization
import Testing

/// Who executes a run: leases, heartbeats, takeover, fencing and reaping, on a manual clock.
@Suite struct OwnershipTests {
    let store = InMemoryStateStore()
    let clock = ManualClock()
    let recorder = Recorder()
    static let first = RunOwner(label: "kiln run", host: "host-a", pid: 100, started: 1)
    static let second = RunOwner(label: "kiln resume", host: "host-b", pid: 200, started: 2)

    func executor(_ owner: RunOwner, kinds: TaskKindRegistry? = nil) -> PipelineExecutor {
        PipelineExecutor(
            store: store, kinds: kinds ?? TestKinds.registry(recorder: recorder, clock: clock), clock: clock,
            configuration: .init(owner: owner, heartbeat: .seconds(5), leaseDuration: .seconds(30)))
    }

    static func trainThenDeploy() throws -> Plan {
        try Plan(Pipeline(name: "p", tasks: [uses("train", "sleep", with: ["seconds": 600]), uses("deploy", "echo", needs: ["train"])]))
    }

    @Test("a run being executed is refused to a second process, which names the owner; heartbeats keep it owned")
    func secondProcessIsRefused() async throws {
        let ids = RunIDs()
        let plan = try Self.trainThenDeploy()
        let running = Task { try await executor(Self.first).run(plan, baseDirectory: "/tmp", onCreate: { ids.set($0) }) }
        await clock.waitForSleepers(1)
        let id = try #require(ids.value)
        // Well past the lease duration: the heartbeats have renewed it all along.
        for _ in 0..<12 { clock.advance(by: .seconds(5)); await Task.yield() }
        await #expect {
            try await executor(Self.second).resume(id)
        } throws: { error in
            guard case PipelineExecutor.StartError.leased(let lease) = error else { return false }
            return lease.owner == Self.first && "\(error)".contains("kiln run (pid 100 on host-a)")
        }
        clock.advance(by: .seconds(600))
        #expect(try await running.value.state == .succeeded)
        #expect(recorder.count("train") == 1 && recorder.count("deploy") == 1)
        #expect(try await store.lease(of: id) == nil, "the lease is released when the run ends")
    }

    @Test("one heartbeat keeps every run of an executor owned; a run taken over is told, the others keep their lease")
    func oneHeartbeatForAllRuns() async throws {
        let plan = try Self.trainThenDeploy()
        let owner = executor(Self.first)
        let (firstID, secondID) = (RunIDs(), RunIDs())
        let first = Task { try await owner.run(plan, baseDirectory: "/tmp", onCreate: { firstID.set($0) }) }
        let secondEnded = Mutex(false)
        let second = Task {
            defer { secondEnded.withLock { $0 = true } }
            return try await owner.run(plan, baseDirectory: "/tmp", onCreate: { secondID.set($0) })
        }
        await clock.waitForSleepers(2)
        let ids = [try #require(firstID.value), try #require(secondID.value)]
        // Well past the lease duration, a beat at a time: both leases are renewed at each beat.
        for _ in 0..<12 {
            clock.advance(by: .seconds(5))
            for id in ids { #expect(try await renewed(id, by: Self.first)) }
        }

        // The second run is taken over: the next beat tells it, and it stops; the first one keeps its lease.
        let takeover = Task { try await executor(Self.second).resume(ids[1], takeover: true) }
        while try await store.lease(of: ids[1])?.owner != Self.second { await Task.yield() }
        clock.advance(by: .seconds(5))
        for _ in 0..<100_000 where !secondEnded.withLock({ $0 }) { await Task.yield() }
        try #require(secondEnded.withLock { $0 }, "the run taken over stops at the next beat")
        await #expect(throws: ExecutionError.self) { try await second.value }
        #expect(try await renewed(ids[0], by: Self.first))

        clock.advance(by: .seconds(600))
        #expect(try await first.value.state == .succeeded)
        #expect(try await takeover.value.state == .succeeded)
        for id in ids { #expect(try await store.lease(of: id) == nil, "each lease is released when its run ends") }
    }

    /// Whether run `id`'s lease is held by `owner` and was renewed at the clock's current time (waiting a while for
    /// the heartbeat, which runs beside the test).
    func renewed(_ id: RunID, by owner: RunOwner) async throws -> Bool {
        for _ in 0..<100_000 {
            if let lease = try await store.lease(of: id), lease.owner == owner, lease.heartbeatAt == clock.now {
                return true
            }
            await Task.yield()
        }
        return false
    }

    @Test("a takeover fences the old owner: its result is refused, it stops, and only the new owner's work counts")
    func takeoverFencesTheOldOwner() async throws {
        let ids = RunIDs()
        let plan = try Self.trainThenDeploy()
        let old = Task { try await executor(Self.first).run(plan, baseDirectory: "/tmp", onCreate: { ids.set($0) }) }
        await clock.waitForSleepers(1)
        let id = try #require(ids.value)
        // The old owner stores `train` as running just after starting it. Taken over before that commit, it would be
        // fenced out at once and its attempt would stop: only one sleeper would be left to wait for.
        while try await store.tasks(of: id)[task: "train"]?.state != .running { await Task.yield() }

        let new = Task { try await executor(Self.second).resume(id, takeover: true) }
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(600))  // both `train` attempts finish; only one may be recorded
        await #expect(throws: ExecutionError.self) { try await old.value }
        let finished = try await new.value
        #expect(finished.state == .succeeded)
        let tasks = try await store.tasks(of: id)
        #expect(tasks[task: "train"]?.attempts == 2)
        #expect(recorder.count("deploy") == 1, "the old owner never started deploy")
    }

    @Test("an expired lease is taken over without --takeover; a live one on another host only with it")
    func expiredLeaseIsTaken() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("a", "echo")]))
        let created = try await executor(Self.first).createRun(plan, baseDirectory: "/tmp")
        let stale = RunOwner(label: "kiln run", host: "gone-host", pid: 7, started: 7)
        _ = try await store.acquireLease(
            run: created.id, owner: stale, at: clock.now, expiresAt: clock.now.adding(.seconds(30)), mode: .whenFree)
        await #expect(throws: PipelineExecutor.StartError.self) { try await executor(Self.second).resume(created.id) }
        clock.advance(by: .seconds(31))
        #expect(try await executor(Self.second).resume(created.id).state == .succeeded)
    }

    @Test("a dead owner on this host is replaced at once, after the commands it left running are stopped")
    func deadLocalOwnerIsReplacedAndReaped() async throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [uses("a", "echo"), uses("b", "echo", needs: ["a"])]))
        let created = try await executor(Self.first).createRun(plan, baseDirectory: "/tmp")
        // What a `kiln run` killed with -9 leaves: a live lease of a process that no longer exists, `a` running.
        let dead = RunOwner(label: "kiln run", host: RunOwner.thisHost, pid: Int32.max - 1, started: 1)
        _ = try await store.acquireLease(
            run: created.id, owner: dead, at: clock.now, expiresAt: clock.now.adding(.seconds(30)), mode: .whenFree)
        let orphan = TaskProcess(host: RunOwner.thisHost, pid: 4242, started: 99)
        try await store.commit(StateBatch(tasks: [
            TaskUpdate(runID: created.id, record: TaskRecord(taskID: "a", state: .running, attempts: 1, process: orphan), expected: nil)
        ]))
        let reaper = RecordingReaper()
        var kinds = TestKinds.registry(recorder: recorder, clock: clock)
        kinds.reaper = reaper
        let resumed = try await executor(Self.second, kinds: kinds).resume(created.id)
        #expect(resumed.state == .succeeded)
        #expect(reaper.reaped == [orphan])
        #expect(try await store.tasks(of: created.id)[task: "a"]?.process == nil)
    }
}

/// The id a run got, captured from `onCreate`.
final class RunIDs: Sendable {
    private let stored = Mutex<RunID?>(nil)
    func set(_ id: RunID) { stored.withLock { $0 = id } }
    var value: RunID? { stored.withLock { $0 } }
}

/// Records what it was asked to stop.
final class RecordingReaper: TaskProcessReaper {
    private let stopped = Mutex<[TaskProcess]>([])
    func reap(_ process: TaskProcess) async { stopped.withLock { $0.append(process) } }
    var reaped: [TaskProcess] { stopped.withLock { $0 } }
}
