/// Parameters of `bucketize`: `{"column", "boundaries", "as"}`; boundaries must be strictly increasing.
public struct BucketizeSpec: Codable, Sendable, Equatable {
    /// The numeric input column.
    public var column: String
    /// Strictly increasing bucket boundaries; `n` boundaries make buckets `0...n`.
    public var boundaries: [Double]
    /// The output column; `nil` replaces the input column.
    public var output: String?

    enum CodingKeys: String, CodingKey {
        case column, boundaries
        case output = "as"
    }

    /// Creates parameters.
    /// - Parameters:
    ///   - column: The input column.
    ///   - boundaries: Strictly increasing boundaries.
    ///   - output: The output column, or `nil` to replace the input.
    public init(column: String, boundaries: [Double], as output: String? = nil) {
        self.column = column
        self.boundaries = boundaries
        self.output = output
    }
}
