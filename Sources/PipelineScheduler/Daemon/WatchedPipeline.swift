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
