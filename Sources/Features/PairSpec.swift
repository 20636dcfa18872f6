/// Parameters of `product` and `difference` (`left - right`): `{"left", "right", "as"}`.
public struct PairSpec: Codable, Sendable, Equatable {
    /// The left operand column.
    public var left: String
    /// The right operand column.
    public var right: String
    /// The output column.
    public var output: String

    enum CodingKeys: String, CodingKey {
        case left, right
        case output = "as"
    }

    /// Creates parameters.
    /// - Parameters:
    ///   - left: The left operand column.
    ///   - right: The right operand column.
    ///   - output: The output column.
    public init(left: String, right: String, as output: String) {
        self.left = left
        self.right = right
        self.output = output
    }
}
