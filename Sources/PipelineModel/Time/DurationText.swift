/// Reads and writes durations the way pipeline files spell them: `500ms`, `30s`, `5m`, `2h`, `1d`, `1h30m`.
///
/// A duration is at most ``maximum`` (100 years, `36500d`): longer ones are refused when they are read, so no
/// timeout, delay, cooldown or expiry can push a deadline past what a ``Timestamp`` holds.
public enum DurationText {
    /// The longest duration accepted: 100 years of 365 days (`36500d`).
    public static let maximum = Duration.seconds(36_500 * 86_400)

    /// `36500d`, the longest duration accepted, as it is written.
    public static let maximumText = "36500d"

    /// Why a duration string could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text that was given.
        public var text: String
        /// What is wrong with it.
        public var reason: String
        /// How to fix it.
        public var fix: String

        /// An error about `text`; `fix` defaults to the accepted forms.
        public init(
            text: String, reason: String,
            fix: String = "write a number followed by a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h30m"
        ) {
            self.text = text
            self.reason = reason
            self.fix = fix
        }

        /// The message shown to the user: what is wrong and how to fix it.
        public var description: String { "invalid duration '\(text)': \(reason); \(fix)" }
    }

    /// Parses a duration such as `1h30m`.
    ///
    /// Units must appear from largest to smallest, each at most once. Fractions are not accepted (`1.5h` → write `1h30m`).
    /// - Throws: ``ParseError`` when the text is not a duration.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let units: [(String, Int64)] = [
            ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw ParseError(text: text, reason: "it is empty") }
        var chars = Array(trimmed)
        var index = 0
        var totalMillis: Int64 = 0
        var lastUnitRank = -1
        while index < chars.count {
            var digits = ""
            while index < chars.count, chars[index].isASCII, chars[index].isNumber {
                digits.append(chars[index])
                index += 1
            }
            guard !digits.isEmpty else {
                throw ParseError(text: text, reason: "expected a number at '\(String(chars[index...]))'")
            }
            let value = Int64(digits) ?? .max  // more than 19 digits: far too long, reported below
            var unit = ""
            while index < chars.count, chars[index].isLetter {
                unit.append(chars[index])
                index += 1
            }
            guard let rank = units.firstIndex(where: { $0.0 == unit }) else {
                throw ParseError(
                    text: text,
                    reason: unit.isEmpty ? "the number \(digits) has no unit" : "unknown unit '\(unit)'")
            }
            guard rank > lastUnitRank else {
                throw ParseError(text: text, reason: "units must go from largest to smallest, each once")
            }
            lastUnitRank = rank
            let (product, overflow) = value.multipliedReportingOverflow(by: units[rank].1)
            let (sum, overflow2) = totalMillis.addingReportingOverflow(product)
            guard !overflow, !overflow2, sum <= maximumMilliseconds else { throw tooLong(text) }
            totalMillis = sum
        }
        chars.removeAll()
        return .milliseconds(totalMillis)
    }

    private static let maximumMilliseconds: Int64 = 36_500 * 86_400_000

    private static func tooLong(_ text: String) -> ParseError {
        ParseError(
            text: text, reason: "it is longer than 100 years (\(maximumText)), the longest duration Kiln accepts",
            fix: "use a shorter one")
    }

    /// Checks that `duration` is at most ``maximum``; the message names `field` and says how to fix it.
    ///
    /// For durations built in code (a ``TaskSpec`` made in Swift); text read with ``parse(_:)`` is already checked.
    /// - Returns: `nil` when the duration is within bounds, else the problem.
    public static func problem(with duration: Duration, field: String) -> String? {
        guard duration > maximum else { return nil }
        return "\(field) is longer than 100 years (\(maximumText)), the longest duration Kiln accepts; use a shorter one"
    }

    /// Formats a duration in the same notation, largest units first (`1h30m`, `500ms`, `0s`).
    public static func format(_ duration: Duration) -> String {
        var millis = duration.nanoseconds / 1_000_000
        if millis == 0 { return "0s" }
        var out = millis < 0 ? "-" : ""
        millis = abs(millis)
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if millis >= size {
                out += "\(millis / size)\(unit)"
                millis %= size
            }
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
