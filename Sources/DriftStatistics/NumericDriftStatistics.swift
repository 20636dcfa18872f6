/// Every numeric drift statistic of one column pair — KS, PSI, Jensen–Shannon and normalised Wasserstein — from a
/// single sort of each sample.
///
/// Each method's own entry point sorts the samples it needs, so asking for all four sorts the reference four times
/// and the current sample twice; this sorts each once and reuses the order for the KS and Wasserstein merges and for
/// the decile bins of both samples. The values are identical to the four separate calls.
///
/// ```swift
/// let stats = try NumericDriftStatistics(reference: refScores, current: newScores)
/// print(stats.kolmogorovSmirnov.pValue, stats.psi, stats.jensenShannon, stats.wasserstein)
/// ```
public struct NumericDriftStatistics: Sendable, Equatable {
    /// The two-sample KS test, as ``KolmogorovSmirnov/test(reference:current:)``.
    public var kolmogorovSmirnov: KolmogorovSmirnov.Result
    /// The population stability index, as ``PopulationStabilityIndex/numeric(reference:current:)``.
    public var psi: Double
    /// The Jensen–Shannon distance over the reference deciles, as ``JensenShannonDistance/numeric(reference:current:)``.
    public var jensenShannon: Double
    /// The Wasserstein distance over the reference standard deviation, as ``WassersteinDistance/normalized(reference:current:)``.
    public var wasserstein: Double

    /// Computes the four statistics.
    /// - Parameters:
    ///   - reference: Reference values (NaN ignored).
    ///   - current: Current values (NaN ignored).
    /// - Throws: ``DriftError`` when a sample is empty after dropping NaN or holds ±∞.
    public init(reference: [Double], current: [Double]) throws {
        let (a, b) = try WassersteinDistance.sortedPair(reference, current)
        // KS and Wasserstein both follow the gap between the two CDFs: one merge walk gives both.
        let gaps = SortedSample.cdfGaps(a, b)
        kolmogorovSmirnov = KolmogorovSmirnov.test(statistic: gaps.statistic, n1: a.values.count, n2: b.values.count)
        wasserstein = WassersteinDistance.normalized(distance: gaps.area, reference: a)
        let binCount = PopulationStabilityIndex.binCount
        let edges = (1..<binCount).map { a.quantile(Double($0) / Double(binCount)) }
        let referenceShares = PopulationStabilityIndex.decileShares(a, edges: edges)
        let currentShares = PopulationStabilityIndex.decileShares(b, edges: edges)
        psi = PopulationStabilityIndex.psi(reference: referenceShares, current: currentShares)
        jensenShannon = JensenShannonDistance.distance(referenceShares, currentShares)
    }
}
