/// `performance:` — fires when the mean of a production model's metric over a window falls below a threshold.
///
/// Samples are the values pushed with `kiln metrics push MODEL metric=value` for the model's production version.
public struct PerformanceRule: Sendable, Hashable, Codable {
    /// The registered model whose production version is watched.
    public var model: String
    /// The metric name (`f1`, `auc`, …).
    public var metric: String
    /// The threshold: the rule fires when the mean is strictly below it.
    public var below: Double
    /// How far back samples count (`24h`).
    public var window: String
    /// The fewest samples in the window for the rule to decide. Default 1.
    public var minSamples: Int

    /// Creates a rule.
    public init(model: String, metric: String, below: Double, window: String = "24h", minSamples: Int = 1) {
        self.model = model
        self.metric = metric
        self.below = below
        self.window = window
        self.minSamples = minSamples
    }

    private enum CodingKeys: String, CodingKey {
        case model, metric, below, window
        case minSamples = "min_samples"
    }
}
