/// Per-column results and the dataset-level decision.
public struct DatasetDriftReport: Sendable, Equatable, Codable {
    /// One result per column, in input order.
    public var columns: [ColumnDriftResult]
    /// Number of drifted columns.
    public var driftedCount: Int
    /// Drifted columns / all columns (0 when there are no columns).
    public var driftShare: Double
    /// Whether `driftShare` reached the dataset threshold.
    public var datasetDrift: Bool

    /// Creates a report.
    /// - Parameters:
    ///   - columns: Column results.
    ///   - driftShareThreshold: Share of drifted columns that means dataset drift.
    public init(columns: [ColumnDriftResult], driftShareThreshold: Double) {
        self.columns = columns
        driftedCount = columns.filter(\.drifted).count
        driftShare = columns.isEmpty ? 0 : Double(driftedCount) / Double(columns.count)
        datasetDrift = !columns.isEmpty && driftShare >= driftShareThreshold
    }
}
