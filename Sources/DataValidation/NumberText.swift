/// Compact number formatting for violation messages (no locale, no trailing zeros).
enum NumberText {
    /// `5` for 5.0, `0.25` for 0.25, `1e+20` for huge values.
    static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return value.description
    }

    /// A measured ratio and its limit as percentages with one decimal, or more decimals when needed to
    /// tell them apart, e.g. (`7.2`, `5`) for (0.072, 0.05) and (`7.2`, `7.15`) for (0.072, 0.0715).
    static func percents(_ ratio: Double, _ limit: Double) -> (actual: String, limit: String) {
        var decimals = 1
        while decimals < 6, ratio != limit, rounded(ratio * 100, decimals) == rounded(limit * 100, decimals) {
            decimals += 1
        }
        return (number(rounded(ratio * 100, decimals)), number(rounded(limit * 100, decimals)))
    }

    /// The value rounded to `decimals` decimal places.
    private static func rounded(_ value: Double, _ decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
