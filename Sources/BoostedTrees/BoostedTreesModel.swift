import Foundation

/// A fitted gradient-boosted trees model: parameters, feature schema, base score and trees.
///
/// Serialise with ``jsonData()`` and restore with ``load(from:expectedFeatureNames:)``; the JSON layout is
/// documented on ``BoostedTreesModel/CodingKeys`` and versioned by ``formatVersion``.
public struct BoostedTreesModel: Sendable, Equatable {
    /// The JSON format version this build writes and reads.
    public static let formatVersion = 1

    /// The parameters the model was trained with; `threads` is always 0 in a fitted model (it never changes the
    /// model, so the same data and parameters give the same model and JSON for any thread count).
    public let parameters: BoostingParameters
    /// Training feature names, in column order.
    public let featureNames: [String]
    /// Training categorical flags, in column order.
    public let categoricalFeatures: [Bool]
    /// Initial prediction: a probability for logistic, a value for regression.
    public let baseScore: Double
    /// The trees, in boosting order.
    public let trees: [DecisionTree]
    /// With early stopping: the 0-based round with the best validation loss (the model keeps rounds 0…best).
    public let bestIteration: Int?
    /// Validation loss after each round (log loss or RMSE); empty without a validation set.
    public let validationLoss: [Double]
    /// The trees flattened for scoring, built once with the model (a served model scores many small batches).
    let forest: ForestLayout

    /// The margin every prediction starts from: logit(`baseScore`) for logistic, `baseScore` for regression.
    public var baseMargin: Double {
        parameters.objective == .binaryLogistic ? log(baseScore / (1 - baseScore)) : baseScore
    }

    /// Creates a model from its parts (used by the trainer and the decoder).
    init(parameters: BoostingParameters, featureNames: [String], categoricalFeatures: [Bool], baseScore: Double,
         trees: [DecisionTree], bestIteration: Int?, validationLoss: [Double]) {
        self.parameters = parameters
        self.featureNames = featureNames
        self.categoricalFeatures = categoricalFeatures
        self.baseScore = baseScore
        self.trees = trees
        self.bestIteration = bestIteration
        self.validationLoss = validationLoss
        self.forest = ForestLayout(trees: trees)
    }

    /// Models are equal when their parts are (the scoring layout follows from the trees).
    public static func == (lhs: BoostedTreesModel, rhs: BoostedTreesModel) -> Bool {
        lhs.parameters == rhs.parameters && lhs.featureNames == rhs.featureNames
            && lhs.categoricalFeatures == rhs.categoricalFeatures && lhs.baseScore == rhs.baseScore
            && lhs.trees == rhs.trees && lhs.bestIteration == rhs.bestIteration
            && lhs.validationLoss == rhs.validationLoss
    }
}
