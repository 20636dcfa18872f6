/// Parameters of single-column transforms (`log1p`, `standardize`, `min_max`, `ordinal`): `{"column", "as"}`.
public struct ColumnSpec: Codable, Sendable, Equatable {
    /// The input column.
    public var column: String
    /// The output column; `nil` replaces the input column in place.
    public var output: String?

    enum CodingKeys: String, CodingKey {
        case column
        case output = "as"
    }

    /// Creates parameters.
    /// - Parameters:
    ///   - column: The input column.
    ///   - output: The output column, or `nil` to replace the input.
    public init(column: String, as output: String? = nil) {
        self.column = column
        self.output = output
    }

    /// The output column name.
    var outputName: String { output ?? column }
}
