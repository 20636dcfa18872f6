import Foundation
import Testing
import Tabular

@Suite("Binary frame format")
struct BinaryFormatTests {
    func sample() throws -> DataFrame {
        try DataFrame(columns: [
            Column(name: "d", doubles: [1.5, nil, .nan, -.infinity, 0]),
            Column(name: "i", ints: [Int.min, Int.max, nil, 0, -1]),
            Column(name: "s", strings: ["", "日本", nil, "a\"b", "x"]),
            Column(name: "b", bools: [true, nil, false, true, true]),
        ])
    }

    @Test("random frames round-trip exactly, including NaN bit patterns", arguments: [11, 12, 13])
    func roundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<40 {
            let frame = RandomFrame.make(using: &generator)
            #expect(try DataFrame(binaryEncoded: frame.binaryEncoded()) == frame)
        }
        let nan = Double(bitPattern: 0x7FF8_0000_0000_1234)
        let frame = try DataFrame(columns: [Column(name: "n", doubles: [nan])])
        let decoded = try DataFrame(binaryEncoded: frame.binaryEncoded())
        #expect(decoded["n"]?.doubleValues?.first??.bitPattern == nan.bitPattern)
    }

    @Test("the header follows the documented little-endian layout")
    func layout() throws {
        let bytes = try sample().binaryEncoded()
        #expect(Array(bytes[0..<8]) == Array("KILNFRM1".utf8))
        #expect(Array(bytes[8..<12]) == [1, 0, 0, 0], "version 1")
        #expect(Array(bytes[12..<16]) == [4, 0, 0, 0], "4 columns")
        #expect(Array(bytes[16..<24]) == [5, 0, 0, 0, 0, 0, 0, 0], "5 rows")
        #expect(Array(bytes[24..<30]) == [1, 1, 0, 0, 0, UInt8(ascii: "d")], "type double, name length 1, name d")
        #expect(Array(bytes.suffix(8)) == Array("KILNEND1".utf8))
        #expect(bytes.count % 8 == 0)
    }

    @Test("equal frames encode to identical bytes, different frames to different bytes")
    func stableBytes() throws {
        let a = try sample()
        let b = try DataFrame(columns: a.columns)
        #expect(a.binaryEncoded() == b.binaryEncoded())
        let changed = try a.filtering(mask: [true, true, true, true, false])
        #expect(changed.binaryEncoded() != a.binaryEncoded())
    }

    @Test("frames with zero rows or zero columns round-trip")
    func emptyFrames() throws {
        #expect(try DataFrame(binaryEncoded: DataFrame().binaryEncoded()) == DataFrame())
        let noRows = try sample().head(0)
        #expect(try DataFrame(binaryEncoded: noRows.binaryEncoded()) == noRows)
    }

    @Test("every truncation of a valid file fails with a clear error and never crashes")
    func truncation() throws {
        let bytes = try sample().binaryEncoded()
        for length in 0..<bytes.count {
            let error = #expect(throws: TabularError.self) {
                try DataFrame(binaryEncoded: Array(bytes[0..<length]), path: "cut.kfr")
            }
            #expect(error?.description.hasPrefix("cut.kfr: ") == true)
        }
    }

    @Test("bad magic, unsupported version and corrupt contents are reported")
    func corruption() throws {
        let bytes = try sample().binaryEncoded()
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(throws: TabularError.binaryBadMagic(path: "<memory>")) { try DataFrame(binaryEncoded: magic) }
        var version = bytes
        version[8] = 9
        #expect(throws: TabularError.binaryUnsupportedVersion(path: "<memory>", version: 9)) {
            try DataFrame(binaryEncoded: version)
        }
        var typeCode = bytes
        typeCode[24] = 77
        let typeError = #expect(throws: TabularError.self) { try DataFrame(binaryEncoded: typeCode) }
        #expect(typeError == .binaryCorrupt(path: "<memory>", detail: "unknown type code 77 for column 0"))
        #expect(throws: TabularError.self) { try DataFrame(binaryEncoded: bytes + [0]) }
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<300 {
            var flipped = bytes
            let position = Int.random(in: 0..<flipped.count, using: &generator)
            flipped[position] ^= UInt8.random(in: 1...255, using: &generator)
            if let decoded = try? DataFrame(binaryEncoded: flipped) {
                #expect(decoded.columns.allSatisfy { $0.count == decoded.rowCount })
            }
        }
    }

    @Test("files are written atomically and read back")
    func files() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/frame.kfr"
        let frame = try sample()
        try frame.writeBinary(to: path)
        try frame.writeBinary(to: path)
        #expect(try DataFrame(binaryFile: path) == frame)
        #expect(try directory.entries() == ["frame.kfr"])
        #expect(throws: TabularError.self) { try frame.writeBinary(to: directory.path + "/missing/dir/frame.kfr") }
        #expect(throws: TabularError.fileUnreadable(path: directory.path + "/nope.kfr", reason: "no such file")) {
            try DataFrame(binaryFile: directory.path + "/nope.kfr")
        }
    }

    @Test("a string offset that splits a UTF-8 character is reported as corrupt")
    func splitCharacter() throws {
        let frame = try DataFrame(columns: [Column(name: "s", strings: ["é", "x"])])
        var bytes = frame.binaryEncoded()
        // Layout: 32-byte header+schema, 8-byte validity, 3 x u64 offsets; the first end offset is at 48.
        #expect(Array(bytes[48..<56]) == [2, 0, 0, 0, 0, 0, 0, 0])
        bytes[48] = 1
        #expect(throws: TabularError.binaryCorrupt(path: "<memory>", detail: "bad string at row 0 of column s")) {
            try DataFrame(binaryEncoded: bytes)
        }
    }
}
