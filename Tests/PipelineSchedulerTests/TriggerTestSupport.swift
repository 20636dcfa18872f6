import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import Synchronization

/// Trigger inputs held in memory: production versions, metric samples, alias moves, row counts, drift.
final class FakeInputs: TriggerInputs {
    struct State {
        var production: [String: Int] = [:]
        var samples: [MetricSample] = []
        var moves: [AliasChange] = []
        var rows = 0
        var drift: DriftVerdict?
    }

    let state = Mutex(State())

    func set(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }

    func push(_ model: String, version: Int = 1, _ metric: String, _ value: Double, at: Timestamp) {
        set { $0.samples.append(MetricSample(model: model, version: version, metric: metric, value: value, at: at)) }
    }

    func promote(_ model: String, to version: Int, at: Timestamp) {
        set { state in
            state.moves.append(AliasChange(
                model: model, alias: "production", from: state.production[model], to: version, at: at, reason: nil,
                actor: "cli"))
            state.production[model] = version
        }
    }

    func productionVersion(model: String) async throws -> Int? { state.withLock { $0.production[model] } }

    func metricSamples(
        model: String, version: Int, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample] {
        state.withLock { state in
            state.samples.filter {
                $0.model == model && $0.version == version && $0.metric == metric && $0.at >= from && $0.at <= through
            }
        }
    }

    func aliasHistory(model: String) async throws -> [AliasChange] {
        state.withLock { state in state.moves.filter { $0.model == model } }
    }

    func rowCount(_ source: DataSource, baseDirectory: String, asOf: Timestamp?) async throws -> Int? {
        state.withLock { $0.rows }
    }

    func drift(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict? {
        state.withLock { $0.drift }
    }
}

/// Records launches and stores each run (with its idempotency key) like `RunQueue` does; by default the run is
/// stored as already succeeded, as if it ran at once.
final class RecordingLauncher: RunLauncher {
    let store: any StateStore
    let finishes: Bool
    let keys = Mutex<[String]>([])

    init(store: any StateStore, finishes: Bool = true) {
        self.store = store
        self.finishes = finishes
    }

    func launch(_ pipeline: WatchedPipeline, trigger: JSONValue, idempotencyKey: String) async throws -> RunID? {
        let executor = PipelineExecutor(store: store, kinds: TaskKindRegistry())
        do {
            let run = try await executor.createRun(
                pipeline.plan, baseDirectory: pipeline.baseDirectory, trigger: trigger, idempotencyKey: idempotencyKey)
            keys.withLock { $0.append(idempotencyKey) }
            if finishes {
                var finished = run
                finished.state = .succeeded
                try await store.commit(StateBatch(run: finished))
            }
            return run.id
        } catch StateStoreError.duplicateIdempotencyKey {
            return nil
        }
    }

    var launched: [String] { keys.withLock { $0 } }
}

/// Builders for trigger tests.
enum Fixture {
    static func time(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    static func pipeline(_ name: String = "retrain", triggers: TriggerSpec, tasks: [TaskSpec]? = nil) -> Pipeline {
        Pipeline(name: name, tasks: tasks ?? [TaskSpec(id: "train", action: .uses("echo", with: [:]))], triggers: triggers)
    }

    static func watched(_ pipeline: Pipeline) throws -> WatchedPipeline {
        WatchedPipeline(plan: try Plan(pipeline), baseDirectory: "/tmp")
    }

    static let performance = PerformanceRule(model: "fraud", metric: "f1", below: 0.8, window: "24h", minSamples: 3)

    /// Evaluates `pipeline` at `now` from `state`.
    static func evaluate(
        _ pipeline: Pipeline, at now: Timestamp, state: TriggerState?, history: RunHistory = RunHistory(),
        inputs: FakeInputs, evaluator: TriggerEvaluator = TriggerEvaluator()
    ) async throws -> TriggerDecision {
        try await evaluator.evaluate(pipeline, baseDirectory: "/tmp", at: now, state: state, history: history, inputs: inputs)
    }
}

extension TriggerDecision {
    /// The verdict of rule `type`.
    func verdict(_ type: String) -> RuleVerdict? { verdicts.first { $0.type == type } }

    /// The evidence of the run that would start.
    var startingEvidence: String? {
        guard startsQueued else { return nil }
        return state.queued?.trigger.objectValue?["evidence"]?.stringValue
    }
}
