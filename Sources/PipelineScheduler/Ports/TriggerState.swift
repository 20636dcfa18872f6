public import PipelineModel

/// What the trigger daemon remembers about one pipeline.
public struct TriggerState: Sendable, Hashable {
    /// The pipeline's name.
    public var pipeline: String
    /// Per rule (`schedule`, `data`, `upstream:<model>`, …): the last fire time handled and a rule-specific mark
    /// (the row count at the last run for `data`, the version seen for `upstream`).
    public var rules: [String: RuleState]
    /// When the last automatic run started (for `cooldown`).
    public var lastAutomaticRun: Timestamp?
    /// A run that fired while `max_active_runs` runs were unfinished: it starts when one finishes. At most one.
    public var queued: QueuedTrigger?
    /// When the daemon first saw the pipeline's triggers (rules only look at events after it).
    public var since: Timestamp

    /// Creates a state.
    public init(
        pipeline: String, since: Timestamp, rules: [String: RuleState] = [:], lastAutomaticRun: Timestamp? = nil,
        queued: QueuedTrigger? = nil
    ) {
        self.pipeline = pipeline
        self.since = since
        self.rules = rules
        self.lastAutomaticRun = lastAutomaticRun
        self.queued = queued
    }

    /// What is remembered about one rule.
    public struct RuleState: Sendable, Hashable {
        /// The last fire time handled (started, queued or skipped).
        public var lastFire: Timestamp?
        /// A rule-specific mark, e.g. a row count.
        public var mark: Int64?

        /// Creates a rule state.
        public init(lastFire: Timestamp? = nil, mark: Int64? = nil) {
            self.lastFire = lastFire
            self.mark = mark
        }
    }

    /// A run waiting for a free slot.
    public struct QueuedTrigger: Sendable, Hashable {
        /// Why it fired: the `trigger` JSON the run gets.
        public var trigger: JSONValue
        /// The run's idempotency key.
        public var idempotencyKey: String

        /// Creates a queued run.
        public init(trigger: JSONValue, idempotencyKey: String) {
            self.trigger = trigger
            self.idempotencyKey = idempotencyKey
        }
    }
}
