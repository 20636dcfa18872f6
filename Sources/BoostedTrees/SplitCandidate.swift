/// The best split found for one node.
struct SplitCandidate: Sendable {
    /// Loss reduction G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ).
    var gain: Double
    var feature: Int
    /// Numeric: left iff bin ≤ splitBin.
    var splitBin: Int
    /// Categorical: left iff code in the mask.
    var categories: CategoryMask?
    var defaultLeft: Bool
    var leftG: Double
    var leftH: Double
}
