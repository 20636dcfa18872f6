@testable import CommandTasks
import Testing

@Suite("LineSplitter")
struct LineSplitterTests {
    /// Feeds `text` in chunks of `chunkSize` bytes and returns every line, the unterminated last one included.
    private func split(_ bytes: [UInt8], chunkSize: Int, maxLineBytes: Int = 64) -> [String] {
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        var lines: [String] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            lines += bytes[start..<end].withUnsafeBytes { splitter.append($0) }
            start = end
        }
        if let last = splitter.finish() { lines.append(last) }
        return lines
    }

    @Test("the same lines come out however the bytes are chunked", arguments: [1, 2, 3, 7, 1000])
    func chunkingDoesNotMatter(chunkSize: Int) {
        let text = "one\r\ntwo\rthree\n\nfünf 🎉\r\n\r\nlast"
        #expect(split(Array(text.utf8), chunkSize: chunkSize) == ["one", "two", "three", "", "fünf 🎉", "", "last"])
    }

    @Test("a line of exactly the limit is kept whole; one byte more is truncated", arguments: [1, 5, 100])
    func limitIsInclusive(chunkSize: Int) {
        let bytes = Array("12345\n123456\nok".utf8)
        #expect(split(bytes, chunkSize: chunkSize, maxLineBytes: 5) == ["12345", "12345 [line truncated at 5 bytes]", "ok"])
    }

    @Test("a truncated line never ends in half a character")
    func truncationKeepsCharactersWhole() {
        // "ab" + "🎉" (4 bytes): a limit of 4 would cut the emoji after 2 of its bytes.
        #expect(split(Array("ab🎉cd\n".utf8), chunkSize: 3, maxLineBytes: 4) == ["ab [line truncated at 4 bytes]"])
        #expect(split(Array("ab🎉cd\n".utf8), chunkSize: 3, maxLineBytes: 6) == ["ab🎉 [line truncated at 6 bytes]"])
    }

    @Test("a truncated unterminated last line is not logged twice")
    func truncatedLastLine() {
        #expect(split(Array("abcdefgh".utf8), chunkSize: 3, maxLineBytes: 4) == ["abcd [line truncated at 4 bytes]"])
    }

    @Test("no input, or only a line break, gives no line beyond the empty one")
    func emptyInput() {
        #expect(split([], chunkSize: 1).isEmpty)
        #expect(split(Array("\n".utf8), chunkSize: 1) == [""])
    }
}
