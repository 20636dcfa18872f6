/// The byte range of one CSV field, in 8 bytes (a large file holds millions of them; files are below 4 GiB).
///
/// Whether a field was quoted is read from the file rather than stored: a quoted field's content starts right after
/// its opening quote, while an unquoted field starts after a delimiter, a line break or the start of the data, never
/// after a quote (a field that starts with a quote is a quoted one). Inside a quoted field, a quote byte can only be
/// half of a doubled `""`.
struct CSVField {
    private static let quote = UInt8(ascii: "\"")

    private let first: UInt32
    private let pastLast: UInt32

    /// A field of bytes `start..<end` (both at most `UInt32.max`, which the tokenizer checks once per file).
    init(start: Int, end: Int) {
        first = UInt32(truncatingIfNeeded: start)
        pastLast = UInt32(truncatingIfNeeded: end)
    }

    /// First byte of the field content (after an opening quote).
    var start: Int { Int(first) }
    /// One past the last content byte (before a closing quote).
    var end: Int { Int(pastLast) }

    /// Whether the field was quoted in `bytes`, the file it was read from.
    @inline(__always)
    func isQuoted(in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        first > 0 && bytes[Int(first) - 1] == Self.quote
    }

    /// Whether the field is quoted and holds doubled quotes (`""`) that must be unescaped.
    func hasEscapedQuotes(in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard isQuoted(in: bytes) else { return false }
        return UnsafeBufferPointer(rebasing: bytes[start..<end]).contains(Self.quote)
    }
}
