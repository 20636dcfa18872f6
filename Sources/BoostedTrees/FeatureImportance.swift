/// How ``BoostedTreesModel/featureImportance(_:)`` scores features (XGBoost's importance types).
public enum FeatureImportance: String, Sendable, Codable, CaseIterable {
    /// Average loss reduction of the feature's splits.
    case gain
    /// Total loss reduction of the feature's splits.
    case totalGain = "total_gain"
    /// Number of splits on the feature.
    case weight
}
