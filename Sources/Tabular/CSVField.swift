/// The byte range of one CSV field, in 16 bytes (a large file holds millions of them).
struct CSVField {
    /// Flag: the field was quoted.
    static let quoted: UInt8 = 1
    /// Flag: the field contains doubled quotes (`""`) that must be unescaped.
    static let escapedQuotes: UInt8 = 2
    private static let flagShift = 56

    /// First byte of the field content (after an opening quote).
    var start: Int
    /// `end` in the low 56 bits, `flags` in the high 8.
    private var endAndFlags: Int

    /// A field of bytes `start..<end` with ``quoted`` and ``escapedQuotes`` bits.
    init(start: Int, end: Int, flags: UInt8) {
        self.start = start
        self.endAndFlags = end | Int(flags) << Self.flagShift
    }

    /// One past the last content byte (before a closing quote).
    var end: Int { endAndFlags & (1 << Self.flagShift - 1) }
    /// ``quoted`` and ``escapedQuotes`` bits.
    var flags: UInt8 { UInt8(truncatingIfNeeded: endAndFlags >> Self.flagShift) }
}
