public import BoostedTrees
public import LinearModels

/// The fitted estimator inside a model file.
public enum ModelEstimator: Sendable, Equatable {
    /// Gradient-boosted trees.
    case gbdt(BoostedTreesModel)
    /// Logistic regression.
    case logistic(LogisticRegressionModel)

    /// The algorithm of this estimator.
    public var algorithm: ModelAlgorithm {
        switch self {
        case .gbdt: return .gbdt
        case .logistic: return .logistic
        }
    }

    /// Whether each feature is categorical (codes), in feature order.
    var categoricalFlags: [Bool] {
        switch self {
        case .gbdt(let model): return model.categoricalFeatures
        case .logistic(let model): return Array(repeating: false, count: model.featureNames.count)
        }
    }

    /// Probabilities of class 1 for the given feature columns (NaN = missing).
    func predict(columns: [[Double]], names: [String]) throws -> [Double] {
        switch self {
        case .gbdt(let model):
            let matrix = try FeatureMatrix(columns: columns, names: names, isCategorical: model.categoricalFeatures)
            return try model.predict(matrix)
        case .logistic(let model):
            for (index, column) in columns.enumerated() {
                if let row = column.firstIndex(where: { !$0.isFinite }) {
                    throw ModelFileError("feature '\(names[index])' is missing or not finite at row \(row); "
                        + "logistic models need a value in every row (fill it, or add a fill_missing transform)")
                }
            }
            return try model.predictProbability(columns: columns)
        }
    }
}
