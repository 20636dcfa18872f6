public import DeploymentTasks
public import ModelRegistry
public import PipelineEngine
public import PipelineModel
public import PipelineScheduler

/// The state-changing and reading actions of Kiln, shared by the command line and the HTTP API so that both say
/// and do the same: resolve a run, decide on a waiting task, promote or roll back an alias, record production
/// metrics, evaluate or replay triggers.
///
/// Every refusal is an ``OperationError`` whose message is what the user reads, whichever front end they use.
public struct KilnOperations: Sendable {
    /// Run and task state.
    public let store: any StateStore
    /// The trigger daemon's state (handled fire times, baselines).
    public let triggerStates: any TriggerStateStore
    /// The model registry.
    public let registry: ModelRegistryService
    /// Production metrics.
    public let metrics: any MetricStore
    /// Moves aliases together with their exported files.
    public let deployer: Deployer
    /// What trigger rules read.
    public let inputs: any TriggerInputs
    /// Where "now" comes from.
    public let clock: any PipelineClock
    /// The workers' task queue on the same store, when it has one: where running tasks run.
    public let queue: (any TaskQueue)?

    /// Creates the operations over a home's stores.
    public init(
        store: any StateStore, triggerStates: any TriggerStateStore, registry: ModelRegistryService,
        metrics: any MetricStore, deployer: Deployer, inputs: any TriggerInputs, clock: any PipelineClock,
        queue: (any TaskQueue)? = nil
    ) {
        self.queue = queue
        self.store = store
        self.triggerStates = triggerStates
        self.registry = registry
        self.metrics = metrics
        self.deployer = deployer
        self.inputs = inputs
        self.clock = clock
    }

    // MARK: Runs

    /// Resolves a full run id or a unique prefix of one.
    ///
    /// - Throws: ``OperationError/Kind/notFound`` when nothing matches, ``OperationError/Kind/invalid`` when several do.
    public func resolveRun(_ text: String) async throws -> RunID {
        let matches = try await store.runIDs(withPrefix: text)
        if matches.contains(RunID(rawValue: text)) { return RunID(rawValue: text) }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw OperationError(.notFound, "no run '\(text)'; list runs with `kiln runs`")
        default:
            throw OperationError(
                .invalid,
                "'\(text)' matches several runs (\(matches.prefix(5).map(\.rawValue).joined(separator: ", "))); type more of the id")
        }
    }

    /// A page of runs, newest first.
    ///
    /// - Parameters:
    ///   - pipeline: Only this pipeline's runs.
    ///   - state: Only runs in this state.
    ///   - limit: At most this many (1 … 1,000).
    ///   - before: Only runs created before this run (the previous page's last id), for paging.
    /// - Returns: The runs, and the id to pass as `before` for the next page (`nil` on the last page).
    public func runs(pipeline: String?, state: RunState?, limit: Int, before: RunID?) async throws
        -> (runs: [RunRecord], next: RunID?)
    {
        guard (1...1_000).contains(limit) else { throw OperationError(.invalid, "limit must be between 1 and 1000, got \(limit)") }
        var candidates = try await store.runs(pipeline: pipeline, limit: 10_000)
        if let before {
            guard let index = candidates.firstIndex(where: { $0.id == before }) else {
                throw OperationError(.notFound, "no run '\(before)' to page from; start again without 'before'")
            }
            candidates = Array(candidates[(index + 1)...])
        }
        if let state { candidates = candidates.filter { $0.state == state } }
        let page = Array(candidates.prefix(limit))
        return (page, candidates.count > limit ? page.last?.id : nil)
    }

    /// The run document (`kiln show --json`), with the workers holding its running tasks.
    public func runDocument(_ id: RunID) async throws -> JSONValue {
        guard let run = try await store.run(id) else {
            throw OperationError(.notFound, "no run '\(id)'; list runs with `kiln runs`")
        }
        let tasks = try await store.tasks(of: id)
        let workers = try await queue?.workers(of: id, tasks: tasks) ?? [:]
        return RunDocument.make(run, tasks: tasks, workers: workers)
    }

    /// Captured output of a run, of one task (`notify` for notification deliveries) or one attempt.
    public func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine] {
        if let task, task != "notify" {
            guard let run = try await store.run(id) else {
                throw OperationError(.notFound, "no run '\(id)'; list runs with `kiln runs`")
            }
            guard run.snapshot.task(task) != nil else {
                throw OperationError(
                    .notFound, "run \(id) has no task '\(task)'\(Suggestion.hint(for: task, in: run.snapshot.tasks.map(\.id)))")
            }
        }
        if let attempt, attempt < 1 { throw OperationError(.invalid, "attempt must be at least 1, got \(attempt)") }
        return try await store.logs(of: id, task: task, attempt: attempt)
    }

    /// Records a decision on a task waiting for manual approval (the run continues where it is executed next).
    ///
    /// - Returns: The task decided on.
    /// - Throws: ``OperationError/Kind/conflict`` when the task is not waiting (or was decided meanwhile).
    public func decide(run id: RunID, task: String?, approved: Bool, reason: String?, actor: String) async throws -> String {
        let recorder = PipelineExecutor(store: store, kinds: TaskKindRegistry(), clock: clock)
        let decision = Decision(approved: approved, reason: reason, actor: actor, at: clock.now)
        do {
            return try await recorder.decide(decision, task: task, of: id)
        } catch {
            throw OperationError.classify(error) ?? error
        }
    }

    /// Deletes cache entries stored by task `task` (in every pipeline), or every entry when `task` is `nil`.
    ///
    /// - Returns: How many entries were deleted.
    public func clearCache(task: String?) async throws -> Int {
        if let task, task.isEmpty { throw OperationError(.invalid, "say which task's entries to clear, or clear all") }
        return try await store.clearCache(task: task)
    }

    // MARK: Models

    /// Points `alias` of `model` at `version`, moving its exported file with it, after recovering any interrupted
    /// deployment (whose repairs `report` receives).
    public func promote(
        model: String, version: Int, alias: String, reason: String?, actor: String,
        report: (String) -> Void = { _ in }
    ) async throws -> AliasChange {
        do {
            for line in try await deployer.recover(at: clock.now) { report(line) }
            return try await deployer.deploy(
                model: model, version: version, alias: alias, exportPath: nil, hook: {}, reason: reason, actor: actor,
                at: clock.now)
        } catch {
            throw OperationError.classify(error) ?? error
        }
    }

    /// Moves `alias` of `model` back (to `version`, or before its last move), restoring its exported file.
    public func rollback(
        model: String, alias: String, to version: Int?, reason: String?, actor: String,
        report: (String) -> Void = { _ in }
    ) async throws -> AliasChange {
        do {
            for line in try await deployer.recover(at: clock.now) { report(line) }
            return try await deployer.rollback(model: model, alias: alias, to: version, reason: reason, actor: actor, at: clock.now)
        } catch {
            throw OperationError.classify(error) ?? error
        }
    }

    /// A registered model (versions, aliases, alias history).
    public func model(_ name: String) async throws -> RegisteredModel {
        do {
            return try await registry.model(name)
        } catch {
            throw OperationError.classify(error) ?? error
        }
    }

    /// Records production metric values of a model version (the production version by default).
    ///
    /// - Returns: The samples recorded.
    public func pushMetrics(model: String, values: [(String, Double)], version: Int?, at: Timestamp?) async throws
        -> [MetricSample]
    {
        guard !values.isEmpty else { throw OperationError(.invalid, "give at least one metric, e.g. f1=0.78") }
        for (name, value) in values {
            guard !name.isEmpty, name.count <= 100 else {
                throw OperationError(.invalid, "a metric needs a name of 1 to 100 characters, e.g. f1")
            }
            guard value.isFinite else { throw OperationError(.invalid, "metric '\(name)' must be a finite number") }
        }
        guard let registered = try await registry.store.model(named: model) else {
            throw OperationError(.notFound, "no model '\(model)' in the registry; list models with `kiln models`")
        }
        let chosen: Int
        if let version {
            guard registered.version(version) != nil else {
                throw OperationError(.notFound, "model '\(model)' has no version \(version)")
            }
            chosen = version
        } else {
            guard let production = registered.production else {
                throw OperationError(
                    .conflict, "model '\(model)' has no production version; give the version (--version N) or promote one first")
            }
            chosen = production
        }
        let time = at ?? clock.now
        let samples = values.map { MetricSample(model: model, version: chosen, metric: $0.0, value: $0.1, at: time) }
        try await metrics.pushMetrics(samples)
        return samples
    }

    // MARK: Triggers

    /// Evaluates every trigger of `pipelines` once, as of `now`, with the daemon's stored state; starts nothing.
    public func evaluateTriggers(_ pipelines: [WatchedPipeline], at now: Timestamp? = nil) async throws -> [TriggerDecision] {
        let evaluator = TriggerEvaluator()
        let time = now ?? clock.now
        var decisions: [TriggerDecision] = []
        for watched in pipelines {
            let name = watched.pipeline.name
            decisions.append(try await evaluator.evaluate(
                watched.pipeline, baseDirectory: watched.baseDirectory, at: time,
                state: try await triggerStates.triggerState(pipeline: name),
                history: try await RunHistory.read(pipeline: name, from: store), inputs: inputs))
        }
        return decisions
    }

    /// Replays a pipeline's triggers over a past period: when runs would have started and why.
    public func backtest(_ watched: WatchedPipeline, from start: Timestamp, to end: Timestamp) async throws
        -> [TriggerBacktest.SimulatedRun]
    {
        guard start <= end else { throw OperationError(.invalid, "'from' must not be after 'to'") }
        let lastRun = try await store.runs(pipeline: watched.pipeline.name, limit: 10_000)
            .map(\.createdAt).filter { $0 < start }.max()
        do {
            return try await TriggerBacktest().replay(
                watched.pipeline, baseDirectory: watched.baseDirectory, from: start, through: end, lastRunBefore: lastRun,
                inputs: inputs)
        } catch {
            throw OperationError.classify(error) ?? error
        }
    }
}
