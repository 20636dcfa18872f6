import Testing

@testable import PipelineFile

@Suite struct YAMLBlockComposerWordTests {
    @Test("eight bytes are checked at once exactly as one at a time: printable ASCII or a line feed")
    func wordCheck() {
        for byte in 0...255 {
            for position in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = UInt8(byte)
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let expected = (0x20..<0x7F).contains(byte) || byte == 0x0A
                #expect(YAMLBlockComposer.printable(word) == expected, "byte \(byte) at \(position)")
            }
        }
        let lines = Array("a: b\n  c\n".utf8)
        #expect(YAMLBlockComposer.printable(lines.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
    }
}
