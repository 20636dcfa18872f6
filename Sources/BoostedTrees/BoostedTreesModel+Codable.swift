import Foundation

extension BoostedTreesModel: Codable {
    /// JSON keys of a model file (format_version 1):
    ///
    /// ```
    /// { "format_version": 1,
    ///   "params": { "objective": "binary:logistic", "n_estimators": 100, … },   // BoostingParameters
    ///   "base_score": 0.5,                     // probability (logistic) or value (regression)
    ///   "feature_names": ["age", …], "categorical_features": [false, …],
    ///   "best_iteration": null,                // or the kept best round with early stopping
    ///   "validation_loss": [ … ],
    ///   "trees": [ { "split_feature": [..], "threshold": [..], "default_left": [..], "left_child": [..],
    ///                "right_child": [..], "leaf_value": [..], "categories": [[..]], "split_gain": [..],
    ///                "cover": [..] } ] }
    /// ```
    /// Prediction = sigmoid(logit(base_score) + Σ leaf values) for logistic; base_score + Σ leaf values otherwise.
    /// Bin boundaries are not stored: trees carry real-valued thresholds.
    public enum CodingKeys: String, CodingKey {
        /// Integer format version.
        case formatVersion = "format_version"
        /// Training parameters.
        case parameters = "params"
        /// Base score.
        case baseScore = "base_score"
        /// Feature names.
        case featureNames = "feature_names"
        /// Categorical flags.
        case categoricalFeatures = "categorical_features"
        /// Best round kept by early stopping.
        case bestIteration = "best_iteration"
        /// Validation loss per round.
        case validationLoss = "validation_loss"
        /// The trees.
        case trees
    }

    /// Decodes a model, checking the format version first and then the trees against the feature schema.
    /// - Parameter decoder: The decoder.
    /// - Throws: ``BoostingError/unsupportedFormatVersion(found:supported:)`` or ``BoostingError/malformedModel(_:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw BoostingError.unsupportedFormatVersion(found: version, supported: Self.formatVersion)
        }
        let parameters = try c.decode(BoostingParameters.self, forKey: .parameters)
        let names = try c.decode([String].self, forKey: .featureNames)
        let categorical = try c.decode([Bool].self, forKey: .categoricalFeatures)
        let baseScore = try c.decode(Double.self, forKey: .baseScore)
        let trees = try c.decode([DecisionTree].self, forKey: .trees)
        guard names.count == categorical.count, Set(names).count == names.count else {
            throw BoostingError.malformedModel("feature_names and categorical_features disagree or names repeat")
        }
        let scoreOK = parameters.objective == .binaryLogistic ? (baseScore > 0 && baseScore < 1) : baseScore.isFinite
        guard scoreOK else { throw BoostingError.malformedModel("base_score \(baseScore) is out of range") }
        for (t, tree) in trees.enumerated() {
            for i in 0..<tree.nodeCount where tree.splitFeature[i] >= 0 {
                let f = tree.splitFeature[i]
                guard f < names.count else {
                    throw BoostingError.malformedModel("tree \(t) node \(i) splits on feature \(f) of \(names.count)")
                }
                guard categorical[f] == !tree.categories[i].isEmpty else {
                    throw BoostingError.malformedModel("tree \(t) node \(i) split kind does not match feature '\(names[f])'")
                }
            }
        }
        self.init(parameters: parameters, featureNames: names, categoricalFeatures: categorical, baseScore: baseScore,
                  trees: trees, bestIteration: try c.decodeIfPresent(Int.self, forKey: .bestIteration),
                  validationLoss: try c.decodeIfPresent([Double].self, forKey: .validationLoss) ?? [])
    }

    /// Encodes the model in format version ``formatVersion``.
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(baseScore, forKey: .baseScore)
        try c.encode(featureNames, forKey: .featureNames)
        try c.encode(categoricalFeatures, forKey: .categoricalFeatures)
        try c.encode(bestIteration, forKey: .bestIteration)
        try c.encode(validationLoss, forKey: .validationLoss)
        try c.encode(trees, forKey: .trees)
    }

    /// The model as JSON (sorted keys, so equal models give equal bytes).
    /// - Returns: UTF-8 JSON data.
    /// - Throws: An `EncodingError` (not expected for a fitted model).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Loads a model from JSON and optionally checks its feature names.
    /// - Parameters:
    ///   - data: JSON written by ``jsonData()``.
    ///   - expectedFeatureNames: When given, the model's feature names must equal these, in order.
    /// - Returns: The model.
    /// - Throws: ``BoostingError/unsupportedFormatVersion(found:supported:)``, ``BoostingError/featureCountMismatch(expected:found:)``,
    ///   ``BoostingError/featureNamesMismatch(index:expected:found:)``, or ``BoostingError/malformedModel(_:)``
    ///   (which also wraps JSON syntax and type errors).
    public static func load(from data: Data, expectedFeatureNames: [String]? = nil) throws -> BoostedTreesModel {
        let model: BoostedTreesModel
        do {
            model = try JSONDecoder().decode(BoostedTreesModel.self, from: data)
        } catch let error as BoostingError {
            throw error
        } catch {
            throw BoostingError.malformedModel(Self.describe(error))
        }
        if let expected = expectedFeatureNames {
            guard expected.count == model.featureNames.count else {
                throw BoostingError.featureCountMismatch(expected: model.featureNames.count, found: expected.count)
            }
            for (i, name) in expected.enumerated() where name != model.featureNames[i] {
                throw BoostingError.featureNamesMismatch(index: i, expected: model.featureNames[i], found: name)
            }
        }
        return model
    }
}

extension BoostedTreesModel {
    /// A JSON decoding failure as a short phrase: where in the file (a key path) and what was wrong, never the
    /// printed `DecodingError`.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        guard let error = error as? DecodingError else { return error.localizedDescription }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let location = path(context.codingPath)
            let what = context.debugDescription.hasSuffix(".") ? String(context.debugDescription.dropLast()) : context.debugDescription
            return (location.isEmpty ? "" : "at '\(location)': ") + what
        @unknown default:
            return "the JSON does not have the model's layout"
        }
    }
}
