import PipelineEngine
public import PipelineModel

/// The outcome of evaluating one pipeline's triggers at one time.
public struct TriggerDecision: Sendable, Hashable {
    /// The pipeline's name.
    public var pipeline: String
    /// Each rule's verdict (schedule first, then performance, data, drift, upstream).
    public var verdicts: [RuleVerdict]
    /// Whether the rules fire (schedule, or the other rules combined), before cooldown and `max_active_runs`.
    public var fires: Bool
    /// The run that fired now, if any: its `trigger` JSON and idempotency key.
    public var fired: TriggerState.QueuedTrigger?
    /// Whether the queued run (``TriggerState/queued``) may start now: a slot is free and no cooldown applies.
    public var startsQueued: Bool
    /// Why nothing starts although the rules fire (`cooldown until …`, `2 runs active (max_active_runs: 2)`).
    public var note: String?
    /// The state to store: handled fire times, marks, the queued run.
    public var state: TriggerState

    /// Creates a decision.
    public init(
        pipeline: String, verdicts: [RuleVerdict], fires: Bool, fired: TriggerState.QueuedTrigger?,
        startsQueued: Bool, note: String?, state: TriggerState
    ) {
        self.pipeline = pipeline
        self.verdicts = verdicts
        self.fires = fires
        self.fired = fired
        self.startsQueued = startsQueued
        self.note = note
        self.state = state
    }

    /// `{"pipeline", "fires", "rules": [{"type", "fires", "evidence"}]}` (plus `note` when set), as
    /// `kiln triggers --json` prints it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "pipeline": .string(pipeline), "fires": .bool(fires), "rules": .array(verdicts.map(\.json)),
        ]
        if let note { object["note"] = .string(note) }
        return .object(object)
    }
}
