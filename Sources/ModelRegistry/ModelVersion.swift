public import PipelineModel

/// One registered version of a model, with its lineage. Versions are numbered from 1 per model and never change.
public struct ModelVersion: Sendable, Hashable {
    /// The model's name.
    public var model: String
    /// The version number: 1 for the model's first version, then consecutive.
    public var version: Int
    /// Evaluation results by name.
    public var metrics: [String: Double]
    /// The training parameters.
    public var params: [String: JSONValue]
    /// The model file's content reference, `sha256:<hex>`.
    public var artifact: String
    /// The content hash of the training data.
    public var dataFingerprint: String
    /// The id of the run that produced it.
    public var runID: String
    /// The pipeline of that run.
    public var pipeline: String
    /// The task that registered it.
    public var task: String
    /// The code or configuration version, when it was given.
    public var codeVersion: String?
    /// The model versions it was built from.
    public var upstream: [UpstreamVersion]
    /// When it was registered.
    public var createdAt: Timestamp

    /// Creates a version (stores do this; tests may too).
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - version: The version number.
    ///   - metrics: Evaluation results by name.
    ///   - params: Training parameters.
    ///   - artifact: The model file's reference.
    ///   - dataFingerprint: The content hash of the training data.
    ///   - runID: The producing run's id.
    ///   - pipeline: The producing run's pipeline.
    ///   - task: The producing task's id.
    ///   - codeVersion: The code or configuration version.
    ///   - upstream: The versions it was built from.
    ///   - createdAt: When it was registered.
    public init(
        model: String, version: Int, metrics: [String: Double], params: [String: JSONValue], artifact: String,
        dataFingerprint: String, runID: String, pipeline: String, task: String, codeVersion: String?,
        upstream: [UpstreamVersion], createdAt: Timestamp
    ) {
        self.model = model
        self.version = version
        self.metrics = metrics
        self.params = params
        self.artifact = artifact
        self.dataFingerprint = dataFingerprint
        self.runID = runID
        self.pipeline = pipeline
        self.task = task
        self.codeVersion = codeVersion
        self.upstream = upstream
        self.createdAt = createdAt
    }

    /// The stored version of `new`, numbered `version` and registered at `createdAt`.
    ///
    /// - Parameters:
    ///   - new: What the caller registered.
    ///   - version: The number the store assigned.
    ///   - createdAt: When it was registered.
    public init(_ new: NewVersion, version: Int, createdAt: Timestamp) {
        self.init(
            model: new.model, version: version, metrics: new.metrics, params: new.params, artifact: new.artifact,
            dataFingerprint: new.dataFingerprint, runID: new.runID, pipeline: new.pipeline, task: new.task,
            codeVersion: new.codeVersion, upstream: new.upstream, createdAt: createdAt)
    }

    /// `model@version`, the reference that resolves to exactly this version.
    public var reference: String { "\(model)@\(version)" }
}
