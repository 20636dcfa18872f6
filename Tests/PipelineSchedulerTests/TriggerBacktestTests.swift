import PipelineModel
import PipelineScheduler
import Testing

@Suite("Trigger backtest")
struct TriggerBacktestTests {
    let from = Fixture.time("2026-11-29T00:00:00Z")

    @Test("the schedule over a period, thinned by the cooldown")
    func scheduleWithCooldown() async throws {
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(schedule: "0 * * * *", cooldown: "2h"))
        let runs = try await TriggerBacktest().replay(
            pipeline, baseDirectory: "/tmp", from: from, through: from.adding(.seconds(5 * 3600)), lastRunBefore: nil,
            inputs: FakeInputs())
        #expect(runs.map(\.at) == [0, 2, 4].map { from.adding(.seconds(3600 * $0)) })
        #expect(runs.first?.trigger == ["type": "schedule", "evidence": "schedule: 2026-11-29T00:00+00:00"])
    }

    @Test("stored metric history and promotions: when performance would have fired, and why")
    func performanceHistory() async throws {
        let inputs = FakeInputs()
        inputs.promote("fraud", to: 1, at: from.adding(.seconds(-86_400)))
        for (minute, value) in [0.9, 0.85, 0.7, 0.72, 0.71, 0.6, 0.65, 0.62].enumerated() {
            inputs.push("fraud", "f1", value, at: from.adding(.seconds(600 * Int64(minute + 1))))
        }
        let pipeline = Fixture.pipeline(triggers: TriggerSpec(
            performance: PerformanceRule(model: "fraud", metric: "f1", below: 0.8, window: "1h", minSamples: 3)))
        let runs = try await TriggerBacktest().replay(
            pipeline, baseDirectory: "/tmp", from: from, through: from.adding(.seconds(3 * 3600)), lastRunBefore: nil,
            inputs: inputs)
        // 0.9, 0.85, 0.7 → 0.82 holds; with 0.72 the mean of four is 0.79 < 0.80; after that run, three new
        // samples (0.71, 0.6, 0.65) fire again.
        #expect(runs.count == 2)
        #expect(runs.map(\.at) == [from.adding(.seconds(2400)), from.adding(.seconds(4200))])
        #expect(runs.first?.trigger.objectValue?["evidence"] == "f1 0.79 < 0.80 (4 samples, last 1h)")
    }
}
