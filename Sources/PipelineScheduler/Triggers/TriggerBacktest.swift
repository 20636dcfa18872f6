import ModelRegistry
public import PipelineModel
import PipelineEngine

/// Replays a pipeline's triggers over a past period: when runs would have started, how many, and why.
///
/// Evaluations happen at every schedule fire time, every stored metric sample, every production alias move of
/// an upstream model and every data file modification time in the period (`performance` samples come from the
/// metric store, `data: {path:}` arrivals from file modification times; `query:` and `command:` sources cannot be
/// replayed and never fire, `drift:` is evaluated only if the inputs give a verdict for past times). Each
/// simulated run starts at its evaluation time and is assumed to have finished before the next evaluation, so
/// `max_active_runs` never holds a run back; `cooldown` and `combine` apply as live.
public struct TriggerBacktest: Sendable {
    /// One run the triggers would have started.
    public struct SimulatedRun: Sendable, Hashable {
        /// When it would have started.
        public var at: Timestamp
        /// Its `trigger` JSON (`{"type", "evidence"}`).
        public var trigger: JSONValue
    }

    let evaluator: TriggerEvaluator

    /// Creates a backtest.
    public init(evaluator: TriggerEvaluator = TriggerEvaluator()) {
        self.evaluator = evaluator
    }

    /// The runs `pipeline`'s triggers would have started in `from...through`.
    ///
    /// - Parameters:
    ///   - pipeline: The pipeline with its triggers.
    ///   - baseDirectory: The pipeline file's folder.
    ///   - from: The start of the period.
    ///   - through: The end of the period (included).
    ///   - lastRunBefore: When the pipeline last ran before `from`, if known.
    ///   - inputs: Stored metrics, alias history, row counts as of past times.
    /// - Returns: The simulated runs, oldest first.
    public func replay(
        _ pipeline: Pipeline, baseDirectory: String, from: Timestamp, through: Timestamp, lastRunBefore: Timestamp?,
        inputs: any TriggerInputs
    ) async throws -> [SimulatedRun] {
        guard let spec = pipeline.triggers, from <= through else { return [] }
        let times = try await evaluationTimes(spec, baseDirectory: baseDirectory, from: from, through: through, inputs: inputs)
        var state = TriggerState(pipeline: pipeline.name, since: from.adding(.nanoseconds(-1)))  // `from` itself counts
        var lastRun = lastRunBefore
        var runs: [SimulatedRun] = []
        for time in times {
            let decision = try await evaluator.evaluate(
                pipeline, baseDirectory: baseDirectory, at: time, state: state,
                history: RunHistory(lastRunStart: lastRun, activeRuns: 0), inputs: PastInputs(base: inputs, at: time))
            state = decision.state
            if decision.startsQueued, let queued = state.queued {
                runs.append(SimulatedRun(at: time, trigger: queued.trigger))
                state.queued = nil
                state.lastAutomaticRun = time
                lastRun = time
            }
        }
        return runs
    }

    private func evaluationTimes(
        _ spec: TriggerSpec, baseDirectory: String, from: Timestamp, through: Timestamp, inputs: any TriggerInputs
    ) async throws -> [Timestamp] {
        var times: Set<Timestamp> = [through]
        if let schedule = try RuleContext.schedule(of: spec) {
            times.formUnion(schedule.fireTimes(from: from, through: through, limit: 100_000))
        }
        if let rule = spec.performance, let version = try await inputs.productionVersion(model: rule.model) {
            // Every version that was production in the period: samples of each count while it was.
            _ = version
            for change in try await inputs.aliasHistory(model: rule.model) where change.alias == RegistryNames.production {
                if let to = change.to {
                    let samples = try await inputs.metricSamples(
                        model: rule.model, version: to, metric: rule.metric, from: from, through: through)
                    times.formUnion(samples.map(\.at))
                }
            }
        }
        for model in spec.upstream {
            times.formUnion(try await inputs.aliasHistory(model: model).map(\.at).filter { $0 >= from && $0 <= through })
        }
        if let rule = spec.data, case .path(let path) = rule.source {
            times.formUnion(RowCounter.modificationTimes(path: RowCounter.resolve(path, in: baseDirectory))
                .filter { $0 >= from && $0 <= through })
        }
        return times.sorted()
    }
}
