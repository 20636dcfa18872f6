/// One named column handed to ``DriftDetector``: numeric values or categorical codes (NaN = missing).
public struct DriftColumn: Sendable, Equatable {
    /// Column name (unique within a table).
    public var name: String
    /// Values; categorical columns hold category codes.
    public var values: [Double]
    /// Whether the column is categorical.
    public var isCategorical: Bool

    /// Creates a column.
    /// - Parameters:
    ///   - name: Column name.
    ///   - values: Values (NaN = missing).
    ///   - isCategorical: Whether values are category codes. Default `false`.
    public init(name: String, values: [Double], isCategorical: Bool = false) {
        self.name = name
        self.values = values
        self.isCategorical = isCategorical
    }
}
