/// A run's identifier: `YYYYMMDD-HHMMSS-xxxxxx` (UTC start time and random hex), sortable by creation time.
public struct RunID: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The text form.
    public var rawValue: String

    /// Wraps an existing id.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A new id for a run created at `time`.
    public static func make(at time: Timestamp, using random: inout some RandomNumberGenerator) -> RunID {
        let iso = Array(time.iso8601.utf8)  // 2026-11-29T14:28:57.000Z: ASCII
        func text(_ range: Range<Int>) -> String { String(decoding: iso[range], as: UTF8.self) }
        let date = text(0..<4) + text(5..<7) + text(8..<10)
        let clock = text(11..<13) + text(14..<16) + text(17..<19)
        let suffix = String(UInt32.random(in: 0...0xFF_FFFF, using: &random), radix: 16)
        return RunID(rawValue: "\(date)-\(clock)-\(String(repeating: "0", count: 6 - suffix.count))\(suffix)")
    }

    /// Orders ids as text (by creation time).
    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The text form.
    public var description: String { rawValue }

    /// Encodes as a plain string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Decodes from a plain string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
}
