import Foundation

/// Regularised incomplete gamma functions, used for the chi-squared distribution.
///
/// Series expansion for x < a + 1, Lentz continued fraction otherwise (Numerical Recipes §6.2); relative
/// accuracy ≈ 1e-14.
public enum IncompleteGamma {
    /// P(a, x) = γ(a, x)/Γ(a), the regularised lower incomplete gamma function.
    /// - Parameters:
    ///   - a: Shape, > 0.
    ///   - x: Argument, ≥ 0.
    /// - Returns: P(a, x) in [0, 1]; NaN for invalid arguments.
    public static func lowerRegularized(_ a: Double, _ x: Double) -> Double {
        guard a > 0, x >= 0, !x.isNaN else { return .nan }
        if x == 0 { return 0 }
        if x.isInfinite { return 1 }
        return x < a + 1 ? series(a, x) : 1 - continuedFraction(a, x)
    }

    /// Q(a, x) = 1 − P(a, x), the regularised upper incomplete gamma function.
    /// - Parameters:
    ///   - a: Shape, > 0.
    ///   - x: Argument, ≥ 0.
    /// - Returns: Q(a, x) in [0, 1]; NaN for invalid arguments.
    public static func upperRegularized(_ a: Double, _ x: Double) -> Double {
        guard a > 0, x >= 0, !x.isNaN else { return .nan }
        if x == 0 { return 1 }
        if x.isInfinite { return 0 }
        return x < a + 1 ? 1 - series(a, x) : continuedFraction(a, x)
    }

    /// Survival function of the chi-squared distribution: P(X ≥ statistic) with `degreesOfFreedom` dof.
    /// - Parameters:
    ///   - statistic: The chi-squared statistic (≥ 0; +∞ gives 0).
    ///   - degreesOfFreedom: Degrees of freedom, > 0.
    /// - Returns: The upper-tail probability, as `scipy.stats.chi2.sf`.
    public static func chiSquaredSurvival(_ statistic: Double, degreesOfFreedom: Double) -> Double {
        upperRegularized(degreesOfFreedom / 2, max(0, statistic) / 2)
    }

    private static func series(_ a: Double, _ x: Double) -> Double {
        var ap = a, sum = 1 / a, del = sum
        for _ in 0..<10_000 {
            ap += 1
            del *= x / ap
            sum += del
            if abs(del) < abs(sum) * 1e-16 { break }
        }
        return sum * exp(-x + a * log(x) - lgamma(a))
    }

    private static func continuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-16 { break }
        }
        return exp(-x + a * log(x) - lgamma(a)) * h
    }
}
