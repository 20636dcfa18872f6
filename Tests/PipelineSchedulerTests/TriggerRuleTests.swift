import PipelineEngine
import PipelineModel
import PipelineScheduler
import Testing

@Suite("Trigger rules: each type fires or not, with its evidence")
struct TriggerRuleTests {
    let start = Fixture.time("2026-11-29T00:00:00Z")

    @Test("performance fires when the production metric's mean is below the threshold, with its evidence")
    func performanceFires() async throws {
        let inputs = FakeInputs()
        inputs.set { $0.production["fraud"] = 1 }
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(performance: Fixture.performance))
        let state = TriggerState(pipeline: "retrain", since: start)
        for (hour, value) in [0.80, 0.76, 0.78, 0.77, 0.79].enumerated() {
            inputs.push("fraud", "f1", value, at: start.adding(.seconds(3600 * (hour + 1))))
        }
        let decision = try await Fixture.evaluate(pipeline, at: start.adding(.seconds(6 * 3600)), state: state, inputs: inputs)
        #expect(decision.fires)
        #expect(decision.verdict("performance")?.evidence == "f1 0.78 < 0.80 (5 samples, last 24h)")
        #expect(decision.state.queued?.trigger == ["type": "performance", "evidence": "f1 0.78 < 0.80 (5 samples, last 24h)"])
        #expect(decision.state.queued?.idempotencyKey == "retrain/performance@2026-11-29T06:00:00.000Z")
        #expect(decision.startsQueued)
    }

    @Test("performance does not fire above the threshold, with too few samples, or without a production version")
    func performanceHolds() async throws {
        let inputs = FakeInputs()
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(performance: Fixture.performance))
        let state = TriggerState(pipeline: "retrain", since: start)
        let now = start.adding(.seconds(6 * 3600))
        var decision = try await Fixture.evaluate(pipeline, at: now, state: state, inputs: inputs)
        #expect(decision.verdict("performance")?.evidence == "fraud has no production version")

        inputs.set { $0.production["fraud"] = 2 }
        inputs.push("fraud", version: 2, "f1", 0.5, at: start.adding(.seconds(60)))
        inputs.push("fraud", version: 1, "f1", 0.5, at: start.adding(.seconds(60)))  // another version: ignored
        decision = try await Fixture.evaluate(pipeline, at: now, state: state, inputs: inputs)
        #expect(!decision.fires)
        #expect(decision.verdict("performance")?.evidence == "f1: 1 sample(s) of fraud v2 (last 24h), 3 needed")

        for value in [0.99, 0.99] { inputs.push("fraud", version: 2, "f1", value, at: start.adding(.seconds(120))) }
        decision = try await Fixture.evaluate(pipeline, at: now, state: state, inputs: inputs)
        #expect(!decision.fires)
        #expect(decision.verdict("performance")?.evidence == "f1 0.83 ≥ 0.80 (3 samples, last 24h)")
    }

    @Test("performance counts only samples taken after the pipeline's last run")
    func performanceAfterLastRun() async throws {
        let inputs = FakeInputs()
        inputs.set { $0.production["fraud"] = 1 }
        for minute in 1...3 { inputs.push("fraud", "f1", 0.5, at: start.adding(.seconds(60 * minute))) }
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(performance: Fixture.performance))
        let decision = try await Fixture.evaluate(
            pipeline, at: start.adding(.seconds(3600)), state: TriggerState(pipeline: "retrain", since: start),
            history: RunHistory(lastRunStart: start.adding(.seconds(150))), inputs: inputs)
        #expect(!decision.fires)
        #expect(decision.verdict("performance")?.evidence == "f1: 1 sample(s) of fraud v1 (last 24h, since the last run), 3 needed")
    }

    @Test("data fires on new rows since the last run's count, and counts from there afterwards")
    func dataRows() async throws {
        let inputs = FakeInputs()
        inputs.set { $0.rows = 61_200 }
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(data: DataRule(source: .path("data/"), newRows: 50_000)))
        var decision = try await Fixture.evaluate(
            pipeline, at: start, state: TriggerState(pipeline: "retrain", since: start), inputs: inputs)
        #expect(decision.verdict("data")?.evidence == "data: 61,200 new rows ≥ 50,000")
        #expect(decision.startsQueued)
        #expect(decision.state.rules["data"]?.mark == 61_200)

        var state = decision.state
        state.queued = nil
        inputs.set { $0.rows = 100_000 }
        decision = try await Fixture.evaluate(pipeline, at: start.adding(.seconds(60)), state: state, inputs: inputs)
        #expect(!decision.fires)
        #expect(decision.verdict("data")?.evidence == "data: 38,800 new rows < 50,000")
    }

    @Test("upstream fires for a production move after the last run, naming the version")
    func upstreamFires() async throws {
        let inputs = FakeInputs()
        inputs.promote("recommendation", to: 6, at: start.adding(.seconds(-3600)))
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(upstream: ["recommendation"]))
        let state = TriggerState(pipeline: "retrain", since: start)
        var decision = try await Fixture.evaluate(pipeline, at: start.adding(.seconds(60)), state: state, inputs: inputs)
        #expect(!decision.fires)
        #expect(decision.verdict("upstream")?.evidence == "upstream: no new recommendation production version")

        inputs.promote("recommendation", to: 7, at: start.adding(.seconds(120)))
        decision = try await Fixture.evaluate(pipeline, at: start.adding(.seconds(180)), state: state, inputs: inputs)
        #expect(decision.verdict("upstream")?.evidence == "upstream: recommendation v7 promoted")
        #expect(decision.state.queued?.idempotencyKey == "retrain/upstream:recommendation@2026-11-29T00:02:00.000Z")
    }

    @Test("drift fires at the configured share through the drift evaluator, and never without one")
    func drift() async throws {
        let inputs = FakeInputs()
        let rule = DriftRule(model: "fraud", current: "data/", share: 0.5)
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(drift: rule))
        let state = TriggerState(pipeline: "retrain", since: start)
        var decision = try await Fixture.evaluate(pipeline, at: start, state: state, inputs: inputs)
        #expect(decision.verdict("drift") == RuleVerdict(type: "drift", fires: false, evidence: "drift: no drift evaluator is configured"))
        inputs.set { $0.drift = DriftVerdict(driftedShare: 0.6, detail: "3 of 5 columns") }
        decision = try await Fixture.evaluate(pipeline, at: start, state: state, inputs: inputs)
        #expect(decision.verdict("drift")?.evidence == "drift: 60% of columns drifted ≥ 50% (3 of 5 columns)")
        #expect(decision.fires)
    }

    @Test("schedule fires at its fire time with the local time as evidence")
    func scheduleFires() async throws {
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(schedule: "0 2 * * *", timezone: "Asia/Seoul"))
        let state = TriggerState(pipeline: "retrain", since: Fixture.time("2026-11-28T16:00:00Z"))
        let decision = try await Fixture.evaluate(
            pipeline, at: Fixture.time("2026-11-28T17:00:10Z"), state: state, inputs: FakeInputs())
        #expect(decision.verdict("schedule")?.evidence == "schedule: 2026-11-29T02:00+09:00")
        #expect(decision.state.queued?.idempotencyKey == "retrain/schedule@2026-11-28T17:00:00.000Z")
        #expect(decision.state.rules["schedule"]?.lastFire == Fixture.time("2026-11-28T17:00:00Z"))
    }

    @Test("combine: all needs every non-schedule rule; any needs one")
    func combine() async throws {
        let inputs = FakeInputs()
        inputs.set { $0.rows = 10 }
        inputs.promote("recommendation", to: 2, at: start.adding(.seconds(10)))
        let data = DataRule(source: .path("x"), newRows: 100)
        let state = TriggerState(pipeline: "retrain", since: start)
        let now = start.adding(.seconds(60))
        let all = Fixture.pipeline(triggers: TriggerSpec(data: data, upstream: ["recommendation"], combine: .all))
        #expect(try await !Fixture.evaluate(all, at: now, state: state, inputs: inputs).fires)
        let any = Fixture.pipeline(triggers: TriggerSpec(data: data, upstream: ["recommendation"], combine: .any))
        #expect(try await Fixture.evaluate(any, at: now, state: state, inputs: inputs).fires)
        inputs.set { $0.rows = 500 }
        let both = try await Fixture.evaluate(all, at: now, state: state, inputs: inputs)
        #expect(both.state.queued?.trigger == [
            "type": "data", "evidence": "data: 500 new rows ≥ 100; upstream: recommendation v2 promoted",
            "rules": ["data", "upstream"],
        ])
    }
}
