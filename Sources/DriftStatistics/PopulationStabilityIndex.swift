import Foundation

/// Population stability index, PSI = Σ (cur% − ref%) · ln(cur% / ref%).
///
/// Numeric: 10 bins cut at the reference's deciles (numpy linear `quantile` at 0.1 … 0.9; outer bins open to
/// ±∞; a value equal to an edge goes to the upper bin, i.e. `searchsorted(edges, x, side="right")`).
/// Categorical: one bin per category in either sample. A bin share of 0 (either side) is replaced by 1e-4.
/// NaN values are ignored.
public enum PopulationStabilityIndex {
    /// Share used in place of an empty bin.
    public static let emptyBinShare = 1e-4
    /// Number of reference-quantile bins for numeric data.
    public static let binCount = 10

    /// PSI of numeric samples.
    /// - Parameters:
    ///   - reference: Reference values (NaN ignored).
    ///   - current: Current values (NaN ignored).
    /// - Returns: The PSI (≥ 0).
    /// - Throws: ``DriftError`` when a sample is empty or holds ±∞.
    public static func numeric(reference: [Double], current: [Double]) throws -> Double {
        let (r, c) = try decileShares(reference: reference, current: current)
        return psi(reference: r, current: c)
    }

    /// Decile shares of the reference (sorted) and of the current sample (binned by binary search, unsorted).
    static func decileShares(reference: [Double], current: [Double]) throws -> (reference: [Double], current: [Double]) {
        let a = try SortedSample(reference, column: "reference")
        guard !a.values.isEmpty else { throw DriftError.emptySample(column: "sample", which: "reference") }
        let edges = (1..<binCount).map { a.quantile(Double($0) / Double(binCount)) }
        var counts = [Int](repeating: 0, count: binCount)
        var total = 0
        for x in current {
            if x.isNaN { continue }
            if x.isInfinite { throw DriftError.nonFiniteValue(column: "current", value: x) }
            var lo = 0, hi = edges.count  // number of edges <= x (values equal to an edge go up)
            while lo < hi {
                let mid = (lo + hi) >> 1
                if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            counts[lo] += 1
            total += 1
        }
        guard total > 0 else { throw DriftError.emptySample(column: "sample", which: "current") }
        let referenceShares = decileShares(a, edges: edges)
        return (referenceShares, counts.map { Double($0) / Double(total) })
    }

    /// PSI of categorical samples.
    /// - Parameters:
    ///   - reference: Reference categories (NaN ignored).
    ///   - current: Current categories (NaN ignored).
    /// - Returns: The PSI (≥ 0).
    /// - Throws: ``DriftError/emptySample(column:which:)`` when a side has no values.
    public static func categorical(reference: [Double], current: [Double]) throws -> Double {
        let counts = CategoryCounts(reference: reference, current: current)
        guard counts.referenceTotal > 0 else { throw DriftError.emptySample(column: "sample", which: "reference") }
        guard counts.currentTotal > 0 else { throw DriftError.emptySample(column: "sample", which: "current") }
        return psi(reference: counts.reference.map { $0 / counts.referenceTotal },
                   current: counts.current.map { $0 / counts.currentTotal })
    }

    /// The decile bin counts of both sorted samples, as shares.
    /// Shares of a sorted sample in the bins cut at `edges`.
    static func decileShares(_ s: SortedSample, edges: [Double]) -> [Double] {
        var previous = 0
        var out = [Double]()
        for e in edges {
            let c = s.countLess(than: e)  // values equal to an edge go to the upper bin
            out.append(Double(c - previous) / Double(s.values.count))
            previous = c
        }
        out.append(Double(s.values.count - previous) / Double(s.values.count))
        return out
    }

    static func psi(reference: [Double], current: [Double]) -> Double {
        var total = 0.0
        for (r0, c0) in zip(reference, current) {
            let r = r0 == 0 ? emptyBinShare : r0, c = c0 == 0 ? emptyBinShare : c0
            total += (c - r) * log(c / r)
        }
        return total
    }
}
