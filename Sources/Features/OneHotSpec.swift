/// Parameters of `one_hot`: `{"column", "prefix"}`; outputs are named `<prefix>_<category>`.
public struct OneHotSpec: Codable, Sendable, Equatable {
    /// The categorical input column (any type; categories compare as text).
    public var column: String
    /// The output name prefix; `nil` uses the column name.
    public var prefix: String?

    /// Creates parameters.
    /// - Parameters:
    ///   - column: The input column.
    ///   - prefix: The output name prefix, or `nil` for the column name.
    public init(column: String, prefix: String? = nil) {
        self.column = column
        self.prefix = prefix
    }
}
