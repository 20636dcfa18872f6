import Foundation

/// Two-sample Kolmogorov–Smirnov test (two-sided), as `scipy.stats.ks_2samp(a, b, method="auto")` with one
/// documented difference in the asymptotic branch.
///
/// - Statistic: D = supₓ |F_ref(x) − F_cur(x)| over the empirical CDFs (NaN ignored).
/// - p-value, `max(n₁, n₂) ≤ 10,000` ("exact", as scipy's auto): P(D ≥ d) by counting lattice paths that stay
///   strictly inside |i/n₁ − j/n₂| < d (dynamic programme over normalised path counts, O(n₁·n₂)); absolute
///   error ≈ 1e-13, so p-values below that are returned as ≈ 0 rather than with full relative precision.
/// - p-value, larger samples ("asymp"): the limiting Kolmogorov distribution Q(√(n₁n₂/(n₁+n₂))·D)
///   (= scipy's `kstwobign.sf`). scipy ≥ 1.5 uses `kstwo.sf(D, round(n₁n₂/(n₁+n₂)))` there; the two differ by
///   O(1/√n), i.e. ~1e-3 relative at the sizes where this branch runs.
public enum KolmogorovSmirnov {
    /// Result of the test.
    public struct Result: Sendable, Equatable {
        /// The KS statistic D in [0, 1].
        public var statistic: Double
        /// The two-sided p-value.
        public var pValue: Double
        /// Whether the exact p-value was used.
        public var exact: Bool
    }

    /// Largest sample size for which the exact p-value is computed (scipy's `MAX_AUTO_N`).
    public static let exactLimit = 10_000

    /// Runs the test.
    /// - Parameters:
    ///   - reference: First sample (NaN = missing, ignored).
    ///   - current: Second sample (NaN ignored).
    /// - Returns: Statistic and p-value.
    /// - Throws: ``DriftError`` when a sample is empty after dropping NaN or holds ±∞.
    public static func test(reference: [Double], current: [Double]) throws -> Result {
        let a = try SortedSample(reference, column: "reference")
        let b = try SortedSample(current, column: "current")
        guard !a.values.isEmpty else { throw DriftError.emptySample(column: "sample", which: "reference") }
        guard !b.values.isEmpty else { throw DriftError.emptySample(column: "sample", which: "current") }
        return test(sorted: a, b)
    }

    /// The test on already sorted samples.
    static func test(sorted a: SortedSample, _ b: SortedSample) -> Result {
        test(statistic: SortedSample.cdfGaps(a, b).statistic, n1: a.values.count, n2: b.values.count)
    }

    /// The test's p-value for a statistic `d` of samples of `n1` and `n2` values.
    static func test(statistic d: Double, n1: Int, n2: Int) -> Result {
        if max(n1, n2) <= exactLimit {
            return Result(statistic: d, pValue: exactPValue(d: d, n1: n1, n2: n2), exact: true)
        }
        let m = Double(max(n1, n2)), n = Double(min(n1, n2))
        let en = m * n / (m + n)
        return Result(statistic: d, pValue: kolmogorovSurvival(en.squareRoot() * d), exact: false)
    }

    /// P(D ≥ d) for sample sizes n1, n2 by the inside-path dynamic programme.
    static func exactPValue(d: Double, n1: Int, n2: Int) -> Double {
        let g = gcd(n1, n2)
        let a = n1 / g, b = n2 / g
        let lcm = Double(a) * Double(n2)
        let h = Int((d * lcm).rounded())
        if h == 0 { return 1 }
        // w[j] after row i: (#inside paths to (i, j)) / C(i+j, i).
        var w = [Double](repeating: 0, count: n2 + 1)
        for j in 0...n2 { w[j] = abs(j * a) < h ? (j == 0 ? 1 : w[j - 1]) : 0 }
        if n1 > 0 {
            for i in 1...n1 {
                let ib = i * b
                for j in 0...n2 {
                    if abs(ib - j * a) >= h {
                        w[j] = 0
                    } else if j == 0 {
                        // only one path, along the first axis
                    } else {
                        let t = Double(i + j)
                        w[j] = (Double(i) * w[j] + Double(j) * w[j - 1]) / t
                    }
                }
            }
        }
        return min(1, max(0, 1 - w[n2]))
    }

    /// Survival function of the Kolmogorov distribution, Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²) (scipy `kstwobign.sf`).
    /// - Parameter lambda: √n·D, ≥ 0.
    /// - Returns: P(K ≥ λ) in [0, 1].
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda <= 0 { return 1 }
        if lambda < 1.18 {
            // Small λ: 1 − √(2π)/λ · Σ e^(−(2k−1)²π²/(8λ²))
            let c = -Double.pi * Double.pi / (8 * lambda * lambda)
            var sum = 0.0
            for k in 1...20 {
                let odd = Double(2 * k - 1)
                sum += exp(c * odd * odd)
            }
            return min(1, max(0, 1 - (2 * Double.pi).squareRoot() / lambda * sum))
        }
        var sum = 0.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += (k % 2 == 1 ? term : -term)
            if term < 1e-300 { break }
        }
        return min(1, max(0, 2 * sum))
    }

    /// Greatest common divisor.
    static func gcd(_ x: Int, _ y: Int) -> Int {
        var (a, b) = (x, y)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
