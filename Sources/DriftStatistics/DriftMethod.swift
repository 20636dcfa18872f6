/// A per-column drift test. Raw values are stable names for configuration and JSON.
public enum DriftMethod: String, Sendable, Codable, CaseIterable {
    /// Two-sample Kolmogorov–Smirnov; `value` is the p-value; drift when p < threshold (default 0.05).
    case kolmogorovSmirnov = "ks"
    /// Chi-squared goodness of fit on category counts; `value` is the p-value; drift when p < threshold (0.05).
    case chiSquared = "chisquare"
    /// Population stability index; drift when PSI ≥ threshold (default 0.1).
    case psi
    /// Wasserstein-1 distance / reference std; drift when ≥ threshold (default 0.1).
    case wasserstein
    /// Jensen–Shannon distance (natural log); drift when ≥ threshold (default 0.1).
    case jensenShannon = "jensenshannon"

    /// Whether `value` is a p-value (drift below the threshold) rather than a distance (drift at or above it).
    public var isPValue: Bool { self == .kolmogorovSmirnov || self == .chiSquared }

    /// The default threshold: 0.05 for p-value tests, 0.1 for distances.
    public var defaultThreshold: Double { isPValue ? 0.05 : 0.1 }

    /// Whether `value` means drift at `threshold`.
    /// - Parameters:
    ///   - value: The method's value (p-value or distance).
    ///   - threshold: The decision threshold.
    /// - Returns: `value < threshold` for p-values, `value >= threshold` for distances.
    public func isDrift(value: Double, threshold: Double) -> Bool {
        isPValue ? value < threshold : value >= threshold
    }
}
