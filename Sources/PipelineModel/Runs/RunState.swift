/// The state of a whole run. Raw values are stored and printed: they are a contract.
public enum RunState: String, Sendable, Hashable, Codable, CaseIterable {
    case queued, running, succeeded, failed, cancelled
    /// Nothing can progress until a waiting task gets a decision (`kiln approve` / `kiln reject`); no process is held.
    case waiting

    /// Whether the run has ended.
    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
}
