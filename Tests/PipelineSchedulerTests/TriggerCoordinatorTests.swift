import Foundation
import Logging
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineStoreSQLite
import PipelineTesting
import Testing

@Suite("Trigger coordinator: durable state, idempotent launches, upstream promotions")
struct TriggerCoordinatorTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-triggers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(folder.appendingPathComponent("kiln.db").path)
    }

    static func coordinator(_ store: SQLiteStateStore, _ inputs: any TriggerInputs, _ launcher: RecordingLauncher) -> TriggerCoordinator {
        TriggerCoordinator(states: store, runs: store, inputs: inputs, launcher: launcher, logger: logger)
    }

    @Test("a restarted daemon on the same database neither doubles nor skips a scheduled run")
    func restartDoesNotDouble() async throws {
        try await Self.withDatabase { path in
            let watched = try Fixture.watched(Fixture.pipeline(triggers: TriggerSpec(every: "1h")))
            let start = Fixture.time("2026-11-29T00:00:30Z")
            let first = try SQLiteStateStore(path: path)
            let launcher = RecordingLauncher(store: first)
            await Self.coordinator(first, FakeInputs(), launcher).tick([watched], at: start)
            await Self.coordinator(first, FakeInputs(), launcher).tick([watched], at: Fixture.time("2026-11-29T01:00:05Z"))
            #expect(launcher.launched == ["retrain/schedule@2026-11-29T01:00:00.000Z"])

            // A new process on the same file, evaluating the same fire time again and then the next one.
            let second = try SQLiteStateStore(path: path)
            let relaunch = RecordingLauncher(store: second)
            await Self.coordinator(second, FakeInputs(), relaunch).tick([watched], at: Fixture.time("2026-11-29T01:00:40Z"))
            #expect(relaunch.launched.isEmpty)
            await Self.coordinator(second, FakeInputs(), relaunch).tick([watched], at: Fixture.time("2026-11-29T02:00:01Z"))
            #expect(relaunch.launched == ["retrain/schedule@2026-11-29T02:00:00.000Z"])
            #expect(try await second.runs(pipeline: "retrain", limit: 10).count == 2)
        }
    }

    @Test("a run queued before a crash is launched once: the store refuses its idempotency key the second time")
    func queuedRunAfterCrash() async throws {
        try await Self.withDatabase { path in
            let watched = try Fixture.watched(Fixture.pipeline(triggers: TriggerSpec(every: "1h")))
            let store = try SQLiteStateStore(path: path)
            let key = "retrain/schedule@2026-11-29T01:00:00.000Z"
            // The crashed daemon stored the queued run and launched it, but not that it had.
            try await store.saveTriggerState(TriggerState(
                pipeline: "retrain", since: Fixture.time("2026-11-29T00:00:00Z"),
                rules: ["schedule": .init(lastFire: Fixture.time("2026-11-29T01:00:00Z"))],
                queued: .init(trigger: ["type": "schedule", "evidence": "schedule: x"], idempotencyKey: key)))
            let crashed = RecordingLauncher(store: store)
            _ = try await crashed.launch(watched, trigger: ["type": "schedule"], idempotencyKey: key)
            var finished = try #require(try await store.runs(pipeline: "retrain", limit: 1).first)
            finished.state = .succeeded
            try await store.commit(StateBatch(run: finished))

            let launcher = RecordingLauncher(store: store)
            await Self.coordinator(try SQLiteStateStore(path: path), FakeInputs(), launcher)
                .tick([watched], at: Fixture.time("2026-11-29T01:00:20Z"))
            #expect(launcher.launched.isEmpty)
            #expect(try await store.runs(pipeline: "retrain", limit: 10).count == 1)
            #expect(try await store.triggerState(pipeline: "retrain")?.queued == nil)
        }
    }

    @Test("promoting model A makes B's upstream rule start exactly one run")
    func upstreamPromotionFiresOnce() async throws {
        let store = try SQLiteStateStore.inMemory()
        let registry = SQLiteRegistryStore(sharingDatabaseOf: store)
        let inputs = StoreTriggerInputs(registry: registry, metrics: registry)
        let b = try Fixture.watched(Fixture.pipeline("b", triggers: TriggerSpec(upstream: ["a"])))
        let launcher = RecordingLauncher(store: store)
        let coordinator = Self.coordinator(store, inputs, launcher)
        let start = Fixture.time("2026-11-29T00:00:00Z")
        await coordinator.tick([b], at: start)

        let new = NewVersion(model: "a", artifact: "sha256:00", dataFingerprint: "sha256:00", runID: "r", pipeline: "a", task: "register")
        try await registry.register(new, idempotencyKey: "r/register", at: start.adding(.seconds(5)))
        try await registry.moveAlias(
            model: "a", alias: "production", to: 1, expectedFrom: nil, reason: nil, actor: "cli", at: start.adding(.seconds(10)))
        for second in stride(from: 30, through: 300, by: 30) {
            await coordinator.tick([b], at: start.adding(.seconds(Int64(second))))
        }
        #expect(launcher.launched == ["b/upstream:a@2026-11-29T00:00:10.000Z"])
        let run = try #require(try await store.runs(pipeline: "b", limit: 1).first)
        #expect(run.trigger == ["type": "upstream", "evidence": "upstream: a v1 promoted"])
        #expect(run.idempotencyKey == "b/upstream:a@2026-11-29T00:00:10.000Z")
    }

    @Test("production metrics pushed to the SQLite registry drive the performance rule")
    func metricsFromStore() async throws {
        let store = try SQLiteStateStore.inMemory()
        let registry = SQLiteRegistryStore(sharingDatabaseOf: store)
        let start = Fixture.time("2026-11-29T00:00:00Z")
        let new = NewVersion(model: "fraud", artifact: "sha256:00", dataFingerprint: "sha256:00", runID: "r", pipeline: "p", task: "t")
        try await registry.register(new, idempotencyKey: "k", at: start)
        try await registry.moveAlias(model: "fraud", alias: "production", to: 1, expectedFrom: nil, reason: nil, actor: "cli", at: start)
        try await registry.pushMetrics([
            MetricSample(model: "fraud", version: 1, metric: "f1", value: 0.7, at: start.adding(.seconds(60))),
            MetricSample(model: "fraud", version: 1, metric: "f1", value: 0.74, at: start.adding(.seconds(120))),
            MetricSample(model: "fraud", version: 1, metric: "f1", value: 0.79, at: start.adding(.seconds(180))),
        ])
        let launcher = RecordingLauncher(store: store)
        let watched = try Fixture.watched(Fixture.pipeline(triggers: TriggerSpec(performance: Fixture.performance)))
        let decisions = await Self.coordinator(store, StoreTriggerInputs(registry: registry, metrics: registry), launcher)
            .tick([watched], at: start.adding(.seconds(240)))
        #expect(decisions.first?.verdict("performance")?.evidence == "f1 0.74 < 0.80 (3 samples, last 24h)")
        #expect(launcher.launched.count == 1)
    }

    /// The model a test pipeline produces: the `name` input of its `register-model` task, else its name.
    static func produced(_ pipeline: Pipeline) -> String {
        for task in pipeline.tasks {
            if case .uses("register-model", let inputs) = task.action, let name = inputs["name"]?.stringValue { return name }
        }
        return pipeline.name
    }

    @Test("pipelines that retrain on each other's models are a cycle, named in order")
    func upstreamCycle() {
        let a = Pipeline(
            name: "a", tasks: [TaskSpec(id: "register", action: .uses("register-model", with: ["name": "model-a"]))],
            triggers: TriggerSpec(upstream: ["b"]))
        let b = Pipeline(name: "b", tasks: [TaskSpec(id: "t", action: .uses("noop", with: [:]))], triggers: TriggerSpec(upstream: ["model-a"]))
        let c = Pipeline(name: "c", tasks: [TaskSpec(id: "t", action: .uses("noop", with: [:]))], triggers: TriggerSpec(upstream: ["b"]))
        #expect(UpstreamGraph.cycle(in: [a, b, c], producedModel: Self.produced) == ["a", "b", "a"])
        #expect(UpstreamGraph.cycle(in: [b, c], producedModel: Self.produced) == nil)
    }
}
