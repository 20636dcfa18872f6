/// Why a prediction or a feedback request was refused, in terms each front end maps to its own (HTTP 400/404/409).
public struct PredictionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal.
    public enum Kind: String, Sendable {
        /// The request is malformed: a missing or mistyped column, no rows, an unknown field.
        case invalid
        /// The model, or the request id feedback names, is unknown.
        case notFound
        /// The model exists but has no version to serve (no such alias yet).
        case conflict
        /// The model file of the version cannot be loaded or scored.
        case failed
    }

    /// The kind.
    public var kind: Kind
    /// What is wrong and what to do.
    public var message: String

    /// Creates a refusal.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
