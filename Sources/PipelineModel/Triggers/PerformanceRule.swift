/// `performance:` — fires when a production model's metric falls below a threshold.
///
/// Without `data`, the metric is the mean of the samples pushed with `kiln metrics push MODEL metric=value` for the
/// model's production version in the window. With `data`, Kiln measures it itself: it scores the labelled rows that
/// arrived in the window (files modified in it, or rows whose `time_column` falls in it) with the production version,
/// records the figure as a metric sample, and compares it.
public struct PerformanceRule: Sendable, Hashable, Codable {
    /// The registered model whose production version is watched.
    public var model: String
    /// The metric name (`f1`, `auc`, …).
    public var metric: String
    /// The threshold: the rule fires when the figure is strictly below it.
    public var below: Double
    /// How far back samples (or labelled rows) count (`24h`).
    public var window: String
    /// The fewest samples (with `data`: labelled rows) in the window for the rule to decide. Default 1.
    public var minSamples: Int
    /// Labelled data to evaluate on: a CSV file, folder or glob relative to the pipeline file; `nil` = pushed
    /// samples.
    public var data: String?
    /// With `data`: the column holding each row's time (ISO 8601 text or seconds since 1970); `nil` = a file's rows
    /// count when the file was modified in the window.
    public var timeColumn: String?

    /// Creates a rule.
    public init(
        model: String, metric: String, below: Double, window: String = "24h", minSamples: Int = 1,
        data: String? = nil, timeColumn: String? = nil
    ) {
        self.model = model
        self.metric = metric
        self.below = below
        self.window = window
        self.minSamples = minSamples
        self.data = data
        self.timeColumn = timeColumn
    }

    private enum CodingKeys: String, CodingKey {
        case model, metric, below, window, data
        case minSamples = "min_samples"
        case timeColumn = "time_column"
    }
}
