import Foundation

/// Trains gradient-boosted decision trees (XGBoost `hist` semantics) for binary classification or regression.
///
/// - Features are binned once (up to `max_bin` quantile bins per numeric feature, plus a missing-value bin).
/// - Trees grow depth-wise to `max_depth`; a split maximises G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), needs a
///   hessian sum ≥ `min_child_weight` on each side and a gain ≥ `gamma`; leaves get −G/(H+λ)·`learning_rate`.
/// - Missing values: each split learns whether they go left or right (the better of the two).
/// - Categorical features: partition splits — present categories sorted by G/(H+λ), best prefix goes left;
///   categories never seen in the node go right.
/// - Logistic loss starts from `base_score` 0.5 (margin 0); squared error from the weighted label mean.
/// - Deterministic: same seed ⇒ identical model, whatever `threads` is.
///
/// ```swift
/// var p = BoostingParameters()
/// p.nEstimators = 100; p.maxDepth = 6; p.learningRate = 0.3
/// let model = try GradientBoostedTrees(parameters: p).fit(x, labels: y)
/// let probabilities = try model.predict(xTest)
/// ```
public struct GradientBoostedTrees: Sendable {
    /// The hyperparameters used by ``fit(_:labels:weights:validation:)``.
    public var parameters: BoostingParameters

    /// Creates a trainer.
    /// - Parameter parameters: Hyperparameters; validated when fitting.
    public init(parameters: BoostingParameters = BoostingParameters()) {
        self.parameters = parameters
    }

    /// Held-out data for early stopping.
    public struct ValidationSet: Sendable {
        /// Features with the same columns as the training matrix.
        public var features: FeatureMatrix
        /// Labels (same rules as training labels).
        public var labels: [Double]
        /// Optional sample weights.
        public var weights: [Double]?

        /// Creates a validation set.
        /// - Parameters:
        ///   - features: Features with the training matrix's columns.
        ///   - labels: One label per row.
        ///   - weights: Optional non-negative weights.
        public init(features: FeatureMatrix, labels: [Double], weights: [Double]? = nil) {
            self.features = features
            self.labels = labels
            self.weights = weights
        }
    }

    /// Fits a model.
    /// - Parameters:
    ///   - features: Training features (NaN = missing; categorical columns flagged).
    ///   - labels: 0/1 for `binary:logistic`, real values for `reg:squarederror`.
    ///   - weights: Optional sample weights (finite, ≥ 0, not all 0).
    ///   - validation: Held-out set scored after every round (log loss or RMSE); with `early_stopping_rounds`
    ///     training stops after that many rounds without improvement and the model keeps the best rounds only.
    ///   - shouldStop: Asked before every boosting round (and before binning); when it returns `true`, training
    ///     stops with ``BoostingError/cancelled(round:)``. Pass a check of a cancellation flag to make long
    ///     training stop promptly.
    /// - Returns: The fitted model.
    /// - Throws: ``BoostingError`` for invalid parameters, empty data, NaN/infinite or non-0/1 labels, a single
    ///   class, bad weights, a validation set whose columns differ, or cancellation.
    public func fit(_ features: FeatureMatrix, labels: [Double], weights: [Double]? = nil,
                    validation: ValidationSet? = nil,
                    shouldStop: (@Sendable () -> Bool)? = nil) throws -> BoostedTreesModel {
        let p = parameters
        try p.validate()
        try Self.checkTrainingInputs(features, labels: labels, weights: weights, objective: p.objective)
        if let validation {
            try Self.checkColumns(of: validation.features, names: features.names, categorical: features.isCategorical)
            try Self.checkTrainingInputs(validation.features, labels: validation.labels, weights: validation.weights,
                                         objective: p.objective, requireBothClasses: false)
        }
        if shouldStop?() == true { throw BoostingError.cancelled(round: 0) }
        let threads = p.effectiveThreads
        let n = features.rowCount
        let binned = BinnedMatrix(features, maxBin: p.maxBin, threads: threads)
        let baseScore = p.baseScore ?? Self.defaultBaseScore(labels: labels, weights: weights, objective: p.objective)
        let baseMargin = p.objective == .binaryLogistic ? log(baseScore / (1 - baseScore)) : baseScore
        let rowWeights = Self.effectiveWeights(labels: labels, weights: weights, parameters: p)

        var margins = [Double](repeating: baseMargin, count: n)
        var gradients = [SIMD2<Float>](repeating: .zero, count: n)
        var rowScratch = [Int32](repeating: 0, count: n)
        var gradientScratch = [SIMD2<Float>](repeating: .zero, count: n)
        var rng = SplitMix64(seed: p.seed)
        let grower = TreeGrower(binned: binned, parameters: p, threads: threads)
        var validationMargins = validation.map { [Double](repeating: baseMargin, count: $0.features.rowCount) }
        var validationLoss: [Double] = []
        var bestRound = -1, bestLoss = Double.infinity
        var trees: [DecisionTree] = []

        for round in 0..<p.nEstimators {
            if shouldStop?() == true { throw BoostingError.cancelled(round: round) }
            Self.computeGradients(margins: margins, labels: labels, weights: rowWeights, objective: p.objective,
                                  into: &gradients, threads: threads)
            var treeRows: [Int32]
            if p.subsample < 1 {
                treeRows = []
                treeRows.reserveCapacity(Int(Double(n) * p.subsample) + 16)
                for i in 0..<n where rng.nextUnit() < p.subsample { treeRows.append(Int32(i)) }
            } else {
                treeRows = Array(0..<Int32(n))
            }
            if treeRows.count < n {
                // Keep the sampled rows' gradients only, in row order (treeRows[k] >= k, so in place).
                for (k, r) in treeRows.enumerated() { gradients[k] = gradients[Int(r)] }
            }
            let featureSample = Self.sampleFeatures(count: features.columnCount, fraction: p.colsampleBytree, rng: &rng)
            // `gradients` is reordered with the rows; it is recomputed in row order at the next round.
            let (nodes, leaves) = grower.grow(gradients: &gradients, rows: &treeRows, rowScratch: &rowScratch,
                                              gradientScratch: &gradientScratch, features: featureSample)
            if treeRows.count == n {
                // Every row is in exactly one range: add leaf values without walking the tree.
                grower.addLeafValues(nodes: nodes, ranges: leaves, rows: treeRows, to: &margins)
            } else {
                Self.addTree(nodes, binned: binned, to: &margins, threads: threads)
            }
            let tree = DecisionTree(nodes: nodes, cuts: binned.cuts)
            trees.append(tree)

            if let validation, var vm = validationMargins {
                for r in 0..<validation.features.rowCount {
                    vm[r] += tree.leaf { validation.features[r, $0] }
                }
                validationMargins = vm
                let loss = Self.loss(margins: vm, labels: validation.labels, weights: validation.weights,
                                     objective: p.objective)
                validationLoss.append(loss)
                if loss < bestLoss {
                    bestLoss = loss
                    bestRound = round
                }
                if let patience = p.earlyStoppingRounds, round - bestRound >= patience { break }
            }
        }
        var bestIteration: Int?
        if validation != nil, p.earlyStoppingRounds != nil, bestRound >= 0 {
            bestIteration = bestRound
            trees = Array(trees.prefix(bestRound + 1))
        }
        // The thread count changes how fast a model is fitted, never the model: it is not kept, so a model (and its
        // JSON) is the same whatever `threads` was.
        var kept = p
        kept.threads = 0
        return BoostedTreesModel(parameters: kept, featureNames: features.names,
                                 categoricalFeatures: features.isCategorical, baseScore: baseScore,
                                 trees: trees, bestIteration: bestIteration, validationLoss: validationLoss)
    }
}
