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
        distance(sorted: a, b) / max(a.meanAndStandardDeviation.std, minimumNormaliser)
    }

    /// Merge walk over both sorted samples, integrating |F_a − F_b| between consecutive values.
    ///
    /// The CDF gap is kept as the exact integer `i·n2 − j·n1` and scaled once per step by `1 / (n1·n2)` (no division
    /// in the loop); the walk reads the arrays through unchecked pointers.
    static func distance(sorted a: SortedSample, _ b: SortedSample) -> Double {
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                let n1 = x.count, n2 = y.count
                let scale = 1 / (Double(n1) * Double(n2))
                var i = 0, j = 0, total = 0.0
                var previous = min(x[0], y[0])
                while i < n1 || j < n2 {
                    let next = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j]
                    total += Double(abs(i &* n2 &- j &* n1)) * scale * (next - previous)
                    while i < n1 && x[i] == next { i &+= 1 }
                    while j < n2 && y[j] == next { j &+= 1 }
                    previous = next
                }
                return total
            }
        }
    }
}
