import Foundation
import Tabular

/// A data contract checked by ``validate(_:)``, decoded from snake_case JSON:
///
/// ```json
/// {
///   "min_rows": 1000,
///   "max_null_ratio": 0.1,
///   "columns": {
///     "age":    {"type": "int", "min": 0, "max": 120, "max_null_ratio": 0.0},
///     "amount": {"type": "double", "max_null_ratio": 0.05},
///     "color":  {"allowed": ["red", "green"], "required": false},
///     "id":     {"unique": true}
///   },
///   "label": "label",
///   "label_balance": {"min": 0.05, "max": 0.95}
/// }
/// ```
///
/// All keys are optional; unknown keys are rejected so typos do not silently disable a check.
/// Ratios and shares are fractions (`0.05` = 5 %). `max_null_ratio` at the top level bounds the share of
/// null cells in the whole table (0 for an empty table).
public struct ValidationRules: Codable, Sendable, Equatable {
    /// The smallest acceptable number of rows.
    public var minRows: Int?
    /// The largest acceptable share of null cells over the whole table.
    public var maxNullRatio: Double?
    /// Per-column checks keyed by column name.
    public var columns: [String: ColumnRule]?
    /// The label column name; it must exist when set.
    public var label: String?
    /// Class share bounds for the label column.
    public var labelBalance: LabelBalance?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minRows = "min_rows"
        case maxNullRatio = "max_null_ratio"
        case columns, label
        case labelBalance = "label_balance"
    }

    /// Creates rules.
    /// - Parameters:
    ///   - minRows: The smallest acceptable row count.
    ///   - maxNullRatio: The largest acceptable null-cell share of the table.
    ///   - columns: Per-column checks.
    ///   - label: The label column.
    ///   - labelBalance: Class share bounds for the label.
    public init(
        minRows: Int? = nil, maxNullRatio: Double? = nil, columns: [String: ColumnRule]? = nil,
        label: String? = nil, labelBalance: LabelBalance? = nil
    ) {
        self.minRows = minRows
        self.maxNullRatio = maxNullRatio
        self.columns = columns
        self.label = label
        self.labelBalance = labelBalance
    }

    /// Decodes rules, rejecting unknown keys and invalid limits.
    /// - Parameters:
    ///   - decoder: The decoder.
    /// - Throws: `DecodingError` describing the offending key or value.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "rules")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minRows = try container.decodeIfPresent(Int.self, forKey: .minRows)
        maxNullRatio = try container.decodeIfPresent(Double.self, forKey: .maxNullRatio)
        columns = try container.decodeIfPresent([String: ColumnRule].self, forKey: .columns)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        labelBalance = try container.decodeIfPresent(LabelBalance.self, forKey: .labelBalance)
        try decoder.require((minRows ?? 0) >= 0, "rules: min_rows must not be negative")
        if let maxNullRatio {
            try decoder.require((0...1).contains(maxNullRatio),
                                "rules: max_null_ratio \(maxNullRatio) must be a fraction in 0...1 (10 % is 0.1)")
        }
        try decoder.require(labelBalance == nil || label != nil, "rules: label_balance needs a \"label\" column name")
    }

    /// Decodes rules from JSON text, turning decoding failures into a readable ``ValidationRulesError``.
    /// - Parameters:
    ///   - json: UTF-8 JSON.
    /// - Throws: ``ValidationRulesError`` naming the key path and the problem.
    public init(json: Data) throws {
        do {
            self = try JSONDecoder().decode(ValidationRules.self, from: json)
        } catch let error as DecodingError {
            throw ValidationRulesError(error)
        }
    }
}
