public import PipelineModel

/// One observed value of a model version's metric in production (`kiln metrics push fraud f1=0.78`).
public struct MetricSample: Sendable, Hashable {
    /// The model's name.
    public var model: String
    /// The version the value was measured on.
    public var version: Int
    /// The metric's name (`f1`).
    public var metric: String
    /// The value.
    public var value: Double
    /// When it was measured.
    public var at: Timestamp

    /// Creates a sample.
    public init(model: String, version: Int, metric: String, value: Double, at: Timestamp) {
        self.model = model
        self.version = version
        self.metric = metric
        self.value = value
        self.at = at
    }
}
