import Logging
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineTesting
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing

@Suite("Daemon services on a manual clock")
struct DaemonServiceTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// The pieces of a daemon on an in-memory store and a manual clock.
    struct Daemon {
        let clock = ManualClock(now: Fixture.time("2026-11-29T00:00:00Z"))
        let store = InMemoryStateStore()
        let inputs = FakeInputs()
        let executor: PipelineExecutor
        let queue: RunQueue

        init() {
            var kinds = TaskKindRegistry()
            kinds.register("echo") { context in context.inputs }
            kinds.register("gate") { context in
                guard let decision = context.decision else { throw TaskSuspension(reason: "approval") }
                return ["approved": .bool(decision.approved)]
            }
            kinds.register("block") { [clock] _ in
                try await clock.sleep(until: clock.now.adding(.seconds(3600)))
                return [:]
            }
            executor = PipelineExecutor(store: store, kinds: kinds, clock: clock, logger: DaemonServiceTests.logger)
            queue = RunQueue(executor: executor)
        }

        func services(_ pipelines: [WatchedPipeline], grace: Duration = .seconds(10)) -> (TriggerService, RunQueueService) {
            let coordinator = TriggerCoordinator(
                states: store, runs: store, inputs: inputs, launcher: queue, logger: DaemonServiceTests.logger)
            return (
                TriggerService(
                    catalog: StaticPipelineCatalog(pipelines), coordinator: coordinator, clock: clock,
                    configuration: .init(tick: .seconds(30)), logger: DaemonServiceTests.logger),
                RunQueueService(
                    executor: executor, queue: queue, clock: clock, configuration: .init(poll: .seconds(1), grace: grace),
                    logger: DaemonServiceTests.logger)
            )
        }

        /// Advances the clock deadline by deadline (yielding in between) until `condition` holds; at most `steps` times.
        func advance(steps: Int = 2_000, until condition: () async throws -> Bool) async rethrows -> Bool {
            for _ in 0..<steps {
                if try await condition() { return true }
                for _ in 0..<20 { await Task.yield() }
                if try await condition() { return true }
                clock.advanceToNextDeadline()
            }
            return try await condition()
        }

        func runs() async throws -> [RunRecord] { try await store.runs(pipeline: nil, limit: 100) }
    }

    @Test("a performance drop starts a run that finishes; graceful shutdown stops both services")
    func triggeredRunFinishes() async throws {
        let daemon = Daemon()
        daemon.inputs.set { $0.production["fraud"] = 1 }
        let watched = try Fixture.watched(Fixture.pipeline(triggers: TriggerSpec(performance: Fixture.performance)))
        let (triggers, runner) = daemon.services([watched])
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await triggers.run() }
                group.addTask { try await runner.run() }
                await daemon.clock.waitForSleepers(2)
                for value in [0.7, 0.7, 0.7] { daemon.inputs.push("fraud", "f1", value, at: daemon.clock.now) }
                let finished = try await daemon.advance { try await daemon.runs().first?.state == .succeeded }
                #expect(finished)
                let run = try #require(try await daemon.runs().first)
                #expect(run.trigger == ["type": "performance", "evidence": "f1 0.70 < 0.80 (3 samples, last 24h)"])
                #expect(run.idempotencyKey?.hasPrefix("retrain/performance@") == true)
                // More ticks: the same samples never start a second run.
                for _ in 0..<10 { daemon.clock.advance(by: .seconds(30)); for _ in 0..<20 { await Task.yield() } }
                #expect(try await daemon.runs().count == 1)
                shutdown.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test("unfinished runs are resumed at start; on shutdown a running run is handed over after the grace: its task stopped, the run queued")
    func resumeAndGrace() async throws {
        let daemon = Daemon()
        let pipeline = Fixture.pipeline(
            "slow", triggers: TriggerSpec(every: "1d"), tasks: [TaskSpec(id: "wait", action: .uses("block", with: [:]))])
        let left = try await daemon.executor.createRun(try Plan(pipeline), baseDirectory: "/tmp", trigger: ["type": "manual"])
        let (triggers, runner) = daemon.services([try Fixture.watched(pipeline)], grace: .seconds(10))
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await triggers.run() }
                group.addTask { try await runner.run() }
                let running = try await daemon.advance(steps: 5) { try await daemon.store.run(left.id)?.state == .running }
                #expect(running)
                shutdown.triggerGracefulShutdown()
                let stopped = try await daemon.advance(steps: 50) {
                    try await daemon.store.run(left.id)?.state == .queued
                }
                #expect(stopped)
                try await group.waitForAll()
            }
        }
        let stored = try #require(try await daemon.store.run(left.id))
        #expect(stored.state == .queued && stored.finishedAt == nil && stored.error == nil)
        #expect(try await daemon.store.tasks(of: left.id).first?.state == .cancelled)
    }

    @Test("a waiting run is continued once its task's decision has been recorded for a while")
    func waitingRunContinues() async throws {
        let daemon = Daemon()
        let pipeline = Fixture.pipeline(
            "gated", triggers: TriggerSpec(every: "1d"), tasks: [TaskSpec(id: "approve", action: .uses("gate", with: [:]))])
        let waiting = try await daemon.executor.run(try Plan(pipeline), baseDirectory: "/tmp")
        #expect(waiting.state == .waiting)
        let (triggers, runner) = daemon.services([try Fixture.watched(pipeline)])
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await triggers.run() }
                group.addTask { try await runner.run() }
                await daemon.clock.waitForSleepers(2)
                try await daemon.executor.decide(
                    Decision(approved: true, reason: nil, actor: "ana", at: daemon.clock.now), task: nil, of: waiting.id)
                let continued = try await daemon.advance(steps: 100) {
                    try await daemon.store.run(waiting.id)?.state == .succeeded
                }
                #expect(continued)
                #expect(daemon.clock.now >= waiting.createdAt.adding(.seconds(5)))
                shutdown.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    /// Signals a test posts by hand.
    final class HandSignals: SchedulerSignalSource {
        let stream: AsyncStream<SchedulerSignal>
        let continuation: AsyncStream<SchedulerSignal>.Continuation

        init() {
            (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(8))
        }

        func signals() -> AsyncStream<SchedulerSignal> { stream }
    }

    /// Counts evaluations by whoever records verdicts.
    final class Evaluations: Sendable {
        private final class Count: Sendable { let value = Mutex(0) }
        private let count = Count()
        let verdicts: TriggerVerdicts
        var value: Int { count.value.withLock { $0 } }

        init() {
            verdicts = TriggerVerdicts(observe: { [count] _ in count.value.withLock { $0 += 1 } })
        }
    }

    /// Waits (real time, at most 10 s) for `condition` while the manual clock stands still.
    static func eventually(_ condition: () async throws -> Bool) async rethrows -> Bool {
        for _ in 0..<1_000 {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }

    @Test("a signal starts an evaluation at once: a pushed metric fires before the next tick")
    func signalWakesTheTriggerService() async throws {
        let daemon = Daemon()
        daemon.inputs.set { $0.production["fraud"] = 1 }
        let watched = try Fixture.watched(Fixture.pipeline(triggers: TriggerSpec(performance: Fixture.performance)))
        let signals = HandSignals()
        let coordinator = TriggerCoordinator(
            states: daemon.store, runs: daemon.store, inputs: daemon.inputs, launcher: daemon.queue, logger: Self.logger)
        let triggers = TriggerService(
            catalog: StaticPipelineCatalog([watched]), coordinator: coordinator, clock: daemon.clock,
            configuration: .init(tick: .seconds(3600)), logger: Self.logger, wakeups: signals)
        let runner = RunQueueService(
            executor: daemon.executor, queue: daemon.queue, clock: daemon.clock, configuration: .init(poll: .seconds(3600)),
            logger: Self.logger)
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await triggers.run() }
                group.addTask { try await runner.run() }
                await daemon.clock.waitForSleepers(2)
                for value in [0.7, 0.7, 0.7] { daemon.inputs.push("fraud", "f1", value, at: daemon.clock.now) }
                // The clock stands still: only the signal can start the evaluation, and only the queue's bell the run.
                signals.continuation.yield(.metric)
                let finished = try await Self.eventually { try await daemon.runs().first?.state == .succeeded }
                #expect(finished)
                #expect(try await daemon.runs().first?.trigger?.objectValue?["type"] == "performance")
                shutdown.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test("of two services sharing a store, the holder evaluates; a standby takes over once its lease lapsed")
    func oneEvaluatorPerStore() async throws {
        let daemon = Daemon()
        let watched = try Fixture.watched(Fixture.pipeline(triggers: TriggerSpec(every: "1d")))
        let dead = RunOwner(label: "kiln serve", host: "elsewhere", pid: 1, started: 1)
        let held = try await daemon.store.claimTriggerEvaluation(
            by: dead, at: daemon.clock.now, until: daemon.clock.now.adding(.seconds(90)))
        #expect(held.owner == dead)

        let standby = RunOwner(label: "kiln serve", host: "here", pid: 2, started: 2)
        let evaluations = Evaluations()
        let coordinator = TriggerCoordinator(
            states: daemon.store, runs: daemon.store, inputs: daemon.inputs, launcher: daemon.queue, logger: Self.logger)
        let triggers = TriggerService(
            catalog: StaticPipelineCatalog([watched]), coordinator: coordinator, clock: daemon.clock,
            configuration: .init(tick: .seconds(30), lease: .seconds(90)), logger: Self.logger,
            verdicts: evaluations.verdicts, owner: standby)
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await triggers.run() }
                await daemon.clock.waitForSleepers(1)
                for _ in 0..<2 {
                    daemon.clock.advance(by: .seconds(30))
                    await daemon.clock.waitForSleepers(1)
                    for _ in 0..<20 { await Task.yield() }
                }
                #expect(evaluations.value == 0, "the holder's lease is live: the standby must not evaluate")
                daemon.clock.advance(by: .seconds(30))  // 90 s: the dead holder's lease lapses
                let tookOver = await Self.eventually { evaluations.value == 1 }
                #expect(tookOver)
                let lease = try await daemon.store.claimTriggerEvaluation(
                    by: dead, at: daemon.clock.now, until: daemon.clock.now.adding(.seconds(90)))
                #expect(lease.owner == standby)
                shutdown.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        // A graceful stop gives the right up: the next claimant takes it at once.
        let after = try await daemon.store.claimTriggerEvaluation(
            by: dead, at: daemon.clock.now, until: daemon.clock.now.adding(.seconds(90)))
        #expect(after.owner == dead)
    }

    @Test("a run queued by another process starts at once when its signal arrives, not at the next poll")
    func queuedRunSignalWakesTheRunQueue() async throws {
        let daemon = Daemon()
        let signals = HandSignals()
        let runner = RunQueueService(
            executor: daemon.executor, queue: daemon.queue, clock: daemon.clock, configuration: .init(poll: .seconds(3600)),
            logger: Self.logger, wakeups: signals)
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                await daemon.clock.waitForSleepers(1)
                // As `kiln run --remote` does from another process: the run is stored queued, then signalled.
                let pipeline = Fixture.pipeline("remote", triggers: TriggerSpec(every: "1d"), tasks: [TaskSpec(id: "a", action: .uses("echo", with: [:]))])
                let queued = try await daemon.executor.createRun(try Plan(pipeline), baseDirectory: "/tmp", trigger: ["type": "manual"])
                signals.continuation.yield(.run)
                let finished = try await Self.eventually { try await daemon.store.run(queued.id)?.state == .succeeded }
                #expect(finished, "the clock stands still: only the signal can have started the run")
                shutdown.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }
}
