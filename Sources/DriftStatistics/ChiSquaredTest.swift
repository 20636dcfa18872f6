import Foundation

/// Chi-squared goodness-of-fit test of current category counts against reference proportions (Evidently's
/// `chisquare` drift test): expected_k = ref_k · n_cur / n_ref over the union of categories,
/// statistic Σ (obs − exp)²/exp, k − 1 degrees of freedom — `scipy.stats.chisquare(obs, exp)`.
///
/// NaN values are ignored. A category absent from the reference but present in the current data gives an
/// infinite statistic and p = 0. With a single category overall the test is undefined; p = 1 is returned
/// (no evidence of drift).
public enum ChiSquaredTest {
    /// Result of the test.
    public struct Result: Sendable, Equatable {
        /// The chi-squared statistic.
        public var statistic: Double
        /// Degrees of freedom (categories − 1).
        public var degreesOfFreedom: Int
        /// Upper-tail p-value.
        public var pValue: Double
    }

    /// Runs the test on categorical codes (any Double values used as category labels).
    /// - Parameters:
    ///   - reference: Reference categories (NaN = missing).
    ///   - current: Current categories (NaN = missing).
    /// - Returns: Statistic, degrees of freedom and p-value.
    /// - Throws: ``DriftError/emptySample(column:which:)`` when a side has no non-missing values.
    public static func test(reference: [Double], current: [Double]) throws -> Result {
        try test(CategoryCounts(reference: reference, current: current))
    }

    static func test(_ counts: CategoryCounts) throws -> Result {
        guard counts.referenceTotal > 0 else { throw DriftError.emptySample(column: "sample", which: "reference") }
        guard counts.currentTotal > 0 else { throw DriftError.emptySample(column: "sample", which: "current") }
        let k = counts.categories.count
        if k < 2 { return Result(statistic: 0, degreesOfFreedom: 0, pValue: 1) }
        let scale = counts.currentTotal / counts.referenceTotal
        var statistic = 0.0
        for i in 0..<k {
            let expected = counts.reference[i] * scale, observed = counts.current[i]
            if expected == 0 {
                statistic = .infinity
                break
            }
            statistic += (observed - expected) * (observed - expected) / expected
        }
        let p = statistic.isInfinite ? 0 : IncompleteGamma.chiSquaredSurvival(statistic, degreesOfFreedom: Double(k - 1))
        return Result(statistic: statistic, degreesOfFreedom: k - 1, pValue: p)
    }
}
