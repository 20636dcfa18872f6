import Foundation

/// Reuses `String` instances for repeated byte sequences (categorical columns), avoiding one allocation
/// per long repeated value. Gives up after many distinct values so free-text columns pay almost nothing.
struct StringInterner {
    /// Strings of at most this many UTF-8 bytes are stored inline by Swift and need no interning.
    private static let inlineLimit = 15
    /// The most distinct values kept before interning is switched off.
    private static let capacity = 4096

    private var table: [Int: String] = [:]
    private var enabled = true

    /// The string for already validated UTF-8 bytes, shared with earlier identical byte sequences when possible.
    /// - Parameters:
    ///   - bytes: Valid UTF-8.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard enabled, bytes.count > Self.inlineLimit else { return String(decoding: bytes, as: UTF8.self) }
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        let key = hasher.finalize()
        if let cached = table[key], Self.equal(cached, bytes) { return cached }
        let text = String(decoding: bytes, as: UTF8.self)
        if table.count >= Self.capacity {
            enabled = false
            table = [:]
        } else {
            table[key] = text
        }
        return text
    }

    /// Whether a string's UTF-8 equals the bytes (a `memcmp` for native strings).
    private static func equal(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let fast = string.utf8.withContiguousStorageIfAvailable { stored in
            stored.count == bytes.count && memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
        return fast ?? string.utf8.elementsEqual(bytes)
    }

    /// The unescaped text of a CSV field, interned when it has no doubled quotes.
    /// - Parameters:
    ///   - field: The field's byte range.
    ///   - bytes: The validated file bytes.
    mutating func text(of field: CSVField, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard !field.hasEscapedQuotes(in: bytes) else { return CSVTokenizer.text(of: field, in: bytes) }
        return string(UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]))
    }
}
