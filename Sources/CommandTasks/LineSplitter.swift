/// Splits a byte stream into log lines as the bytes arrive.
///
/// Lines end at `\n`, `\r\n` or a lone `\r` (so progress bars that redraw with `\r` show each update). A final
/// line without a terminator is returned by ``finish()``. A line longer than `maxLineBytes` is cut at that size
/// (on a UTF-8 boundary), marked as truncated and returned at once; the rest of it, up to the next line break,
/// is dropped, so memory stays bounded whatever the process prints. Invalid UTF-8 becomes U+FFFD.
struct LineSplitter {
    /// The most bytes of one line that are kept.
    let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var discardingRestOfLine = false
    private var previousWasCarriageReturn = false

    /// A splitter that keeps at most `maxLineBytes` bytes of each line.
    init(maxLineBytes: Int) {
        precondition(maxLineBytes > 0, "maxLineBytes must be at least 1.")
        self.maxLineBytes = maxLineBytes
    }

    /// Adds `bytes` and returns the lines they complete, in order.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if previousWasCarriageReturn {
                    previousWasCarriageReturn = false  // the `\r` of `\r\n` already ended the line
                } else {
                    endLine(into: &lines)
                }
            case UInt8(ascii: "\r"):
                endLine(into: &lines)
                previousWasCarriageReturn = true
            default:
                previousWasCarriageReturn = false
                guard !discardingRestOfLine else { continue }
                pending.append(byte)
                if pending.count > maxLineBytes {
                    lines.append(truncatedLine())
                    pending.removeAll(keepingCapacity: true)
                    discardingRestOfLine = true
                }
            }
        }
        return lines
    }

    /// Returns the last line when the stream ended without a line break, else `nil`.
    mutating func finish() -> String? {
        defer {
            pending.removeAll()
            discardingRestOfLine = false
            previousWasCarriageReturn = false
        }
        guard !pending.isEmpty, !discardingRestOfLine else { return nil }
        return String(decoding: pending, as: UTF8.self)
    }

    private mutating func endLine(into lines: inout [String]) {
        if discardingRestOfLine {
            discardingRestOfLine = false
        } else {
            lines.append(String(decoding: pending, as: UTF8.self))
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The first `maxLineBytes` bytes of `pending`, cut before any partial UTF-8 sequence, plus a marker.
    private func truncatedLine() -> String {
        var end = maxLineBytes
        // Step back over continuation bytes (10xxxxxx) so a multi-byte character is not split.
        while end > 0, end > maxLineBytes - 4, pending[end] & 0b1100_0000 == 0b1000_0000 { end -= 1 }
        return String(decoding: pending[..<end], as: UTF8.self) + " [line truncated at \(maxLineBytes) bytes]"
    }
}
