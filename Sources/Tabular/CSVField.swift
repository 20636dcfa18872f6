/// The byte range of one CSV field.
struct CSVField {
    /// Flag: the field was quoted.
    static let quoted: UInt8 = 1
    /// Flag: the field contains doubled quotes (`""`) that must be unescaped.
    static let escapedQuotes: UInt8 = 2

    /// First byte of the field content (after an opening quote).
    var start: Int
    /// One past the last content byte (before a closing quote).
    var end: Int
    /// ``quoted`` and ``escapedQuotes`` bits.
    var flags: UInt8
}
