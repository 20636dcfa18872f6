import PipelineEngine
import PipelineModel
import PipelineScheduler
import Testing

@Suite("Trigger policies: DST through the evaluator, cooldown, max_active_runs, catch-up")
struct TriggerPolicyTests {
    /// Evaluates every `step` from `from` to `through`, starting each queued run at once (runs end instantly).
    static func tick(
        _ pipeline: Pipeline, from: Timestamp, through: Timestamp, step: Duration, inputs: FakeInputs = FakeInputs()
    ) async throws -> [Timestamp] {
        var state = TriggerState(pipeline: pipeline.name, since: from)
        var started: [Timestamp] = []
        var now = from
        while now <= through {
            let decision = try await Fixture.evaluate(pipeline, at: now, state: state, inputs: inputs)
            state = decision.state
            if decision.startsQueued {
                started.append(now)
                state.queued = nil
                state.lastAutomaticRun = now
            }
            now = now.adding(step)
        }
        return started
    }

    @Test("a fixed-time schedule in New York runs once on the spring-forward day, at the first instant after the gap")
    func springForward() async throws {
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(schedule: "30 2 * * *", timezone: "America/New_York"))
        let started = try await Self.tick(
            pipeline, from: Fixture.time("2026-03-07T00:00:00Z"), through: Fixture.time("2026-03-09T23:59:00Z"),
            step: .seconds(300))
        #expect(started == [
            Fixture.time("2026-03-07T07:30:00Z"), Fixture.time("2026-03-08T07:00:00Z"), Fixture.time("2026-03-09T06:30:00Z"),
        ])
    }

    @Test("on the fall-back day a fixed time runs once and an hourly schedule once per real hour")
    func fallBack() async throws {
        let daily = Fixture.pipeline(triggers: TriggerSpec(schedule: "30 1 * * *", timezone: "America/New_York"))
        let from = Fixture.time("2026-11-01T04:00:00Z")
        let through = Fixture.time("2026-11-01T08:00:00Z")
        #expect(try await Self.tick(daily, from: from, through: through, step: .seconds(300))
            == [Fixture.time("2026-11-01T05:30:00Z")])
        let hourly = Fixture.pipeline(triggers: TriggerSpec(schedule: "0 * * * *", timezone: "America/New_York"))
        #expect(try await Self.tick(hourly, from: from, through: through, step: .seconds(300)).count == 4)
    }

    @Test("cooldown holds condition rules back until it ends and skips schedule fire times during it")
    func cooldown() async throws {
        let inputs = FakeInputs()
        inputs.set { $0.rows = 0 }
        let start = Fixture.time("2026-11-29T00:00:00Z")
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(
            every: "1h", data: DataRule(source: .path("x"), newRows: 10), cooldown: "6h"))
        var state = TriggerState(pipeline: "retrain", since: start, lastAutomaticRun: start)
        inputs.set { $0.rows = 50 }
        var decision = try await Fixture.evaluate(pipeline, at: start.adding(.seconds(3600)), state: state, inputs: inputs)
        #expect(decision.fires)
        #expect(!decision.startsQueued)
        #expect(decision.note == "cooldown: no automatic run before 2026-11-29T06:00:00.000Z")
        #expect(decision.state.rules["schedule"]?.lastFire == start.adding(.seconds(3600)))
        #expect(decision.state.rules["data"]?.mark == nil)
        state = decision.state
        decision = try await Fixture.evaluate(pipeline, at: start.adding(.seconds(6 * 3600 + 60)), state: state, inputs: inputs)
        #expect(decision.startsQueued)
        #expect(decision.state.queued?.trigger.objectValue?["evidence"]?.stringValue
            == "schedule: 2026-11-29T06:00+00:00 (latest of 5 due; catch_up: latest); data: 50 new rows ≥ 10")
    }

    @Test("with max_active_runs runs active a fire queues one run; more fires never pile up; it starts when a slot frees")
    func maxActiveRuns() async throws {
        let inputs = FakeInputs()
        let start = Fixture.time("2026-11-29T00:00:00Z")
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(every: "1h", maxActiveRuns: 1))
        let busy = RunHistory(lastRunStart: start, activeRuns: 1)
        var state = TriggerState(pipeline: "retrain", since: start)
        var queuedKeys: Set<String> = []
        for hour in 1...3 {
            let decision = try await Fixture.evaluate(
                pipeline, at: start.adding(.seconds(3600 * hour)), state: state, history: busy, inputs: inputs)
            #expect(decision.fires)
            #expect(!decision.startsQueued)
            state = decision.state
            queuedKeys.insert(try #require(state.queued?.idempotencyKey))
        }
        #expect(queuedKeys == ["retrain/schedule@2026-11-29T01:00:00.000Z"])
        let free = try await Fixture.evaluate(
            pipeline, at: start.adding(.seconds(3 * 3600 + 60)), state: state,
            history: RunHistory(lastRunStart: start, activeRuns: 0), inputs: inputs)
        #expect(free.startsQueued)
        #expect(!free.fires)
    }

    @Test("after downtime catch_up latest runs once for the newest fire time, none skips, all runs each in turn")
    func catchUp() async throws {
        let start = Fixture.time("2026-11-29T00:00:00Z")
        let back = start.adding(.seconds(5 * 3600 + 600))  // five fire times missed, ten minutes late
        func pipeline(_ mode: TriggerSpec.CatchUp) -> Pipeline {
            Fixture.pipeline(triggers: TriggerSpec(schedule: "0 * * * *", catchUp: mode))
        }
        let state = TriggerState(pipeline: "retrain", since: start)

        let latest = try await Fixture.evaluate(pipeline(.latest), at: back, state: state, inputs: FakeInputs())
        #expect(latest.startsQueued)
        #expect(latest.verdict("schedule")?.evidence == "schedule: 2026-11-29T05:00+00:00 (latest of 5 due; catch_up: latest)")
        #expect(latest.state.rules["schedule"]?.lastFire == start.adding(.seconds(5 * 3600)))

        let none = try await Fixture.evaluate(pipeline(.none), at: back, state: state, inputs: FakeInputs())
        #expect(!none.fires)
        #expect(none.state.rules["schedule"]?.lastFire == start.adding(.seconds(5 * 3600)))

        var allState = state
        var fired: [String] = []
        for _ in 0..<7 {
            let decision = try await Fixture.evaluate(pipeline(.all), at: back, state: allState, inputs: FakeInputs())
            allState = decision.state
            if decision.startsQueued, let key = allState.queued?.idempotencyKey {
                fired.append(key)
                allState.queued = nil
            }
        }
        #expect(fired == (1...5).map { "retrain/schedule@2026-11-29T0\($0):00:00.000Z" })
    }
}
