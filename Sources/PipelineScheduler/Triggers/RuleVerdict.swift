public import PipelineModel

/// What one trigger rule decided at one evaluation.
public struct RuleVerdict: Sendable, Hashable {
    /// The rule type: `schedule`, `performance`, `data`, `drift`, `upstream`.
    public var type: String
    /// The rule's key in the trigger state: the type, or `upstream:<model>`.
    public var rule: String
    /// Whether the rule fires now.
    public var fires: Bool
    /// Why, as shown to people: `f1 0.78 < 0.80 (5 samples, last 24h)`.
    public var evidence: String
    /// The fire time (a schedule fire time, an alias move time, or the evaluation time), when it fires.
    public var fireTime: Timestamp?

    /// Creates a verdict.
    public init(type: String, rule: String? = nil, fires: Bool, evidence: String, fireTime: Timestamp? = nil) {
        self.type = type
        self.rule = rule ?? type
        self.fires = fires
        self.evidence = evidence
        self.fireTime = fireTime
    }

    /// `{"type", "fires", "evidence"}`.
    public var json: JSONValue {
        ["type": .string(type), "fires": .bool(fires), "evidence": .string(evidence)]
    }
}
