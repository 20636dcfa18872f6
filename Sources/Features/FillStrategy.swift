/// How `fill_missing` chooses the replacement for nulls.
public enum FillStrategy: String, Codable, Sendable {
    /// A fixed `value` from the spec.
    case constant
    /// The mean of the fit column's finite values (numeric columns; the result is a double column).
    case mean
    /// The median of the fit column's finite values (numeric columns; the result is a double column).
    case median
    /// The most frequent value of the fit column (ties: the smallest value).
    case mostFrequent = "most_frequent"
}
