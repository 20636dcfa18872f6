import Foundation

/// Settings of ``DriftDetector/detect(reference:current:options:)``, with Evidently's defaults.
public struct DriftOptions: Sendable, Equatable {
    /// A per-column override of method and/or threshold.
    public struct ColumnOverride: Sendable, Equatable {
        /// The method to use instead of the default; `nil` keeps the default.
        public var method: DriftMethod?
        /// The threshold to use instead of the method's default; `nil` keeps it.
        public var threshold: Double?

        /// Creates an override.
        /// - Parameters:
        ///   - method: Method to use, or `nil`.
        ///   - threshold: Threshold to use, or `nil`.
        public init(method: DriftMethod? = nil, threshold: Double? = nil) {
            self.method = method
            self.threshold = threshold
        }
    }

    /// Reference sizes up to this many rows use KS / chi-squared; larger use Wasserstein / Jensen–Shannon. Default 1,000.
    public var smallReferenceLimit = 1_000
    /// Dataset drift when the share of drifted columns is at least this. Default 0.5.
    public var driftShareThreshold = 0.5
    /// Overrides by column name.
    public var columnOverrides: [String: ColumnOverride] = [:]
    /// Worker threads for columns; 0 = all active processors. Results do not depend on it. Default 0.
    public var threads = 0

    /// Creates options with the defaults.
    /// - Parameters:
    ///   - smallReferenceLimit: Reference row count up to which p-value tests are used.
    ///   - driftShareThreshold: Share of drifted columns that flags dataset drift, in (0, 1].
    ///   - columnOverrides: Per-column method/threshold overrides.
    ///   - threads: Worker threads (0 = all).
    public init(smallReferenceLimit: Int = 1_000, driftShareThreshold: Double = 0.5,
                columnOverrides: [String: ColumnOverride] = [:], threads: Int = 0) {
        self.smallReferenceLimit = smallReferenceLimit
        self.driftShareThreshold = driftShareThreshold
        self.columnOverrides = columnOverrides
        self.threads = threads
    }

    /// The default method for a column: KS or chi-squared for small references, Wasserstein or Jensen–Shannon otherwise.
    /// - Parameters:
    ///   - isCategorical: Whether the column is categorical.
    ///   - referenceRows: Rows in the reference column.
    /// - Returns: The method Evidently would pick.
    public func defaultMethod(isCategorical: Bool, referenceRows: Int) -> DriftMethod {
        if referenceRows <= smallReferenceLimit { return isCategorical ? .chiSquared : .kolmogorovSmirnov }
        return isCategorical ? .jensenShannon : .wasserstein
    }

    var effectiveThreads: Int { threads > 0 ? threads : Self.processors }

    /// The active processors, read once (on Linux each read opens cgroup files).
    static let processors = max(1, ProcessInfo.processInfo.activeProcessorCount)
}
