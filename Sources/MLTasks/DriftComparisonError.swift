/// Why two datasets could not be compared for drift.
public struct DriftComparisonError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and how to fix it.
    public var message: String

    /// Creates an error.
    /// - Parameter message: What went wrong and how to fix it.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
