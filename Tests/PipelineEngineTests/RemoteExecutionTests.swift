import PipelineEngine
import PipelineModel
import PipelineTesting
import Synchronization
import Testing

/// An executor that hands its attempts to a task queue, with a worker simulated in the test.
@Suite struct RemoteExecutionTests {
    let store: InMemoryStateStore
    let queue: InMemoryTaskQueue
    static let worker = RunOwner(label: "w1", host: "gpu-1", pid: 7, started: 1)

    init() {
        store = InMemoryStateStore()
        queue = InMemoryTaskQueue(fencedBy: store)  // fenced by the runs' leases, as the durable queues are
    }

    func executor(_ kinds: TaskKindRegistry) -> PipelineExecutor {
        PipelineExecutor(store: store, kinds: kinds, configuration: .init(parallelism: 100), queue: queue)
    }

    /// Claims and runs attempts with `executor.perform` until `stop` returns true; `check` sees every claim first.
    func work(
        _ executor: PipelineExecutor, labels: Set<String> = [], until stop: @Sendable () async -> Bool,
        check: @Sendable (ClaimedAttempt) async throws -> AttemptResult? = { _ in nil }
    ) async throws {
        while !(await stop()) {
            let claimed = try await queue.claim(
                worker: Self.worker, labels: labels, limit: 8, at: SystemClock().now, expiresAt: SystemClock().now.adding(.seconds(30)))
            for item in claimed {
                let pipeline = try #require(try await store.run(item.attempt.runID)?.snapshot)
                let result: AttemptResult
                if let forced = try await check(item) {
                    result = forced
                } else {
                    result = await executor.perform(item.attempt, pipeline: pipeline, log: { _ in }, process: { _ in })
                }
                _ = try await queue.finish([(item.claim, result)], at: SystemClock().now)
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test("attempts run through the queue; a dependent is queued only after its upstream's end is stored")
    func dependentsWaitForDurableEnds() async throws {
        var kinds = TaskKindRegistry()
        kinds.register("value") { context in ["n": context.inputs["n"] ?? .null] }
        let executor = executor(kinds)
        let plan = try Plan(Pipeline(name: "p", tasks: [
            TaskSpec(id: "a", action: .uses("value", with: ["n": 1])),
            TaskSpec(id: "b", action: .uses("value", with: ["n": 2])),
            TaskSpec(id: "c", needs: ["a", "b"], action: .uses("value", with: ["n": "${{ tasks.a.outputs.n }}"])),
        ]))
        let finished = Mutex(false)
        async let run = executor.run(plan, baseDirectory: "/tmp")
        async let worked: Void = work(executor, until: { finished.withLock { $0 } }) { item in
            if item.attempt.taskID == "c" {
                let stored = try await store.tasks(of: item.attempt.runID)
                #expect(stored.filter { ["a", "b"].contains($0.taskID) }.allSatisfy { $0.state == .succeeded },
                        "c was queued before its needs' ends were stored")
                #expect(item.attempt.work.inputs["n"] == 1)
            }
            return nil
        }
        let record = try await run
        finished.withLock { $0 = true }
        try await worked
        #expect(record.state == .succeeded)
        let tasks = try await store.tasks(of: record.id)
        #expect(tasks.first { $0.taskID == "c" }?.outputs == ["n": 1])
        #expect(queue.count == 0, "the owner collected every result")
    }

    @Test("a claim that lapses counts as a failed attempt naming the worker; the retry runs as attempt 2")
    func lapsedClaimIsRetried() async throws {
        var kinds = TaskKindRegistry()
        kinds.register("value") { _ in ["ok": true] }
        let executor = executor(kinds)
        var spec = TaskSpec(id: "a", action: .uses("value", with: [:]), retry: RetryPolicy(retries: 1))
        spec.runsOn = ["gpu"]
        let plan = try Plan(Pipeline(name: "p", tasks: [spec]))
        async let run = executor.run(plan, baseDirectory: "/tmp")
        // The first claim lapses at once (the worker "dies"); the owner's next collect ends it.
        var lost: [ClaimedAttempt] = []
        while lost.isEmpty {
            #expect(try await queue.claim(worker: Self.worker, labels: [], limit: 1, at: SystemClock().now, expiresAt: SystemClock().now).isEmpty,
                    "a worker without the gpu label got the task")
            lost = try await queue.claim(
                worker: Self.worker, labels: ["gpu"], limit: 1, at: SystemClock().now, expiresAt: SystemClock().now)
            try await Task.sleep(for: .milliseconds(1))
        }
        let finished = Mutex(false)
        async let worked: Void = work(executor, labels: ["gpu"], until: { finished.withLock { $0 } })
        let record = try await run
        finished.withLock { $0 = true }
        try await worked
        #expect(record.state == .succeeded)
        let task = try #require(try await store.tasks(of: record.id).first)
        #expect(task.attempts == 2)
        let logs = try await store.logs(of: record.id, task: "a", attempt: nil).map(\.text)
        #expect(logs.contains { $0.contains("queued: waits for a worker with labels gpu") })
        #expect(logs.contains { $0.contains("attempt 1 failed: worker w1 on gpu-1 stopped heartbeating") }, "\(logs)")
        let late = try await queue.finish([(lost[0].claim, .succeeded(outputs: [:], cacheKey: nil, cacheNote: nil, lineage: nil))], at: SystemClock().now)
        #expect(late.isEmpty, "the lost worker's late result was accepted")
    }

    @Test("a failure on a worker names the worker, in the task's error and the attempt's log line")
    func failureNamesItsWorker() async throws {
        var kinds = TaskKindRegistry()
        kinds.register("value") { _ in ["ok": true] }
        let executor = executor(kinds)
        let plan = try Plan(Pipeline(name: "p", tasks: [TaskSpec(id: "train", action: .uses("value", with: [:]))]))
        let finished = Mutex(false)
        async let run = executor.run(plan, baseDirectory: "/tmp")
        async let worked: Void = work(executor, until: { finished.withLock { $0 } }) { _ in
            .failed(error: "exit code 3", cacheKey: nil)
        }
        let record = try await run
        finished.withLock { $0 = true }
        try await worked
        #expect(record.state == .failed)
        let task = try #require(try await store.tasks(of: record.id).first)
        #expect(task.error == "on worker w1 (pid 7 on gpu-1): exit code 3")
        let logs = try await store.logs(of: record.id, task: "train", attempt: nil).map(\.text)
        #expect(logs.contains("attempt 1 failed: on worker w1 (pid 7 on gpu-1): exit code 3"), "\(logs)")
    }

    /// Claims one attempt for the test's worker, waiting until the owner has queued it.
    func claimOne() async throws -> ClaimedAttempt {
        while true {
            let now = SystemClock().now
            if let claimed = try await queue.claim(
                worker: Self.worker, labels: [], limit: 1, at: now, expiresAt: now.adding(.seconds(30))).first
            {
                return claimed
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    static let trainThenReport = Pipeline(name: "p", tasks: [
        TaskSpec(id: "train", action: .uses("value", with: [:])),
        TaskSpec(id: "report", needs: ["train"], action: .uses("value", with: [:])),
    ])
    /// The tasks a `value` kind ran in this process.
    final class Ran: Sendable {
        private let names = Mutex<[String]>([])
        var tasks: [String] { names.withLock { $0 } }

        /// A registry whose `value` kind notes each task it runs here.
        var kinds: TaskKindRegistry {
            var kinds = TaskKindRegistry()
            kinds.register("value") { [self] context in
                names.withLock { $0.append(context.taskID) }
                return ["ok": true]
            }
            return kinds
        }
    }

    static let ok = AttemptResult.succeeded(outputs: ["ok": true], cacheKey: nil, cacheNote: nil, lineage: nil)

    @Test("the workers of a run's tasks are those holding the attempts of tasks its records show running")
    func workersOfRunningTasks() async throws {
        let run = RunID(rawValue: "r1")
        try await queue.enqueue(["a", "b"].map { task in
            QueuedAttempt(
                runID: run, epoch: 1, taskID: task, attempt: 1, labels: [],
                work: AttemptWork(
                    action: .uses("value"), inputs: [:], environment: [:], workingDirectory: "/tmp", decision: nil,
                    withheldEnvironment: []),
                queuedAt: SystemClock().now)
        })
        let now = SystemClock().now
        #expect(try await queue.claim(worker: Self.worker, labels: [], limit: 2, at: now, expiresAt: now.adding(.seconds(30))).count == 2)
        let records = [TaskRecord(taskID: "a", state: .running, attempts: 1), TaskRecord(taskID: "b", state: .succeeded, attempts: 1)]
        #expect(try await queue.workers(of: run) == ["a": Self.worker, "b": Self.worker])
        #expect(try await queue.workers(of: run, tasks: records) == ["a": Self.worker],
                "b's claim outlived its record's end (not collected yet): it is not where b runs")
        #expect(try await queue.workers(of: run, tasks: [records[1]]).isEmpty)
    }

    @Test("a hand-over leaves a worker's attempt running and the run queued; the next owner adopts it: it runs once")
    func handOverKeepsWorkersAttempts() async throws {
        var kinds = TaskKindRegistry()
        kinds.register("value") { _ in ["ok": true] }
        let plan = try Plan(Self.trainThenReport)
        let first = executor(kinds)
        let ids = RunIDs()
        let running = Task { try await first.run(plan, baseDirectory: "/tmp", onCreate: { ids.set($0) }) }
        let held = try await claimOne()
        let id = try #require(ids.value)
        first.handOverOnCancel(id)
        running.cancel()
        let handed = try await running.value
        #expect(handed.state == .queued && handed.finishedAt == nil && handed.error == nil)
        #expect(try await store.run(id)?.state == .queued)
        #expect(try await store.tasks(of: id)[task: "train"]?.state == .running)
        #expect(try await store.lease(of: id) == nil, "the lease was not released")
        #expect(queue.count == 1, "the worker's attempt left the queue")

        let second = executor(kinds)  // the next `kiln serve`
        let resumed = Task { try await second.resume(id) }
        #expect(try await queue.finish([(held.claim, Self.ok)], at: SystemClock().now) == [held.claim],
                "the worker's result was refused")
        let finished = Mutex(false)
        async let worked: Void = work(second, until: { finished.withLock { $0 } }) { item in
            #expect(item.attempt.taskID == "report", "\(item.attempt.taskID) was queued again")
            return nil
        }
        let record = try await resumed.value
        finished.withLock { $0 = true }
        try await worked
        #expect(record.state == .succeeded)
        let tasks = try await store.tasks(of: id)
        #expect(tasks[task: "train"]?.attempts == 1 && tasks[task: "report"]?.attempts == 1)
        #expect(queue.count == 0, "the new owner collected every result")
    }

    @Test("a takeover adopts the attempt a worker runs for the old owner; a new owner running tasks itself runs only the rest")
    func takeoverAdoptsWorkersAttempt() async throws {
        let ran = Ran()
        let kinds = ran.kinds
        let plan = try Plan(Self.trainThenReport)
        let old = PipelineExecutor(
            store: store, kinds: kinds,
            configuration: .init(
                owner: RunOwner(label: "kiln serve", host: "a", pid: 1, started: 1), heartbeat: .milliseconds(20),
                leaseDuration: .seconds(30)),
            queue: queue)
        let ids = RunIDs()
        let running = Task { try await old.run(plan, baseDirectory: "/tmp", onCreate: { ids.set($0) }) }
        let held = try await claimOne()
        let id = try #require(ids.value)
        // `kiln resume --takeover` on another machine, running tasks itself but knowing the workers' queue.
        let local = PipelineExecutor(
            store: store, kinds: kinds,
            configuration: .init(owner: RunOwner(label: "kiln resume", host: "b", pid: 2, started: 2)),
            workerQueue: queue)
        let resumed = Task { try await local.resume(id, takeover: true) }
        await #expect(throws: ExecutionError.self) { try await running.value }  // fenced out at its next heartbeat
        #expect(try await queue.finish([(held.claim, Self.ok)], at: SystemClock().now) == [held.claim])
        let record = try await resumed.value
        #expect(record.state == .succeeded)
        let tasks = try await store.tasks(of: id)
        #expect(tasks[task: "train"]?.attempts == 1, "the worker's attempt was not adopted")
        #expect(ran.tasks == ["report"], "ran here: \(ran.tasks)")
        #expect(queue.count == 0)
    }

    /// The lease an owner that died held on run `id` (lapsed a minute ago): it queued under this lease's epoch.
    func deadOwnersLease(of id: RunID) async throws -> RunLease {
        let then = SystemClock().now.adding(.seconds(-90))
        return try await store.acquireLease(
            run: id, owner: RunOwner(label: "dead", host: "cpu-9", pid: 9, started: 1), at: then,
            expiresAt: then.adding(.seconds(30)), mode: .whenFree)
    }

    @Test("an attempt queued just before its owner died, its start not stored yet, is adopted too")
    func attemptQueuedBeforeItsStartWasStored() async throws {
        let ran = Ran()
        let kinds = ran.kinds
        let local = PipelineExecutor(store: store, kinds: kinds, workerQueue: queue)
        let run = try await local.createRun(try Plan(Self.trainThenReport), baseDirectory: "/tmp")
        // What a dead owner left: `train` queued as attempt 1 and claimed, its records still `pending`.
        let dead = try await deadOwnersLease(of: run.id)
        try await queue.enqueue([QueuedAttempt(
            runID: run.id, epoch: dead.epoch, taskID: "train", attempt: 1, labels: [],
            work: AttemptWork(
                action: .uses("value"), inputs: [:], environment: [:], workingDirectory: "/tmp", decision: nil,
                withheldEnvironment: []),
            queuedAt: SystemClock().now)])
        let held = try await claimOne()
        let resumed = Task { try await local.resume(run.id) }
        while try await store.tasks(of: run.id)[task: "train"]?.state != .running { try await Task.sleep(for: .milliseconds(1)) }
        #expect(try await queue.finish([(held.claim, Self.ok)], at: SystemClock().now) == [held.claim])
        let record = try await resumed.value
        #expect(record.state == .succeeded)
        #expect(try await store.tasks(of: run.id)[task: "train"]?.attempts == 1)
        #expect(ran.tasks == ["report"])
    }

    @Test("attempts that ended while the run had no owner are all adopted and collected: none is dropped")
    func endedAttemptsAreAllAdopted() async throws {
        let ran = Ran()
        let local = PipelineExecutor(store: store, kinds: ran.kinds, workerQueue: queue)
        let ids = (0..<8).map { "t\($0)" }
        let plan = try Plan(Pipeline(name: "p", tasks: ids.map { TaskSpec(id: $0, action: .uses("value", with: [:])) }))
        let run = try await local.createRun(plan, baseDirectory: "/tmp")
        // A dead owner queued every task; workers ran them all and stored their results, which nobody collected.
        let dead = try await deadOwnersLease(of: run.id)
        try await queue.enqueue(ids.map { id in
            QueuedAttempt(
                runID: run.id, epoch: dead.epoch, taskID: id, attempt: 1, labels: [],
                work: AttemptWork(
                    action: .uses("value"), inputs: [:], environment: [:], workingDirectory: "/tmp", decision: nil,
                    withheldEnvironment: []),
                queuedAt: SystemClock().now)
        })
        let now = SystemClock().now
        let claimed = try await queue.claim(worker: Self.worker, labels: [], limit: 8, at: now, expiresAt: now.adding(.seconds(30)))
        #expect(try await queue.finish(claimed.map { ($0.claim, Self.ok) }, at: now).count == 8)
        let record = try await local.resume(run.id)
        #expect(record.state == .succeeded)
        #expect(ran.tasks.isEmpty, "ran again here: \(ran.tasks)")
        #expect(try await store.tasks(of: run.id).allSatisfy { $0.attempts == 1 && $0.state == .succeeded })
    }

    /// An executor whose queue can be held (``GatedQueue``), and a plan of one task, `train`.
    func gatedExecutor() throws -> (GatedQueue, PipelineExecutor, Plan) {
        var kinds = TaskKindRegistry()
        kinds.register("value") { _ in ["ok": true] }
        let gated = GatedQueue(queue)
        let executor = PipelineExecutor(store: store, kinds: kinds, configuration: .init(parallelism: 100), queue: gated)
        return (gated, executor, try Plan(Pipeline(name: "p", tasks: [TaskSpec(id: "train", action: .uses("value", with: [:]))])))
    }

    @Test("results taken out of the queue as the run is handed over are stored by the old owner, not lost")
    func handOverDuringACollect() async throws {
        let (gated, executor, plan) = try gatedExecutor()
        let ids = RunIDs()
        let running = Task { try await executor.run(plan, baseDirectory: "/tmp", onCreate: { ids.set($0) }) }
        let held = try await claimOne()
        gated.holdNextResults()
        #expect(try await queue.finish([(held.claim, Self.ok)], at: SystemClock().now) == [held.claim])
        await gated.waitUntilHeld()  // the owner's collect has taken the result out of the queue, not delivered it
        let id = try #require(ids.value)
        executor.handOverOnCancel(id)
        running.cancel()
        try await Task.sleep(for: .milliseconds(50))
        gated.release()
        let record = try await running.value
        #expect(record.state == .succeeded, "the collected result was lost: the run is \(record.state)")
        #expect(try await store.tasks(of: id)[task: "train"]?.state == .succeeded)
    }

    @Test("an owner that lost its run just before queueing an attempt queues nothing and stops")
    func staleEnqueueIsRefused() async throws {
        let (gated, executor, plan) = try gatedExecutor()
        let ids = RunIDs()
        gated.holdNextEnqueue()
        let running = Task { try await executor.run(plan, baseDirectory: "/tmp", onCreate: { ids.set($0) }) }
        await gated.waitUntilHeld()  // the owner is about to queue `train`, its lease confirmed
        let id = try #require(ids.value)
        let now = SystemClock().now
        let other = RunOwner(label: "other", host: "cpu-2", pid: 8, started: 1)
        let taken = try await store.acquireLease(
            run: id, owner: other, at: now, expiresAt: now.adding(.seconds(30)), mode: .takeover)
        gated.release()
        do {
            let record = try await running.value
            Issue.record("the old owner went on after losing its run: \(record.state)")
        } catch ExecutionError.leaseLost(let lost, let holder) {
            #expect(lost == id && holder?.epoch == taken.epoch)
        }
        #expect(queue.count == 0, "the old owner queued an attempt the new owner would neither adopt nor collect")
    }
}

/// A task queue whose `collect` can be held after it took results out of the queue, before it returns them, and
/// whose `enqueue` can be held before it queues anything.
final class GatedQueue: TaskQueue {
    private let inner: InMemoryTaskQueue
    private let gate = Mutex<(armed: Bool, held: Bool, release: CheckedContinuation<Void, Never>?)>((false, false, nil))
    private let enqueueGate = Mutex(false)

    init(_ inner: InMemoryTaskQueue) { self.inner = inner }

    /// The next `collect` that finds results waits for ``release()``.
    func holdNextResults() { gate.withLock { $0.armed = true } }

    /// The next `enqueue` waits for ``release()`` before it queues anything.
    func holdNextEnqueue() { enqueueGate.withLock { $0 = true } }

    func waitUntilHeld() async {
        while !gate.withLock({ $0.held }) { try? await Task.sleep(for: .milliseconds(1)) }
    }

    func release() {
        gate.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.release = nil }
            state.held = false
            return state.release
        }?.resume()
    }

    func collect(runs: [RunID: Int64], at now: Timestamp) async throws -> [FinishedAttempt] {
        let finished = try await inner.collect(runs: runs, at: now)
        if !finished.isEmpty, gate.withLock({ $0.armed }) {
            await withCheckedContinuation { continuation in
                gate.withLock { $0 = (false, true, continuation) }
            }
        }
        return finished
    }

    func enqueue(_ attempts: [QueuedAttempt]) async throws {
        if enqueueGate.withLock({ armed in defer { armed = false }; return armed }) {
            await withCheckedContinuation { continuation in gate.withLock { $0 = (false, true, continuation) } }
        }
        try await inner.enqueue(attempts)
    }
    func claim(worker: RunOwner, labels: Set<String>, limit: Int, at now: Timestamp, expiresAt: Timestamp) async throws -> [ClaimedAttempt] {
        try await inner.claim(worker: worker, labels: labels, limit: limit, at: now, expiresAt: expiresAt)
    }
    func renewClaims(_ claims: [QueueClaim], at now: Timestamp, expiresAt: Timestamp) async throws -> Set<QueueClaim> {
        try await inner.renewClaims(claims, at: now, expiresAt: expiresAt)
    }
    func recordProcess(_ process: TaskProcess?, of claim: QueueClaim) async throws { try await inner.recordProcess(process, of: claim) }
    func finish(_ results: [(QueueClaim, AttemptResult)], at now: Timestamp) async throws -> Set<QueueClaim> {
        try await inner.finish(results, at: now)
    }
    func handBack(_ claims: [QueueClaim]) async throws { try await inner.handBack(claims) }
    func withdraw(run id: RunID) async throws { try await inner.withdraw(run: id) }
    func adopt(run id: RunID, running: [String: Int], epoch: Int64) async throws -> [String: Int] {
        try await inner.adopt(run: id, running: running, epoch: epoch)
    }
    func claims(on host: String) async throws -> [HeldClaim] { try await inner.claims(on: host) }
    func workers(of id: RunID) async throws -> [String: RunOwner] { try await inner.workers(of: id) }
    func orphans(on host: String) async throws -> [TaskProcess] { try await inner.orphans(on: host) }
}
