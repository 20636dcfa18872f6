/// `drift:` — fires when the production version's training data and current data drift apart.
///
/// The statistics are computed by a pluggable drift evaluator; the rule only describes what to compare.
public struct DriftRule: Sendable, Hashable, Codable {
    /// The registered model whose production version's training data is the reference.
    public var model: String
    /// The current data: a CSV file, folder or glob relative to the pipeline file.
    public var current: String
    /// The statistical method: `auto` (Evidently's defaults), or a named test such as `ks`, `psi`.
    public var method: String
    /// The share of drifted columns (0–1) at which the dataset counts as drifted. Default 0.5.
    public var share: Double

    /// Creates a rule.
    public init(model: String, current: String, method: String = "auto", share: Double = 0.5) {
        self.model = model
        self.current = current
        self.method = method
        self.share = share
    }
}
