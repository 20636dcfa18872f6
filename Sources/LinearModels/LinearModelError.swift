/// Why fitting or using a logistic regression failed. ``description`` says what is wrong and how to fix it.
public enum LinearModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No rows or no columns.
    case emptyInput
    /// Columns, labels or weights have inconsistent lengths.
    case countMismatch(what: String, expected: Int, found: Int)
    /// A feature value is NaN or infinite.
    case nonFiniteFeature(column: Int, row: Int)
    /// A label is not exactly 0 or 1 (NaN and infinity included).
    case invalidLabel(index: Int, value: Double)
    /// All labels are one class.
    case singleClassLabels(presentClass: Int)
    /// A weight is negative, NaN or infinite, or all are zero.
    case invalidWeight(index: Int, value: Double)
    /// A setting is out of range.
    case invalidParameter(name: String, value: Double, expected: String)
    /// The Hessian was not positive definite (e.g. collinear columns with `l2` = 0).
    case singularHessian
    /// Prediction data's columns differ from training.
    case featureCountMismatch(expected: Int, found: Int)
    /// The model JSON has an unsupported version or is malformed.
    case malformedModel(String)
    /// Fitting was stopped because the caller's `shouldStop` returned true (e.g. the task was cancelled).
    case cancelled(iteration: Int)

    /// A sentence saying what is wrong and how to fix it.
    public var description: String {
        switch self {
        case .emptyInput:
            return "No rows or no feature columns were given; pass at least one row and one column."
        case let .countMismatch(what, expected, found):
            return "Got \(found) \(what) where \(expected) were expected; pass one per row (all columns equally long)."
        case let .nonFiniteFeature(column, row):
            return "Feature column \(column) has NaN or infinity at row \(row); impute missing values before fitting."
        case let .invalidLabel(index, value):
            return "Label at row \(index) is \(value); logistic regression needs labels 0 or 1."
        case let .singleClassLabels(present):
            return "All labels are \(present); logistic regression needs both classes."
        case let .invalidWeight(index, value):
            return "Weight at row \(index) is \(value); weights must be finite, ≥ 0 and not all zero."
        case let .invalidParameter(name, value, expected):
            return "\(name) = \(value) is invalid; expected \(expected)."
        case .singularHessian:
            return "The Hessian is singular (collinear or constant columns with no L2 penalty); use l2 > 0 "
                + "or drop redundant columns."
        case let .featureCountMismatch(expected, found):
            return "The model has \(expected) features but the data has \(found); pass the training columns in order."
        case let .malformedModel(message):
            return "Cannot load logistic regression model: \(message)."
        case let .cancelled(iteration):
            return "Fitting was cancelled at Newton iteration \(iteration + 1); run it again to fit the model."
        }
    }
}
