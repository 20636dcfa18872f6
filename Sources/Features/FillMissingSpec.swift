/// Parameters of `fill_missing`: `{"column", "strategy", "value"}`; the column is filled in place.
public struct FillMissingSpec: Codable, Sendable, Equatable {
    /// The column to fill.
    public var column: String
    /// How to choose the replacement.
    public var strategy: FillStrategy
    /// The replacement for `constant` (must match the column type; ignored otherwise).
    public var value: FillValue?

    /// Creates parameters.
    /// - Parameters:
    ///   - column: The column to fill.
    ///   - strategy: How to choose the replacement.
    ///   - value: The constant replacement.
    public init(column: String, strategy: FillStrategy, value: FillValue? = nil) {
        self.column = column
        self.strategy = strategy
        self.value = value
    }
}
