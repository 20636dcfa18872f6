/// A run's identifier: `YYYYMMDD-HHMMSS-xxxxxx` (UTC start time and random hex), sortable by creation time.
public struct RunID: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The text form.
    public var rawValue: String

    /// Wraps an existing id.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A new id for a run created at `time`.
    public static func make(at time: Timestamp, using random: inout some RandomNumberGenerator) -> RunID {
        let iso = time.iso8601  // 2026-11-29T14:28:57.000Z
        let chars = Array(iso)
        let date = String(chars[0..<4]) + String(chars[5..<7]) + String(chars[8..<10])
        let clock = String(chars[11..<13]) + String(chars[14..<16]) + String(chars[17..<19])
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
