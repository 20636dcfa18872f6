/// Wasserstein-1 (earth mover's) distance between two empirical distributions, as
/// `scipy.stats.wasserstein_distance(u, v)`: ∫ |F_u(x) − F_v(x)| dx.
public enum WassersteinDistance {
    /// The smallest reference standard deviation used for normalising (Evidently's floor).
    public static let minimumNormaliser = 0.001

    /// W1 distance.
    /// - Parameters:
    ///   - reference: Reference values (NaN ignored).
    ///   - current: Current values (NaN ignored).
    /// - Returns: The distance, in the data's units.
    /// - Throws: ``DriftError`` when a sample is empty or holds ±∞.
    public static func distance(reference: [Double], current: [Double]) throws -> Double {
        let (a, b) = try sortedPair(reference, current)
        return distance(sorted: a, b)
    }

    /// W1 distance divided by max(std(reference), 0.001) (population std), Evidently's `wasserstein` drift score.
    /// - Parameters:
    ///   - reference: Reference values (NaN ignored).
    ///   - current: Current values (NaN ignored).
    /// - Returns: The normalised distance.
    /// - Throws: ``DriftError`` when a sample is empty or holds ±∞.
    public static func normalized(reference: [Double], current: [Double]) throws -> Double {
        let (a, b) = try sortedPair(reference, current)
        return normalized(sorted: a, b)
    }

    static func sortedPair(_ reference: [Double], _ current: [Double]) throws -> (SortedSample, SortedSample) {
        let a = try SortedSample(reference, column: "reference"), b = try SortedSample(current, column: "current")
        guard !a.values.isEmpty else { throw DriftError.emptySample(column: "sample", which: "reference") }
        guard !b.values.isEmpty else { throw DriftError.emptySample(column: "sample", which: "current") }
        return (a, b)
    }

    static func normalized(sorted a: SortedSample, _ b: SortedSample) -> Double {
        normalized(distance: distance(sorted: a, b), reference: a)
    }

    /// A distance over the reference's population standard deviation (at least ``minimumNormaliser``).
    static func normalized(distance: Double, reference a: SortedSample) -> Double {
        distance / max(a.meanAndStandardDeviation.std, minimumNormaliser)
    }

    /// ∫|F_a − F_b|, from the merge walk of ``SortedSample/cdfGaps(_:_:)``.
    static func distance(sorted a: SortedSample, _ b: SortedSample) -> Double {
        SortedSample.cdfGaps(a, b).area
    }
}
