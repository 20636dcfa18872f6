import Tabular

/// Checks for one column, decoded from `{"type", "required", "min", "max", "allowed", "unique", "max_null_ratio"}`.
///
/// Every key is optional. `required` defaults to `true`: a column named in the rules must exist unless
/// `"required": false`, in which case its other checks run only when it is present. A `double` type
/// also accepts an `int` column. `allowed` compares the text form of values (`"1"`, `"true"`, `"red"`).
public struct ColumnRule: Codable, Sendable, Equatable {
    /// The expected column type.
    public var type: ColumnType?
    /// Whether the column must exist (default `true`).
    public var required: Bool?
    /// The smallest allowed value (numeric columns).
    public var min: Double?
    /// The largest allowed value (numeric columns).
    public var max: Double?
    /// The allowed values, compared as text.
    public var allowed: [String]?
    /// Whether non-null values must be distinct.
    public var unique: Bool?
    /// The largest allowed share of null rows, in `0...1`.
    public var maxNullRatio: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, required, min, max, allowed, unique
        case maxNullRatio = "max_null_ratio"
    }

    /// Creates a column rule.
    /// - Parameters:
    ///   - type: The expected type.
    ///   - required: Whether the column must exist (`nil` means `true`).
    ///   - min: The smallest allowed value.
    ///   - max: The largest allowed value.
    ///   - allowed: The allowed values as text.
    ///   - unique: Whether values must be distinct.
    ///   - maxNullRatio: The largest allowed null share.
    public init(
        type: ColumnType? = nil, required: Bool? = nil, min: Double? = nil, max: Double? = nil,
        allowed: [String]? = nil, unique: Bool? = nil, maxNullRatio: Double? = nil
    ) {
        self.type = type
        self.required = required
        self.min = min
        self.max = max
        self.allowed = allowed
        self.unique = unique
        self.maxNullRatio = maxNullRatio
    }

    /// Decodes a rule, rejecting unknown keys and inconsistent limits.
    /// - Parameters:
    ///   - decoder: The decoder.
    /// - Throws: `DecodingError` for unknown keys, a ratio outside `0...1` or `min > max`.
    public init(from decoder: any Decoder) throws {
        let context = "column rule " + decoder.codingPath.map(\.stringValue).joined(separator: ".")
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: context)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(ColumnType.self, forKey: .type)
        required = try container.decodeIfPresent(Bool.self, forKey: .required)
        min = try container.decodeIfPresent(Double.self, forKey: .min)
        max = try container.decodeIfPresent(Double.self, forKey: .max)
        allowed = try container.decodeIfPresent([String].self, forKey: .allowed)
        unique = try container.decodeIfPresent(Bool.self, forKey: .unique)
        maxNullRatio = try container.decodeIfPresent(Double.self, forKey: .maxNullRatio)
        if let min, let max {
            try decoder.require(min <= max, "\(context): min \(min) is greater than max \(max); swap them")
        }
        if let maxNullRatio {
            try decoder.require((0...1).contains(maxNullRatio),
                                "\(context): max_null_ratio \(maxNullRatio) must be a fraction in 0...1 (5 % is 0.05)")
        }
    }
}
