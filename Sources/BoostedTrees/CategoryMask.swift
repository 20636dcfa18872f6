/// A set of category codes (0..<256) stored as a 256-bit mask.
public struct CategoryMask: Sendable, Equatable, Hashable {
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    /// Creates a mask holding `codes`.
    /// - Parameter codes: Category codes in 0..<256; others are ignored.
    public init(_ codes: some Sequence<Int> = []) {
        for c in codes where c >= 0 && c < 256 { insert(c) }
    }

    /// Adds `code` (0..<256) to the set.
    /// - Parameter code: The category code.
    public mutating func insert(_ code: Int) {
        let bit = UInt64(1) << UInt64(code & 63)
        switch code >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
    }

    /// Whether `code` is in the set; false for codes outside 0..<256.
    /// - Parameter code: The category code.
    /// - Returns: `true` when present.
    @inline(__always)
    public func contains(_ code: Int) -> Bool {
        if code < 0 || code >= 256 { return false }
        let word: UInt64
        switch code >> 6 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return (word >> UInt64(code & 63)) & 1 == 1
    }

    /// The codes in the set, ascending.
    public var codes: [Int] { (0..<256).filter { contains($0) } }
}
