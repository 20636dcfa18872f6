public import PipelineEngine
public import PipelineModel

/// The kind `noop`: does nothing and returns its inputs as outputs.
///
/// Useful as a join point in a pipeline and for measuring the engine's own overhead (it costs nothing).
public struct NoopTaskKind: TaskKind {
    /// The kind's name, `"noop"`.
    public let name = "noop"

    /// Creates the kind.
    public init() {}

    /// Returns `context.inputs` unchanged.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] { context.inputs }
}
