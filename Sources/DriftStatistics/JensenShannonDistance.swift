import Foundation

/// Jensen–Shannon distance with natural logarithms, as `scipy.spatial.distance.jensenshannon(p, q)`:
/// √(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2, in [0, √ln 2].
///
/// Categorical data: p and q are the category frequencies over the union of categories (no smoothing).
/// Numeric data: frequencies over the same 10 reference-decile bins as ``PopulationStabilityIndex``.
/// NaN values are ignored.
public enum JensenShannonDistance {
    /// JS distance of two frequency vectors (normalised to sum 1 first).
    /// - Parameters:
    ///   - p: Non-negative weights.
    ///   - q: Non-negative weights, same length.
    /// - Returns: The distance.
    public static func distance(_ p: [Double], _ q: [Double]) -> Double {
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        var divergence = 0.0
        for (a0, b0) in zip(p, q) {
            let a = a0 / sp, b = b0 / sq, m = (a + b) / 2
            if a > 0 { divergence += 0.5 * a * log(a / m) }
            if b > 0 { divergence += 0.5 * b * log(b / m) }
        }
        return max(0, divergence).squareRoot()
    }

    /// JS distance between the category frequencies of two samples.
    /// - Parameters:
    ///   - reference: Reference categories (NaN ignored).
    ///   - current: Current categories (NaN ignored).
    /// - Returns: The distance.
    /// - Throws: ``DriftError/emptySample(column:which:)`` when a side has no values.
    public static func categorical(reference: [Double], current: [Double]) throws -> Double {
        let counts = CategoryCounts(reference: reference, current: current)
        guard counts.referenceTotal > 0 else { throw DriftError.emptySample(column: "sample", which: "reference") }
        guard counts.currentTotal > 0 else { throw DriftError.emptySample(column: "sample", which: "current") }
        return distance(counts.reference, counts.current)
    }

    /// JS distance between numeric samples binned at the reference deciles.
    /// - Parameters:
    ///   - reference: Reference values (NaN ignored).
    ///   - current: Current values (NaN ignored).
    /// - Returns: The distance.
    /// - Throws: ``DriftError`` when a sample is empty or holds ±∞.
    public static func numeric(reference: [Double], current: [Double]) throws -> Double {
        let (r, c) = try PopulationStabilityIndex.decileShares(reference: reference, current: current)
        return distance(r, c)
    }
}
