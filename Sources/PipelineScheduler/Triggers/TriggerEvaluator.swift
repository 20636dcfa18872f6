import PipelineEngine
public import PipelineModel

/// Decides, from a pipeline's `triggers:`, the time, what was handled before and what the world looks like, whether
/// a run should start and why. Pure apart from reading ``TriggerInputs``: it starts nothing and stores nothing.
///
/// ```swift
/// let evaluator = TriggerEvaluator()
/// let decision = try await evaluator.evaluate(
///     pipeline, baseDirectory: folder, at: clock.now, state: stored, history: history, inputs: inputs)
/// if decision.startsQueued { … launch decision.state.queued … }
/// ```
///
/// Semantics (see docs/triggers.md):
/// - The schedule fires on its own; the other rules combine with `combine: any | all`.
/// - Missed schedule fire times (after downtime) follow `catch_up`: `latest` one run for the newest, `none` only a
///   fire time within ``Configuration/onTimeTolerance`` of now, `all` one run per fire time, oldest first.
/// - A firing rule becomes the *queued* run (at most one: later fires merge into it); it starts when fewer than
///   `max_active_runs` runs are unfinished and no `cooldown` applies.
/// - During a cooldown, schedule fire times are skipped and the other rules wait (they fire after it).
public struct TriggerEvaluator: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// How late a schedule fire time may be handled and still count as on time (for `catch_up: none`).
        /// Default: 2 minutes.
        public var onTimeTolerance: Duration
        /// The most missed fire times looked at after downtime. Default: 10,000.
        public var maxMissedFireTimes: Int

        /// Creates a configuration.
        public init(onTimeTolerance: Duration = .seconds(120), maxMissedFireTimes: Int = 10_000) {
            precondition(onTimeTolerance >= .zero, "onTimeTolerance must not be negative.")
            precondition(maxMissedFireTimes > 0, "maxMissedFireTimes must be at least 1.")
            self.onTimeTolerance = onTimeTolerance
            self.maxMissedFireTimes = maxMissedFireTimes
        }
    }

    /// The tunables.
    public let configuration: Configuration

    /// Creates an evaluator.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Evaluates every rule of `pipeline.triggers` at `now`.
    ///
    /// - Parameters:
    ///   - pipeline: The pipeline (its `triggers` may be `nil`: nothing fires).
    ///   - baseDirectory: The pipeline file's folder (data paths are relative to it).
    ///   - now: The evaluation time.
    ///   - state: What was stored at the last evaluation, or `nil` the first time (rules then look only at what
    ///     happens from `now` on, except upstream promotions after the pipeline's last run).
    ///   - history: The pipeline's runs.
    ///   - inputs: Metrics, alias history, row counts, drift.
    /// - Returns: The verdicts, whether to start the queued run, and the state to store.
    /// - Throws: Only what `inputs` throws for reasons other than a rule's data (those become evidence).
    public func evaluate(
        _ pipeline: Pipeline, baseDirectory: String, at now: Timestamp, state stored: TriggerState?,
        history: RunHistory, inputs: any TriggerInputs
    ) async throws -> TriggerDecision {
        var state = stored ?? TriggerState(pipeline: pipeline.name, since: now)
        guard let spec = pipeline.triggers else {
            return TriggerDecision(
                pipeline: pipeline.name, verdicts: [], fires: false, fired: nil, startsQueued: false, note: nil,
                state: state)
        }
        let context = RuleContext(
            pipeline: pipeline.name, spec: spec, baseDirectory: baseDirectory, now: now, state: state, history: history,
            inputs: inputs, configuration: configuration)
        let schedule = try context.scheduleVerdict()
        var conditions: [RuleVerdict] = []
        if let rule = spec.performance { conditions.append(try await context.performance(rule)) }
        var dataTotal: Int?
        if let rule = spec.data {
            let (verdict, total) = await context.data(rule)
            conditions.append(verdict)
            dataTotal = total
        }
        if let rule = spec.drift { conditions.append(await context.drift(rule)) }
        for model in spec.upstream { conditions.append(try await context.upstream(model)) }

        let conditionsFire = spec.combine == .any
            ? conditions.contains(where: \.fires) : !conditions.isEmpty && conditions.allSatisfy(\.fires)
        let scheduleFires = schedule?.verdict.fires ?? false
        let fires = scheduleFires || conditionsFire
        let firing = (scheduleFires ? [schedule!.verdict] : []) + (conditionsFire ? conditions.filter(\.fires) : [])

        var note: String?
        let coolingUntil = cooldownEnd(spec, state).flatMap { now < $0 ? $0 : nil }
        let slotFree = history.activeRuns < spec.maxActiveRuns
        // Schedule fire times handled now (started, queued or skipped) move the schedule's mark.
        if let schedule, let consumed = schedule.consumed {
            let keepsBacklog = spec.catchUp == .all && scheduleFires && !slotFree && coolingUntil == nil
            if !keepsBacklog { state.rules["schedule", default: .init()].lastFire = consumed }
        }
        var fired: TriggerState.QueuedTrigger?
        if let coolingUntil {
            if fires { note = "cooldown: no automatic run before \(coolingUntil.iso8601)" }
        } else if fires {
            let onlyBacklog = !conditionsFire && spec.catchUp == .all && !slotFree
            if onlyBacklog {
                note = "\(history.activeRuns) active run(s) (max_active_runs: \(spec.maxActiveRuns)); missed fire times wait"
            } else {
                let trigger = Self.trigger(firing)
                let first = firing[0]
                let key = "\(pipeline.name)/\(first.rule)@\((first.fireTime ?? now).iso8601)"
                fired = TriggerState.QueuedTrigger(trigger: trigger, idempotencyKey: key)
                for verdict in conditions where verdict.fires && verdict.type != "data" {
                    state.rules[verdict.rule, default: .init()].lastFire = verdict.fireTime ?? now
                }
                if let dataTotal { state.rules[DataBaseline.rule, default: .init()].mark = Int64(dataTotal) }
                if state.queued == nil {
                    state.queued = fired
                } else {
                    note = "a run is already queued; this trigger joins it"
                }
                if !slotFree {
                    note = note ?? "\(history.activeRuns) active run(s) (max_active_runs: \(spec.maxActiveRuns)); one run is queued"
                }
            }
        }
        let startsQueued = state.queued != nil && slotFree && coolingUntil == nil
        return TriggerDecision(
            pipeline: pipeline.name, verdicts: (schedule.map { [$0.verdict] } ?? []) + conditions, fires: fires,
            fired: fired, startsQueued: startsQueued, note: note, state: state)
    }

    /// When the cooldown after the last automatic run ends, if a cooldown is set and a run happened (past or not).
    private func cooldownEnd(_ spec: TriggerSpec, _ state: TriggerState) -> Timestamp? {
        guard let text = spec.cooldown, let last = state.lastAutomaticRun,
            let cooldown = try? DurationText.parse(text)
        else { return nil }
        return last.adding(cooldown)
    }

    /// The `trigger` JSON of a run started by `firing` (at least one verdict): the first one's type, every
    /// firing rule's evidence.
    static func trigger(_ firing: [RuleVerdict]) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(firing[0].type), "evidence": .string(firing.map(\.evidence).joined(separator: "; ")),
        ]
        if firing.count > 1 { object["rules"] = .array(firing.map { .string($0.type) }) }
        return .object(object)
    }
}
