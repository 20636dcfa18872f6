/// The result of a drift comparison.
public struct DriftVerdict: Sendable, Hashable {
    /// The share (0–1) of columns whose distribution drifted.
    public var driftedShare: Double
    /// Details for the evidence text, e.g. `4 of 6 columns (ks, wasserstein)`.
    public var detail: String
    /// The whole evidence after `drift: ` when the evaluator words it itself, e.g.
    /// `9/16 columns drifted (share 0.56 ≥ 0.5): temp wasserstein 0.41, …`; `nil` = the generic wording with
    /// ``detail``.
    public var evidence: String?

    /// Creates a verdict.
    /// - Parameters:
    ///   - driftedShare: The share (0–1) of drifted columns.
    ///   - detail: Details for the generic evidence text.
    ///   - evidence: The evaluator's own evidence text (without the `drift: ` prefix), or `nil`.
    public init(driftedShare: Double, detail: String, evidence: String? = nil) {
        self.driftedShare = driftedShare
        self.detail = detail
        self.evidence = evidence
    }
}
