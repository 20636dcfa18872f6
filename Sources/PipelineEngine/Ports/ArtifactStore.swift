public import PipelineModel

/// Where datasets and models that tasks pass to each other are kept, addressed by content (`sha256:<hex>`).
///
/// Outputs refer to artifacts by their reference string, so a cache key over outputs covers the content, and two
/// runs that produce the same bytes share one object. Every backend writes atomically (a reader never sees part of
/// an artifact) and checks the content of an artifact against its reference whenever it is read: a corrupt or
/// truncated object is an ``ArtifactStoreError`` naming the reference and where it is, never used.
/// `ArtifactStoreConformance` (in `PipelineTesting`) holds every backend to this.
public protocol ArtifactStore: Sendable {
    /// Where the artifacts are, for messages: a folder, or `s3://bucket/prefix`.
    var location: String { get }

    /// Stores the file at `path` (copying it) and returns its reference. Storing bytes the store already holds
    /// changes nothing but the object's age (so a retention pass keeps it).
    /// - Throws: ``ArtifactStoreError`` when the file cannot be read or stored.
    func put(file path: String) async throws -> String

    /// A local file with the content of `reference`, for reading only: the stored file itself, or a verified copy
    /// in a local cache (remote stores download it first).
    /// - Throws: ``ArtifactStoreError`` when the reference is malformed or unknown, the store cannot be reached, or
    ///   the stored bytes do not match the reference.
    func localPath(for reference: String) async throws -> String

    /// Whether the store holds `reference` (without reading or checking its content).
    /// - Throws: ``ArtifactStoreError`` when the reference is malformed or the store cannot be reached.
    func contains(_ reference: String) async throws -> Bool

    /// Every stored artifact, in no particular order.
    /// - Throws: ``ArtifactStoreError`` when the store cannot be listed.
    func list() async throws -> [StoredArtifact]

    /// Deletes `reference`; deleting an artifact that is not there is not an error.
    /// - Throws: ``ArtifactStoreError`` when the reference is malformed or the deletion fails.
    func delete(_ reference: String) async throws
}

/// One artifact as ``ArtifactStore/list()`` reports it.
public struct StoredArtifact: Sendable, Hashable {
    /// `sha256:<hex>`.
    public var reference: String
    /// Its size in bytes.
    public var size: Int64
    /// When it was last stored.
    public var modifiedAt: Timestamp

    /// Creates a listing entry.
    public init(reference: String, size: Int64, modifiedAt: Timestamp) {
        self.reference = reference
        self.size = size
        self.modifiedAt = modifiedAt
    }
}

/// Artifact references: `sha256:` and 64 lowercase hex digits.
public enum ArtifactReference {
    /// The hex digest of `reference`.
    /// - Throws: ``ArtifactStoreError`` when `reference` is not `sha256:` and 64 lowercase hex digits.
    public static func digest(of reference: String) throws -> Substring {
        guard reference.hasPrefix("sha256:"), reference.utf8.count == 71,
            reference.utf8.dropFirst(7).allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else {
            throw ArtifactStoreError("'\(reference.prefix(90))' is not an artifact reference (expected sha256: and 64 hex digits)")
        }
        return reference.dropFirst(7)
    }

    /// Whether `text` is a well-formed reference.
    public static func isValid(_ text: String) -> Bool { (try? digest(of: text)) != nil }

    /// Every artifact reference named anywhere in `value` (strings starting with `sha256:`), added to `references`.
    public static func collect(in value: JSONValue, into references: inout Set<String>) {
        switch value {
        case .string(let text) where text.hasPrefix("sha256:"): references.insert(text)
        case .array(let values): values.forEach { collect(in: $0, into: &references) }
        case .object(let members): members.values.forEach { collect(in: $0, into: &references) }
        case .string, .null, .bool, .number: break
        }
    }
}

/// Why an artifact could not be found, read or stored.
public struct ArtifactStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
