/// An input problem that makes a binary classification metric undefined.
///
/// Every case's ``description`` says what is wrong and how to fix it.
public enum MetricsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No samples were given.
    case emptyInput
    /// `labels` and `scores` (or `weights`) have different lengths.
    case lengthMismatch(labels: Int, scores: Int)
    /// A label is not exactly 0 or 1.
    case invalidLabel(index: Int, value: Double)
    /// A score is NaN or infinite.
    case nonFiniteScore(index: Int, value: Double)
    /// A probability is outside [0, 1] (log loss only).
    case probabilityOutOfRange(index: Int, value: Double)
    /// Only one class is present, so the metric (ROC AUC, average precision) is undefined.
    case singleClass(presentClass: Double)

    /// A sentence saying what is wrong and how to fix it.
    public var description: String {
        switch self {
        case .emptyInput:
            return "No samples were given; pass at least one label/score pair."
        case let .lengthMismatch(labels, scores):
            return "labels has \(labels) entries but scores has \(scores); pass arrays of equal length."
        case let .invalidLabel(index, value):
            return "Label at index \(index) is \(value); binary metrics need labels that are exactly 0 or 1."
        case let .nonFiniteScore(index, value):
            return "Score at index \(index) is \(value); replace NaN/infinite scores before computing metrics."
        case let .probabilityOutOfRange(index, value):
            return "Probability at index \(index) is \(value); log loss needs probabilities in [0, 1]."
        case let .singleClass(present):
            return "Only class \(Int(present)) is present in labels; this metric needs both classes. "
                + "Evaluate on a sample that contains positives and negatives."
        }
    }
}
