/// Why a model file could not be read, checked against data, or scored.
public struct ModelFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and how to fix it.
    public var message: String

    /// Creates an error.
    /// - Parameter message: What went wrong and how to fix it.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
