/// Why training, prediction, or loading a boosted-trees model failed.
///
/// Every case's ``description`` says what is wrong and how to fix it.
public enum BoostingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The feature matrix could not be built; the message names the problem.
    case invalidFeatureMatrix(String)
    /// There are no training rows.
    case emptyTrainingSet
    /// The number of labels (or weights) differs from the number of rows.
    case countMismatch(what: String, expected: Int, found: Int)
    /// A label is NaN or infinite.
    case nonFiniteLabel(index: Int, value: Double)
    /// A classification label is not 0 or 1.
    case invalidClassLabel(index: Int, value: Double)
    /// All classification labels are the same class.
    case singleClassLabels(presentClass: Int)
    /// A sample weight is negative, NaN or infinite, or all weights are zero.
    case invalidWeight(index: Int, value: Double)
    /// A hyperparameter is out of range.
    case invalidParameter(name: String, value: String, expected: String)
    /// Parameter JSON had a key that is not a known parameter.
    case unknownParameter(name: String)
    /// Prediction data has a different number of features than the model.
    case featureCountMismatch(expected: Int, found: Int)
    /// Prediction data's feature names differ from the model's.
    case featureNamesMismatch(index: Int, expected: String, found: String)
    /// A feature is categorical in one place and numeric in the other.
    case featureKindMismatch(name: String, modelIsCategorical: Bool)
    /// The model JSON has a format version this code cannot read.
    case unsupportedFormatVersion(found: Int, supported: Int)
    /// The model JSON is structurally invalid.
    case malformedModel(String)
    /// Training was stopped because the caller's `shouldStop` returned true (e.g. the task was cancelled).
    case cancelled(round: Int)

    /// A sentence saying what is wrong and how to fix it.
    public var description: String {
        switch self {
        case let .invalidFeatureMatrix(message):
            return "Invalid feature matrix: \(message)"
        case .emptyTrainingSet:
            return "The training set has no rows; pass at least one row."
        case let .countMismatch(what, expected, found):
            return "Got \(found) \(what) for \(expected) rows; pass exactly one per row."
        case let .nonFiniteLabel(index, value):
            return "Label at row \(index) is \(value); drop or fix rows whose label is NaN or infinite."
        case let .invalidClassLabel(index, value):
            return "Label at row \(index) is \(value); binary:logistic needs labels 0 or 1 "
                + "(use reg:squarederror for real-valued targets)."
        case let .singleClassLabels(present):
            return "All labels are \(present); binary classification needs both classes in the training set."
        case let .invalidWeight(index, value):
            return "Sample weight at row \(index) is \(value); weights must be finite, ≥ 0, and not all zero."
        case let .invalidParameter(name, value, expected):
            return "Parameter \(name) = \(value) is invalid; expected \(expected)."
        case let .unknownParameter(name):
            return "Unknown parameter '\(name)'; valid names are \(BoostingParameters.parameterNames.joined(separator: ", "))."
        case let .featureCountMismatch(expected, found):
            return "The model was trained on \(expected) features but the data has \(found); "
                + "pass the same columns, in the same order, as in training."
        case let .featureNamesMismatch(index, expected, found):
            return "Feature \(index) is '\(found)' but the model expects '\(expected)'; "
                + "reorder or rename the columns to match training."
        case let .featureKindMismatch(name, modelIsCategorical):
            return "Feature '\(name)' is \(modelIsCategorical ? "categorical" : "numeric") in the model but not in "
                + "the data; mark it the same way as in training."
        case let .unsupportedFormatVersion(found, supported):
            return "Model format_version \(found) is not supported (this build reads version \(supported)); "
                + "retrain the model or load it with a matching Kiln version."
        case let .malformedModel(message):
            return "Malformed model JSON: \(message). The file may be truncated or edited; re-export it."
        case let .cancelled(round):
            return "Training was cancelled before boosting round \(round + 1); run it again to train the model."
        }
    }
}
