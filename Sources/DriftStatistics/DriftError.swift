/// Why a drift statistic could not be computed. ``description`` says what is wrong and how to fix it.
public enum DriftError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sample has no non-missing values.
    case emptySample(column: String, which: String)
    /// Reference and current tables have different columns.
    case columnMismatch(String)
    /// A value is infinite (NaN is treated as missing and ignored).
    case nonFiniteValue(column: String, value: Double)
    /// A threshold or option is out of range.
    case invalidOption(String)
    /// The comparison was stopped because the caller's `shouldStop` returned true (e.g. the task was cancelled).
    case cancelled

    /// A sentence saying what is wrong and how to fix it.
    public var description: String {
        switch self {
        case let .emptySample(column, which):
            return "Column '\(column)' has no non-missing values in the \(which) data; drop the column or supply data."
        case let .columnMismatch(message):
            return "Reference and current columns differ: \(message). Pass the same columns to both sides."
        case let .nonFiniteValue(column, value):
            return "Column '\(column)' contains \(value); replace infinite values (NaN is treated as missing)."
        case let .invalidOption(message):
            return "Invalid drift option: \(message)."
        case .cancelled:
            return "The drift comparison was cancelled; run it again to get the report."
        }
    }
}
