import Foundation

/// The outcome of checking a frame against ``ValidationRules``; encodes to snake_case JSON:
/// `{"passed", "rows", "columns", "null_ratio", "null_ratios", "violations": [{"rule", "column", "message", "actual", "limit"}]}`.
public struct ValidationReport: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Whether no rule was violated.
    public var passed: Bool
    /// The number of rows checked.
    public var rows: Int
    /// The number of columns checked.
    public var columns: Int
    /// The share of null cells over the whole table (0 for an empty table).
    public var nullRatio: Double
    /// The share of null rows per column (0 for an empty table).
    public var nullRatios: [String: Double]
    /// Every violation found, table rules first, then columns by name, then the label.
    public var violations: [Violation]

    enum CodingKeys: String, CodingKey {
        case passed, rows, columns, violations
        case nullRatio = "null_ratio"
        case nullRatios = "null_ratios"
    }

    /// Creates a report; `passed` is true exactly when `violations` is empty.
    /// - Parameters:
    ///   - rows: The row count.
    ///   - columns: The column count.
    ///   - nullRatio: The table null share.
    ///   - nullRatios: The per-column null shares.
    ///   - violations: The violations found.
    public init(rows: Int, columns: Int, nullRatio: Double, nullRatios: [String: Double], violations: [Violation]) {
        self.passed = violations.isEmpty
        self.rows = rows
        self.columns = columns
        self.nullRatio = nullRatio
        self.nullRatios = nullRatios
        self.violations = violations
    }

    /// Pretty-printed JSON with sorted keys.
    /// - Throws: `EncodingError` (not expected for finite numbers).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// `passed` or `failed` with one violation message per line.
    public var description: String {
        let head = "validation \(passed ? "passed" : "failed"): \(rows) rows, \(columns) columns"
        return ([head] + violations.map { "  - " + $0.message }).joined(separator: "\n")
    }
}
