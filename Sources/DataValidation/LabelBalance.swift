import Tabular
/// Bounds on class shares of the label column, decoded from `{"min": 0.1, "max": 0.9, "positive": "1"}`.
///
/// Shares are fractions of the non-null label values. Without `positive` every class present must have a
/// share within the bounds; with `positive` only that class (compared as text) is checked, and a positive
/// class that never occurs has share 0.
public struct LabelBalance: Codable, Sendable, Equatable {
    /// The smallest allowed share, in `0...1`.
    public var min: Double?
    /// The largest allowed share, in `0...1`.
    public var max: Double?
    /// The class to check, as text (e.g. `"1"`); `nil` checks every class.
    public var positive: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case min, max, positive
    }

    /// Creates label balance bounds.
    /// - Parameters:
    ///   - min: The smallest allowed share.
    ///   - max: The largest allowed share.
    ///   - positive: The class to check, or `nil` for every class.
    public init(min: Double? = nil, max: Double? = nil, positive: String? = nil) {
        self.min = min
        self.max = max
        self.positive = positive
    }

    /// Decodes bounds, rejecting unknown keys and shares outside `0...1`.
    /// - Parameters:
    ///   - decoder: The decoder.
    /// - Throws: `DecodingError` for unknown keys or invalid shares.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "label_balance")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        min = try container.decodeIfPresent(Double.self, forKey: .min)
        max = try container.decodeIfPresent(Double.self, forKey: .max)
        positive = try container.decodeIfPresent(String.self, forKey: .positive)
        for bound in [min, max].compactMap({ $0 }) {
            try decoder.require((0...1).contains(bound), "label_balance: share \(bound) must be a fraction in 0...1")
        }
        if let min, let max {
            try decoder.require(min <= max, "label_balance: min \(min) is greater than max \(max)")
        }
    }
}
