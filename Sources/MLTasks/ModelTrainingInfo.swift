public import PipelineModel

/// The `training` section of a model file: where the model came from.
public struct ModelTrainingInfo: Sendable, Equatable, Codable {
    /// Training rows.
    public var rows: Int
    /// The artifact reference (`sha256:…`) of the training dataset.
    public var dataFingerprint: String
    /// The effective hyperparameters (defaults filled in).
    public var params: JSONValue
    /// When training finished, ISO-8601 UTC, from the run's clock.
    public var trainedAt: String
    /// Metrics measured at training time (`train_auc`, `train_logloss`), if any.
    public var metrics: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case rows, params, metrics
        case dataFingerprint = "data_fingerprint"
        case trainedAt = "trained_at"
    }

    /// Creates the section.
    /// - Parameters:
    ///   - rows: Training rows.
    ///   - dataFingerprint: Artifact reference of the training data.
    ///   - params: Effective hyperparameters.
    ///   - trainedAt: ISO-8601 time.
    ///   - metrics: Optional training metrics.
    public init(rows: Int, dataFingerprint: String, params: JSONValue, trainedAt: String, metrics: [String: Double]? = nil) {
        self.rows = rows
        self.dataFingerprint = dataFingerprint
        self.params = params
        self.trainedAt = trainedAt
        self.metrics = metrics
    }
}
