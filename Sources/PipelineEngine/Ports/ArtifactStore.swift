/// Where datasets and models that tasks pass to each other are kept, addressed by content (`sha256:<hex>`).
///
/// Outputs refer to artifacts by their reference string, so a cache key over outputs covers the content, and two
/// runs that produce the same bytes share one file.
public protocol ArtifactStore: Sendable {
    /// Stores the file at `path` (copying it) and returns its reference.
    /// - Throws: When the file cannot be read or stored.
    func put(file path: String) async throws -> String

    /// The local path of the artifact `reference`, for reading only.
    /// - Throws: ``ArtifactStoreError`` when the reference is malformed or unknown.
    func path(for reference: String) throws -> String
}

/// Why an artifact could not be found or stored.
public struct ArtifactStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
