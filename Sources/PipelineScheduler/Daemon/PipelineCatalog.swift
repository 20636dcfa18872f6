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
