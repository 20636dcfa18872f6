public import Logging
public import PipelineEngine
public import PipelineModel

/// One evaluation pass over the watched pipelines: evaluate, store what was handled, launch.
///
/// The state is stored *before* a run is launched (with the run as ``TriggerState/queued``) and the launch
/// carries the run's idempotency key, so a daemon killed at any point neither loses a fire nor launches twice:
/// on restart the queued run is launched again and the store refuses the key if it was launched already.
public struct TriggerCoordinator: Sendable {
    let evaluator: TriggerEvaluator
    let states: any TriggerStateStore
    let runs: any StateStore
    let inputs: any TriggerInputs
    let launcher: any RunLauncher
    let logger: Logger

    /// Creates a coordinator.
    ///
    /// - Parameters:
    ///   - evaluator: Decides from the rules.
    ///   - states: Where trigger state is kept.
    ///   - runs: Where runs are kept (for the pipeline's last run and its unfinished runs).
    ///   - inputs: What rules read.
    ///   - launcher: Starts runs.
    ///   - logger: Decisions at `info`, problems at `error`.
    public init(
        evaluator: TriggerEvaluator = TriggerEvaluator(), states: any TriggerStateStore, runs: any StateStore,
        inputs: any TriggerInputs, launcher: any RunLauncher, logger: Logger
    ) {
        self.evaluator = evaluator
        self.states = states
        self.runs = runs
        self.inputs = inputs
        self.launcher = launcher
        self.logger = logger
    }

    /// Evaluates every pipeline that has triggers at `now` and launches what fired.
    ///
    /// A pipeline whose evaluation fails is logged and skipped; the others go on.
    /// - Returns: The decisions, one per pipeline with triggers.
    @discardableResult
    public func tick(_ pipelines: [WatchedPipeline], at now: Timestamp) async -> [TriggerDecision] {
        var decisions: [TriggerDecision] = []
        for watched in pipelines where watched.pipeline.triggers != nil {
            do {
                decisions.append(try await tick(watched, at: now))
            } catch {
                var logger = logger
                logger[metadataKey: "pipeline.name"] = "\(watched.pipeline.name)"
                logger.error("Trigger evaluation failed", metadata: ["error.message": "\(error)"])
            }
        }
        return decisions
    }

    /// Evaluates one pipeline and launches its queued run when it may start.
    public func tick(_ watched: WatchedPipeline, at now: Timestamp) async throws -> TriggerDecision {
        let name = watched.pipeline.name
        let stored = try await states.triggerState(pipeline: name)
        let history = try await RunHistory.read(pipeline: name, from: runs)
        let decision = try await evaluator.evaluate(
            watched.pipeline, baseDirectory: watched.baseDirectory, at: now, state: stored, history: history,
            inputs: inputs)
        var state = decision.state
        if state != stored { try await states.saveTriggerState(state) }
        if decision.startsQueued, let queued = state.queued {
            let id = try await launcher.launch(watched, trigger: queued.trigger, idempotencyKey: queued.idempotencyKey)
            state.queued = nil
            state.lastAutomaticRun = now
            try await states.saveTriggerState(state)
            logger.info(
                id == nil ? "Triggered run was launched before" : "Triggered run launched",
                metadata: [
                    "pipeline.name": "\(name)", "run.id": "\(id?.rawValue ?? "-")",
                    "run.idempotency_key": "\(queued.idempotencyKey)", "run.trigger": "\(queued.trigger.compactJSON)",
                ])
        }
        return decision
    }
}
