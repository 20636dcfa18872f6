import Testing
import Tabular

@Suite("CSV round trip")
struct CSVRoundTripTests {
    @Test("random frames with quotes, commas, newlines and nulls survive write then read", arguments: [1, 2, 3, 4])
    func randomFrames(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<50 {
            let frame = RandomFrame.make(using: &generator)
            let overrides = Dictionary(uniqueKeysWithValues: frame.schema.map { ($0.name, $0.type) })
            for lineEnding in ["\n", "\r\n"] {
                let bytes = CSVWriter(lineEnding: lineEnding).encode(frame)
                let read = try CSVReader(options: CSVReadOptions(typeOverrides: overrides)).read(bytes: bytes)
                #expect(read == frame, "\(CSVWriter().string(frame))")
            }
        }
    }

    @Test("writes nulls as empty fields and quotes strings that need it")
    func writerFormat() throws {
        let frame = try DataFrame(columns: [
            Column(name: "s", strings: ["a,b", "", nil, "NA", "say \"x\""]),
            Column(name: "d", doubles: [0.1, .nan, nil, .infinity, 1e-5]),
        ])
        let text = CSVWriter().string(frame)
        #expect(text == "s,d\n\"a,b\",0.1\n\"\",NaN\n,\n\"NA\",inf\n\"say \"\"x\"\"\",1e-05\n")
    }

    @Test("ints are written in decimal as String(value) writes them, booleans as true/false, padded text quoted")
    func writerScalars() throws {
        let ints = [0, 7, -7, 10, -10, 1_000_000, Int.max, Int.min]
        let frame = try DataFrame(columns: [
            Column(name: "i", ints: ints),
            Column(name: "b", bools: [true, false, nil, true, false, true, false, true]),
            Column(name: "s", strings: [" x", "x ", "\u{FEFF}x", "a\nb", "null", "nulls", "é", nil]),
        ])
        let lines = CSVWriter().string(frame).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "i,b,s")
        #expect(lines[1] == "0,true,\" x\"")
        #expect(lines[2] == "7,false,\"x \"")
        #expect(lines[3] == "-7,,\"\u{FEFF}x\"")
        #expect(lines[4] == "10,true,\"a" && lines[5] == "b\"")
        #expect(lines[6] == "-10,false,\"null\"")
        #expect(lines[7] == "1000000,true,nulls")
        #expect(lines[8] == "\(Int.max),false,é")
        #expect(lines[9] == "\(Int.min),true,")
        let read = try CSVReader(options: CSVReadOptions(typeOverrides: ["i": .int, "b": .bool, "s": .string])).read(
            bytes: CSVWriter().encode(frame))
        #expect(read == frame)
    }

    @Test("records written cell by cell are the bytes encode writes for a frame of those cells", arguments: [5, 6])
    func recordsCellByCell(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<30 {
            let frame = RandomFrame.make(using: &generator)
            let writer = CSVWriter(lineEnding: "\r\n")
            var bytes: [UInt8] = []
            for (index, name) in frame.columnNames.enumerated() { writer.appendName(name, first: index == 0, to: &bytes) }
            writer.endRecord(&bytes)
            for row in 0..<frame.rowCount {
                for (index, column) in frame.columns.enumerated() {
                    writer.appendField(column[row], first: index == 0, to: &bytes)
                }
                writer.endRecord(&bytes)
            }
            #expect(bytes == writer.encode(frame), "\(writer.string(frame))")
        }
    }

    @Test("a one-column frame keeps its null rows")
    func singleColumnNulls() throws {
        let frame = try DataFrame(columns: [Column(name: "v", ints: [1, nil, nil, 4])])
        let read = try CSVReader().read(bytes: CSVWriter().encode(frame))
        #expect(read == frame)
    }

    @Test("a one-column frame whose column name is empty reads back (found by fuzzing)")
    func singleColumnEmptyName() throws {
        let read = try CSVReader(options: CSVReadOptions(delimiter: UInt8(ascii: ";"))).read(bytes: Array("\"\"\r\0\0,\"".utf8))
        #expect(read.columnNames == [""] && read.rowCount == 1)
        let bytes = CSVWriter(delimiter: UInt8(ascii: ";")).encode(read)
        #expect(String(decoding: bytes, as: UTF8.self) == "\"\"\n\"\0\0,\"\"\"\n")
        let again = try CSVReader(options: CSVReadOptions(delimiter: UInt8(ascii: ";"), typeOverrides: ["": .string])).read(bytes: bytes)
        #expect(again == read)
    }

    @Test("a first column name that starts with U+FEFF is not taken for a byte order mark (found by fuzzing)")
    func leadingByteOrderMarkInName() throws {
        let read = try CSVReader().read(bytes: [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n".utf8))
        #expect(read.columnNames == ["\u{FEFF}a", "b"])
        let again = try CSVReader().read(bytes: CSVWriter().encode(read))
        #expect(again == read)
    }

    @Test("writing to a file is atomic and replaces an existing file")
    func fileWrite() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/out.csv"
        let frame = try DataFrame(columns: [Column(name: "v", ints: [1, 2])])
        try CSVWriter().write(frame, to: path)
        try CSVWriter().write(frame.head(1), to: path)
        #expect(try CSVReader().read(contentsOf: path) == frame.head(1))
        #expect(try directory.entries() == ["out.csv"])
    }
}
