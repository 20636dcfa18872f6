/// The learning algorithm of a model file (`algorithm` in the file, and the `train` kind's input).
public enum ModelAlgorithm: String, Sendable, Codable, CaseIterable {
    /// Gradient-boosted decision trees (``BoostedTreesModel``), XGBoost-style parameters.
    case gbdt
    /// L2-regularised logistic regression (``LogisticRegressionModel``).
    case logistic
}
