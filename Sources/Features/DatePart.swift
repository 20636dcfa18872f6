/// A calendar field extracted by `date_parts`.
public enum DatePart: String, Codable, Sendable, CaseIterable {
    /// The year, e.g. 2024.
    case year
    /// The month, 1...12.
    case month
    /// The day of the month, 1...31.
    case day
    /// The ISO weekday, 1 = Monday ... 7 = Sunday.
    case weekday
    /// The hour, 0...23 (0 for a date without time).
    case hour
}
