/// Reads and writes durations the way pipeline files spell them: `500ms`, `30s`, `5m`, `2h`, `1d`, `1h30m`.
public enum DurationText {
    /// Why a duration string could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text that was given.
        public var text: String
        /// What is wrong with it.
        public var reason: String

        /// The message shown to the user, with the accepted forms.
        public var description: String {
            "invalid duration '\(text)': \(reason); write a number followed by a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h30m"
        }
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
            guard !digits.isEmpty, let value = Int64(digits) else {
                throw ParseError(text: text, reason: "expected a number at '\(String(chars[index...]))'")
            }
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
            guard !overflow, totalMillis <= Int64.max - product else {
                throw ParseError(text: text, reason: "it is too long")
            }
            totalMillis += product
        }
        chars.removeAll()
        return .milliseconds(totalMillis)
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
