public import PipelineModel

/// One move of an alias, as the audit history records it: who moved `production` from which version to which, and why.
public struct AliasChange: Sendable, Hashable {
    /// The model's name.
    public var model: String
    /// The alias that moved (`production`, `staging`, …).
    public var alias: String
    /// The version it pointed at before, or `nil` when the move created it.
    public var from: Int?
    /// The version it points at after, or `nil` when the move removed it.
    public var to: Int?
    /// When it moved.
    public var at: Timestamp
    /// Why, in the mover's words, if given.
    public var reason: String?
    /// Who moved it: `cli`, or `run <run id>/<task id>` for a pipeline task.
    public var actor: String

    /// Creates a change record.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - alias: The alias.
    ///   - from: The previous version, or `nil` when the alias is new.
    ///   - to: The new version, or `nil` when the alias is removed.
    ///   - at: When it moved.
    ///   - reason: Why, if given.
    ///   - actor: Who moved it.
    public init(model: String, alias: String, from: Int?, to: Int?, at: Timestamp, reason: String?, actor: String) {
        self.model = model
        self.alias = alias
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
        self.actor = actor
    }
}
