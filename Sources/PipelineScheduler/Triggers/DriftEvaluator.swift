public import PipelineModel

/// Computes drift between a production model's training data and current data: the plug-in point for the drift
/// statistics library. The trigger daemon is given one (or none, and then `drift:` rules never fire).
public protocol DriftEvaluator: Sendable {
    /// Compares the training data of `rule.model`'s production version with the data at `rule.current`.
    ///
    /// - Parameters:
    ///   - rule: The rule (model, current data, method, share).
    ///   - baseDirectory: The pipeline file's folder; `rule.current` is relative to it.
    ///   - at: The evaluation time.
    /// - Returns: The share of drifted columns and a description.
    func evaluate(_ rule: DriftRule, baseDirectory: String, at: Timestamp) async throws -> DriftVerdict
}
