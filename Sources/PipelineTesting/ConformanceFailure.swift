/// A ``StateStoreConformance`` check found a store that does not behave as `StateStore` requires.
public struct ConformanceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the store did wrong, naming the expected and the actual result.
    public var message: String

    /// Creates a failure.
    ///
    /// - Parameters:
    ///   - message: What the store did wrong.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
