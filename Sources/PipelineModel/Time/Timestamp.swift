#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point in wall-clock time, in nanoseconds since 1970-01-01T00:00:00Z.
///
/// Kiln never reads the system time directly: a ``Timestamp`` comes from an injected clock.
///
/// ## Bounds
///
/// A timestamp holds any instant that 64-bit nanoseconds since 1970 can: 1677-09-21 … 2262-04-11. Instants a user
/// gives (`--at`, `--from`, `--to`) must lie in ``earliest`` … ``latest`` (1970-01-01T00:00:00Z …
/// 2261-12-31T23:59:59.999Z); ``parse(_:)`` refuses anything else with a message. Arithmetic never traps:
/// ``adding(_:)`` and ``duration(to:)`` saturate at the representable range, so a deadline 100 years after the
/// latest instant is "as late as can be", not a time in 1734.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Nanoseconds since the Unix epoch.
    public var nanosecondsSince1970: Int64

    /// A timestamp `nanoseconds` after the Unix epoch.
    public init(nanosecondsSince1970: Int64) { self.nanosecondsSince1970 = nanosecondsSince1970 }

    /// A timestamp `milliseconds` after the Unix epoch, saturated to the representable range (1677 … 2262).
    public init(millisecondsSince1970: Int64) {
        let (product, overflow) = millisecondsSince1970.multipliedReportingOverflow(by: 1_000_000)
        self.nanosecondsSince1970 = overflow ? (millisecondsSince1970 < 0 ? .min : .max) : product
    }

    /// Milliseconds since the Unix epoch (truncated).
    public var millisecondsSince1970: Int64 { nanosecondsSince1970 / 1_000_000 }

    /// The earliest instant a user may give: 1970-01-01T00:00:00.000Z.
    public static let earliest = Timestamp(nanosecondsSince1970: 0)

    /// The latest instant a user may give: 2261-12-31T23:59:59.999Z, the end of the last whole year that
    /// nanoseconds since 1970 can hold in 64 bits (the form the state store keeps).
    public static let latest = Timestamp(nanosecondsSince1970: (CivilTime.days(year: 2262, month: 1, day: 1) * 86_400_000 - 1) * 1_000_000)

    /// Whether the instant lies within ``earliest`` … ``latest``.
    public var isWithinBounds: Bool { self >= Self.earliest && self <= Self.latest }

    /// Orders timestamps in time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanosecondsSince1970 < rhs.nanosecondsSince1970 }

    /// The timestamp `duration` later (earlier when negative), saturated at the representable range instead of
    /// wrapping around.
    public func adding(_ duration: Duration) -> Timestamp {
        let latest = Timestamp(nanosecondsSince1970: .max), earliest = Timestamp(nanosecondsSince1970: .min)
        if duration > .nanoseconds(Int64.max) { return latest }
        if duration < .nanoseconds(Int64.min) { return earliest }
        let (sum, overflow) = nanosecondsSince1970.addingReportingOverflow(duration.nanoseconds)
        if overflow { return duration < .zero ? earliest : latest }
        return Timestamp(nanosecondsSince1970: sum)
    }

    /// The time from `self` to `other` (negative when `other` is earlier), saturated at about ±292 years.
    public func duration(to other: Timestamp) -> Duration {
        let (difference, overflow) = other.nanosecondsSince1970.subtractingReportingOverflow(nanosecondsSince1970)
        if overflow { return .nanoseconds(other < self ? Int64.min : Int64.max) }
        return .nanoseconds(difference)
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2026-11-29T02:00:00.000Z`.
    public var iso8601: String {
        let millis = Int64.floorDiv(nanosecondsSince1970, 1_000_000)
        var seconds = time_t(Int64.floorDiv(millis, 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(Int64.floorMod(millis, 1000)), 3))Z"
    }

    /// Why a time could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text that was given.
        public var text: String
        /// What is wrong with it.
        public var reason: String

        /// The message shown to the user, with the accepted forms.
        public var description: String {
            "invalid time '\(text)': \(reason); write a UTC time such as 2026-11-29T02:00:00Z or a date such as 2026-11-29"
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]][Z]` (UTC; a space may replace the `T`) or a date `YYYY-MM-DD`, as a user
    /// gives it.
    ///
    /// The date must exist (`2026-02-30` is refused, not rolled forward), hours 0–23, minutes and seconds 0–59,
    /// and the instant must lie within ``earliest`` … ``latest``. Digits past milliseconds are ignored.
    /// - Throws: ``ParseError`` saying what is wrong.
    public static func parse(_ text: String) throws(ParseError) -> Timestamp {
        let (time, year) = try parseUnbounded(text)
        guard (1970...2261).contains(year) else {
            throw ParseError(text: text, reason: "it is outside the supported range \(earliest.iso8601) … \(latest.iso8601)")
        }
        return time
    }

    /// Parses like ``parse(_:)`` without the user bounds; `nil` when the text is malformed, names an impossible date
    /// or lies outside what a timestamp holds (1677 … 2262).
    public init?(iso8601 text: String) {
        guard let (time, _) = try? Self.parseUnbounded(text) else { return nil }
        self = time
    }

    private static func parseUnbounded(_ text: String) throws(ParseError) -> (Timestamp, year: Int) {
        let scalars = Array(text.utf8)
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[from..<from + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard scalars.count >= 10, let year = number(0, 4), scalars[4] == 45, let month = number(5, 2),
            scalars[7] == 45, let day = number(8, 2)
        else { throw fail("it does not start with a date YYYY-MM-DD") }
        var hour = 0, minute = 0, second = 0
        var millis: Int64 = 0
        var index = 10
        if scalars.count > 10 {
            guard scalars[10] == 84 || scalars[10] == 32, let h = number(11, 2), scalars.count > 13, scalars[13] == 58,
                let m = number(14, 2)
            else { throw fail("expected a time HH:MM after the date") }
            hour = h
            minute = m
            index = 16
            if index < scalars.count, scalars[index] == 58 {
                guard let s = number(index + 1, 2) else { throw fail("expected seconds SS after HH:MM:") }
                second = s
                index += 3
                if index < scalars.count, scalars[index] == 46 {
                    index += 1
                    var digits = 0
                    while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                        if digits < 3 { millis = millis * 10 + Int64(scalars[index] - 48) }
                        digits += 1
                        index += 1
                    }
                    guard digits > 0 else { throw fail("expected digits after the decimal point") }
                    for _ in digits..<3 where digits < 3 { millis *= 10 }
                }
            }
            if index < scalars.count, scalars[index] == 90 { index += 1 }
            guard index == scalars.count else {
                throw fail("unexpected text after the time; only UTC is accepted (end with Z or nothing)")
            }
        }
        guard (1...12).contains(month) else { throw fail("month \(month) does not exist (1–12)") }
        let monthLength = CivilTime.daysIn(month: month, year: year)
        guard (1...monthLength).contains(day) else {
            throw fail("day \(day) does not exist in \(year)-\(month < 10 ? "0" : "")\(month), which has \(monthLength) days")
        }
        guard hour < 24 else { throw fail("hour \(hour) does not exist (0–23)") }
        guard minute < 60 else { throw fail("minute \(minute) does not exist (0–59)") }
        guard second < 60 else { throw fail("second \(second) does not exist (0–59)") }
        let days = CivilTime.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let (nanoseconds, overflow) = (seconds * 1000 + millis).multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else {
            throw fail("it is outside the supported range \(earliest.iso8601) … \(latest.iso8601)")
        }
        return (Timestamp(nanosecondsSince1970: nanoseconds), year)
    }

    /// The ISO 8601 form.
    public var description: String { iso8601 }
}

extension Int64 {
    fileprivate static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    fileprivate static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = product.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// The duration in seconds as a `Double`.
    public var seconds: Double { Double(nanoseconds) / 1e9 }
}
