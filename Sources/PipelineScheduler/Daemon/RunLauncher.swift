public import PipelineEngine
public import PipelineModel

/// A pipeline the daemon watches: its checked plan and the folder its file is in.
public struct WatchedPipeline: Sendable {
    /// The checked pipeline.
    public var plan: Plan
    /// The pipeline file's folder, absolute (commands run there; data paths resolve against it).
    public var baseDirectory: String
    /// The file it was read from, if any.
    public var path: String?

    /// Creates a watched pipeline.
    public init(plan: Plan, baseDirectory: String, path: String? = nil) {
        self.plan = plan
        self.baseDirectory = baseDirectory
        self.path = path
    }

    /// The pipeline value.
    public var pipeline: Pipeline { plan.pipeline }
}

/// Where the daemon gets the pipelines to watch; `kiln serve` reloads files whose modification time changed.
public protocol PipelineCatalog: Sendable {
    /// The pipelines as of now (the last good version of each file).
    func pipelines() async -> [WatchedPipeline]
}

/// A fixed list of pipelines: for tests and embedding.
public struct StaticPipelineCatalog: PipelineCatalog {
    let watched: [WatchedPipeline]

    /// Creates a catalog of `pipelines`.
    public init(_ pipelines: [WatchedPipeline]) { watched = pipelines }

    /// The pipelines.
    public func pipelines() async -> [WatchedPipeline] { watched }
}

/// Starts runs that triggers decided on.
public protocol RunLauncher: Sendable {
    /// Creates a run of `pipeline` with `trigger` and `idempotencyKey`, to be executed.
    ///
    /// - Returns: The new run's id, or `nil` when a run with that idempotency key exists already (it was
    ///   launched before, e.g. by a daemon that stopped before storing that it had).
    func launch(_ pipeline: WatchedPipeline, trigger: JSONValue, idempotencyKey: String) async throws -> RunID?
}
