/// One failed check, with the measured value and the limit it broke.
public struct Violation: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The rule key that failed: `min_rows`, `max_null_ratio`, `required`, `type`, `min`, `max`, `allowed`,
    /// `unique`, `label` or `label_balance`.
    public var rule: String
    /// The column concerned, `nil` for table-wide rules.
    public var column: String?
    /// A human-readable message with numbers, e.g. `column amount: 7.2 % null > 5 % allowed`.
    public var message: String
    /// The measured value (row count, ratio, count of bad values, share), when numeric.
    public var actual: Double?
    /// The limit that was broken, when numeric.
    public var limit: Double?

    /// Creates a violation.
    /// - Parameters:
    ///   - rule: The rule key.
    ///   - column: The column, or `nil`.
    ///   - message: The message.
    ///   - actual: The measured value.
    ///   - limit: The broken limit.
    public init(rule: String, column: String? = nil, message: String, actual: Double? = nil, limit: Double? = nil) {
        self.rule = rule
        self.column = column
        self.message = message
        self.actual = actual
        self.limit = limit
    }

    /// The message.
    public var description: String { message }
}
