/// Parameters of `ratio`: `{"numerator", "denominator", "as"}`.
public struct RatioSpec: Codable, Sendable, Equatable {
    /// The dividend column.
    public var numerator: String
    /// The divisor column.
    public var denominator: String
    /// The output column.
    public var output: String

    enum CodingKeys: String, CodingKey {
        case numerator, denominator
        case output = "as"
    }

    /// Creates parameters.
    /// - Parameters:
    ///   - numerator: The dividend column.
    ///   - denominator: The divisor column.
    ///   - output: The output column.
    public init(numerator: String, denominator: String, as output: String) {
        self.numerator = numerator
        self.denominator = denominator
        self.output = output
    }
}
