/// The drift result of one column.
public struct ColumnDriftResult: Sendable, Equatable, Codable {
    /// Column name.
    public var column: String
    /// The method used.
    public var method: DriftMethod
    /// The method's value: p-value (KS, chi-squared) or distance (PSI, Wasserstein, Jensen–Shannon).
    public var value: Double
    /// The test statistic for p-value methods (KS D, chi-squared); equals `value` for distances.
    public var statistic: Double
    /// The p-value for KS / chi-squared; `nil` for distances.
    public var pValue: Double?
    /// The threshold applied.
    public var threshold: Double
    /// Whether the column drifted.
    public var drifted: Bool

    /// Creates a result.
    /// - Parameters:
    ///   - column: Column name.
    ///   - method: Method used.
    ///   - value: p-value or distance.
    ///   - statistic: Test statistic.
    ///   - pValue: p-value or `nil`.
    ///   - threshold: Threshold applied.
    ///   - drifted: Decision.
    public init(column: String, method: DriftMethod, value: Double, statistic: Double, pValue: Double?,
                threshold: Double, drifted: Bool) {
        self.column = column
        self.method = method
        self.value = value
        self.statistic = statistic
        self.pValue = pValue
        self.threshold = threshold
        self.drifted = drifted
    }
}
