public import PipelineModel

/// What a caller registers: a trained model with its metrics, params and lineage. The store assigns the number.
///
/// ```swift
/// let new = NewVersion(
///     model: "fraud", metrics: ["f1": 0.91], params: ["depth": 6], artifact: "sha256:9f2c…",
///     dataFingerprint: "sha256:41d0…", runID: "20261129-020000-3fa2c1", pipeline: "nightly", task: "register")
/// let version = try await store.register(new, idempotencyKey: "20261129-020000-3fa2c1/register", at: clock.now)
/// ```
public struct NewVersion: Sendable, Hashable {
    /// The model's name (see ``RegistryNames/isValidModelName(_:)``); the model is created by its first version.
    public var model: String
    /// Evaluation results by name (`f1`, `auc`, …); every value must be finite.
    public var metrics: [String: Double]
    /// The training parameters, as a JSON object.
    public var params: [String: JSONValue]
    /// The content address of the model file: `sha256:<hex>`, as an `ArtifactStore` returns it.
    public var artifact: String
    /// The content hash of the training data, so two versions trained on the same data can be told apart.
    public var dataFingerprint: String
    /// The id of the run that produced the version.
    public var runID: String
    /// The pipeline of that run.
    public var pipeline: String
    /// The task that registered it.
    public var task: String
    /// The code or configuration version (a git commit, a config hash), when known.
    public var codeVersion: String?
    /// The model versions this one was built from.
    public var upstream: [UpstreamVersion]

    /// Creates a version to register.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - metrics: Evaluation results by name; finite numbers.
    ///   - params: Training parameters.
    ///   - artifact: The model file's reference, `sha256:<hex>`.
    ///   - dataFingerprint: The content hash of the training data.
    ///   - runID: The producing run's id.
    ///   - pipeline: The producing run's pipeline.
    ///   - task: The producing task's id.
    ///   - codeVersion: The code or configuration version, if known.
    ///   - upstream: The model versions it was built from.
    public init(
        model: String, metrics: [String: Double] = [:], params: [String: JSONValue] = [:], artifact: String,
        dataFingerprint: String, runID: String, pipeline: String, task: String, codeVersion: String? = nil,
        upstream: [UpstreamVersion] = []
    ) {
        self.model = model
        self.metrics = metrics
        self.params = params
        self.artifact = artifact
        self.dataFingerprint = dataFingerprint
        self.runID = runID
        self.pipeline = pipeline
        self.task = task
        self.codeVersion = codeVersion
        self.upstream = upstream
    }

    /// Checks everything a store requires before it writes anything.
    ///
    /// - Throws: ``RegistryError/invalidModelName(_:)`` for a bad model or upstream name,
    ///   ``RegistryError/invalidVersion(model:problem:)`` for a bad artifact, fingerprint, lineage or metric.
    public func validate() throws {
        try RegistryNames.checkModelName(model)
        func invalid(_ problem: String) -> RegistryError { .invalidVersion(model: model, problem: problem) }
        guard artifact.hasPrefix("sha256:"), artifact.count > "sha256:".count else {
            throw invalid(
                "the artifact '\(artifact)' is not a content reference; store the model file in the artifact store "
                    + "and pass the sha256:… it returns")
        }
        guard !dataFingerprint.isEmpty else {
            throw invalid("the data fingerprint is empty; pass the content hash of the training data")
        }
        for (name, value) in [("run id", runID), ("pipeline", pipeline), ("task", task)] where value.isEmpty {
            throw invalid("the \(name) is empty; say which run, pipeline and task produced the version")
        }
        for name in metrics.keys.sorted() where !metrics[name]!.isFinite {
            throw invalid("metric '\(name)' is \(metrics[name]!); metrics must be finite numbers")
        }
        for reference in upstream {
            try RegistryNames.checkModelName(reference.name)
            guard reference.version >= 1 else {
                throw invalid("upstream version \(reference) is not a version number; versions start at 1")
            }
        }
    }
}
