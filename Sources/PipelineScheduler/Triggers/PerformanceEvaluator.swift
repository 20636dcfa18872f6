public import PipelineModel

/// A metric measured on labelled rows: what a `performance:` rule with `data:` compares with its threshold.
public struct LabelledMeasurement: Sendable, Hashable {
    /// The metric's value (meaningless when ``rows`` is 0).
    public var value: Double
    /// How many labelled rows it was measured on.
    public var rows: Int

    /// Creates a measurement.
    /// - Parameters:
    ///   - value: The metric's value.
    ///   - rows: The labelled rows measured.
    public init(value: Double, rows: Int) {
        self.value = value
        self.rows = rows
    }
}

/// Measures a production model on newly labelled data: the plug-in point for `performance:` rules with `data:`.
/// The trigger daemon is given one (or none, and then such rules never fire and say so).
public protocol PerformanceEvaluator: Sendable {
    /// Scores the labelled rows of `rule.data` that arrived in the window ending at `at` with version `version` of
    /// `rule.model`, and measures `rule.metric` on them.
    ///
    /// - Parameters:
    ///   - rule: The rule (model, metric, data, window, time column).
    ///   - version: The production version to score with.
    ///   - baseDirectory: The pipeline file's folder; `rule.data` is relative to it.
    ///   - at: The evaluation time (the window ends here).
    /// - Returns: The figure and the number of rows (0 rows: nothing arrived in the window).
    /// - Throws: What makes the data unusable (unreadable, missing label, a column the model needs).
    func measure(_ rule: PerformanceRule, version: Int, baseDirectory: String, at: Timestamp) async throws
        -> LabelledMeasurement
}
