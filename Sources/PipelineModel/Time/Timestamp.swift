#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point in wall-clock time, in nanoseconds since 1970-01-01T00:00:00Z.
///
/// Kiln never reads the system time directly: a ``Timestamp`` comes from an injected clock.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Nanoseconds since the Unix epoch.
    public var nanosecondsSince1970: Int64

    /// A timestamp `nanoseconds` after the Unix epoch.
    public init(nanosecondsSince1970: Int64) { self.nanosecondsSince1970 = nanosecondsSince1970 }

    /// A timestamp `milliseconds` after the Unix epoch.
    public init(millisecondsSince1970: Int64) { self.nanosecondsSince1970 = millisecondsSince1970 * 1_000_000 }

    /// Milliseconds since the Unix epoch (truncated).
    public var millisecondsSince1970: Int64 { nanosecondsSince1970 / 1_000_000 }

    /// Orders timestamps in time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanosecondsSince1970 < rhs.nanosecondsSince1970 }

    /// The timestamp `duration` later.
    public func adding(_ duration: Duration) -> Timestamp {
        Timestamp(nanosecondsSince1970: nanosecondsSince1970 &+ duration.nanoseconds)
    }

    /// The time from `self` to `other` (negative when `other` is earlier).
    public func duration(to other: Timestamp) -> Duration {
        .nanoseconds(other.nanosecondsSince1970 - nanosecondsSince1970)
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

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]]Z` (UTC) or a date `YYYY-MM-DD`; `nil` when malformed.
    public init?(iso8601 text: String) {
        let scalars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int32? {
            guard from + count <= scalars.count else { return nil }
            var value: Int32 = 0
            for byte in scalars[from..<from + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int32(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), scalars.count >= 10, scalars[4] == 45, let month = number(5, 2),
            scalars[7] == 45, let day = number(8, 2)
        else { return nil }
        var hour: Int32 = 0, minute: Int32 = 0, second: Int32 = 0, millis: Int64 = 0
        var index = 10
        if scalars.count > 10 {
            guard scalars[10] == 84 || scalars[10] == 32, let h = number(11, 2), scalars.count > 13, scalars[13] == 58,
                let m = number(14, 2)
            else { return nil }
            hour = h
            minute = m
            index = 16
            if index < scalars.count, scalars[index] == 58 {
                guard let s = number(index + 1, 2) else { return nil }
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
                    for _ in digits..<3 where digits < 3 { millis *= 10 }
                }
            }
            if index < scalars.count, scalars[index] == 90 { index += 1 }
            guard index == scalars.count else { return nil }
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = Int64(timegm(&parts))
        self.init(millisecondsSince1970: seconds * 1000 + millis)
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
        return product &+ attoseconds / 1_000_000_000
    }

    /// The duration in seconds as a `Double`.
    public var seconds: Double { Double(nanoseconds) / 1e9 }
}
