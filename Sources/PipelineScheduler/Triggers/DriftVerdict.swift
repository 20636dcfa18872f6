/// The result of a drift comparison.
public struct DriftVerdict: Sendable, Hashable {
    /// The share (0–1) of columns whose distribution drifted.
    public var driftedShare: Double
    /// Details for the evidence text, e.g. `4 of 6 columns (ks, wasserstein)`.
    public var detail: String

    /// Creates a verdict.
    public init(driftedShare: Double, detail: String) {
        self.driftedShare = driftedShare
        self.detail = detail
    }
}
