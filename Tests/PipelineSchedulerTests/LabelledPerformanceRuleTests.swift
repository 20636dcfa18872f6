import ModelRegistry
import PipelineModel
import PipelineScheduler
import PipelineTesting
import Synchronization
import Testing

/// A performance evaluator returning what the test sets, and counting its calls.
final class StubPerformance: PerformanceEvaluator {
    let result = Mutex<Result<LabelledMeasurement, TaskError>>(.success(LabelledMeasurement(value: 0.78, rows: 5_120)))

    struct TaskError: Error, CustomStringConvertible {
        var description: String
    }

    func measure(_ rule: PerformanceRule, version: Int, baseDirectory: String, at: Timestamp) async throws
        -> LabelledMeasurement
    {
        try result.withLock { $0 }.get()
    }
}

/// `performance:` with `data:` through `StoreTriggerInputs`: the evidence, `min_samples`, failures, and the figure
/// recorded as a metric sample, at manual-clock times.
@Suite("Trigger rules: performance on labelled data")
struct LabelledPerformanceRuleTests {
    let clock = ManualClock(now: Fixture.time("2026-12-01T12:00:00Z"))
    let store = InMemoryRegistryStore()
    let stub = StubPerformance()
    let rule = PerformanceRule(model: "fraud", metric: "f1", below: 0.8, window: "7d", minSamples: 100,
                               data: "data/labelled/")

    func promoted() async throws {
        let registry = ModelRegistryService(store: store)
        let new = NewVersion(model: "fraud", artifact: "sha256:00", dataFingerprint: "sha256:00", runID: "r", pipeline: "p", task: "t")
        _ = try await registry.register(new, idempotencyKey: "r/t", at: clock.now)
        try await registry.promote("fraud", version: 1, actor: "test", at: clock.now)
    }

    func verdict(_ inputs: StoreTriggerInputs) async throws -> RuleVerdict {
        let decision = try await TriggerEvaluator().evaluate(
            Fixture.pipeline(triggers: TriggerSpec(performance: rule)), baseDirectory: "/tmp", at: clock.now,
            state: nil, history: RunHistory(), inputs: inputs)
        return try #require(decision.verdict("performance"))
    }

    @Test("fires below the threshold with the rows and window; records the figure once; not below: no fire")
    func firesAndRecords() async throws {
        try await promoted()
        let inputs = StoreTriggerInputs(registry: store, metrics: store, performance: stub)
        var result = try await verdict(inputs)
        #expect(result.fires)
        #expect(result.evidence == "performance: f1 0.78 < 0.80 on 5,120 labelled rows from data/labelled/ (last 7d)")
        _ = try await verdict(inputs)
        var samples = try await store.metricSamples(model: "fraud", version: 1, metric: "f1", from: Fixture.time("2026-11-01T00:00:00Z"), through: clock.now)
        #expect(samples.map(\.value) == [0.78] && samples.first?.at == clock.now)

        clock.advance(by: .seconds(3_600))
        stub.result.withLock { $0 = .success(LabelledMeasurement(value: 0.86, rows: 6_000)) }
        result = try await verdict(inputs)
        #expect(!result.fires)
        #expect(result.evidence == "performance: f1 0.86 ≥ 0.80 on 6,000 labelled rows from data/labelled/ (last 7d)")
        samples = try await store.metricSamples(model: "fraud", version: 1, metric: "f1", from: Fixture.time("2026-11-01T00:00:00Z"), through: clock.now)
        #expect(samples.map(\.value) == [0.78, 0.86])
    }

    @Test("fewer rows than min_samples, a failing evaluator, no evaluator, no production version: no fire, with why")
    func doesNotFire() async throws {
        let inputs = StoreTriggerInputs(registry: store, metrics: store, performance: stub)
        #expect(try await verdict(inputs).evidence == "performance: fraud has no production version")
        try await promoted()

        stub.result.withLock { $0 = .success(LabelledMeasurement(value: 0.2, rows: 99)) }
        let few = try await verdict(inputs)
        #expect(!few.fires)
        #expect(few.evidence == "performance: f1: 99 labelled rows from data/labelled/ (last 7d), 100 needed")
        #expect(try await store.metricSamples(model: "fraud", version: 1, metric: "f1", from: Fixture.time("2026-11-01T00:00:00Z"), through: clock.now).isEmpty)

        stub.result.withLock { $0 = .failure(.init(description: "cannot read data/labelled/x.csv: not UTF-8")) }
        let failing = try await verdict(inputs)
        #expect(!failing.fires)
        #expect(failing.evidence == "performance: cannot evaluate fraud v1 on data/labelled/: cannot read data/labelled/x.csv: not UTF-8")

        let none = try await verdict(StoreTriggerInputs(registry: store, metrics: store))
        #expect(!none.fires)
        #expect(none.evidence == "performance: no labelled-data evaluator is configured, so data/labelled/ is not read")
    }
}
