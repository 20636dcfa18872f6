import Testing
import Tabular

@Suite("CSV bad input corpus")
struct CSVBadInputTests {
    @Test("a ragged row reports file:line and both field counts")
    func ragged() {
        let path = FixturePaths.path("ragged.csv")
        let error = #expect(throws: TabularError.self) { try CSVReader().read(contentsOf: path) }
        #expect(error == .raggedRow(path: path, line: 3, fields: 5, expected: 6))
        #expect(error?.description.hasPrefix("\(path):3: row has 5 fields, header has 6") == true)
    }

    @Test("invalid UTF-8 reports the line and byte offset")
    func invalidUTF8() {
        let path = FixturePaths.path("invalid_utf8.csv")
        #expect(throws: TabularError.invalidUTF8(path: path, line: 2, byteOffset: 13)) {
            try CSVReader().read(contentsOf: path)
        }
    }

    @Test("overlong and surrogate UTF-8 encodings are rejected")
    func illFormedSequences() {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            #expect(throws: TabularError.invalidUTF8(path: "<memory>", line: 2, byteOffset: 2)) {
                try CSVReader().read(bytes: Array("a\n".utf8) + bad + [0x0A])
            }
        }
    }

    @Test("an empty file and a file of blank lines are empty-file errors")
    func emptyFile() {
        let path = FixturePaths.path("empty.csv")
        let error = #expect(throws: TabularError.self) { try CSVReader().read(contentsOf: path) }
        #expect(error == .emptyFile(path: path))
        #expect(error?.description.contains("Fix:") == true)
        #expect(throws: TabularError.emptyFile(path: "<memory>")) { try CSVReader().read(text: "\n\r\n") }
    }

    @Test("a header-only file gives a frame with zero rows and string columns")
    func headerOnly() throws {
        let frame = try CSVReader().read(contentsOf: FixturePaths.path("header_only.csv"))
        #expect(frame.rowCount == 0)
        #expect(frame.columnNames == ["x", "y", "z"])
        #expect(frame.schema.allSatisfy { $0.type == .string })
    }

    @Test("an all-null column is a string column of nulls unless overridden")
    func allNull() throws {
        let inferred = try CSVReader().read(contentsOf: FixturePaths.path("all_null.csv"))
        #expect(inferred["nothing"]?.type == .string)
        #expect(inferred["nothing"]?.nullCount == 3)
        let typed = try CSVReader(options: CSVReadOptions(typeOverrides: ["nothing": .double]))
            .read(contentsOf: FixturePaths.path("all_null.csv"))
        #expect(typed["nothing"]?.doubleValues == [nil, nil, nil])
    }

    @Test("NaN is read as null and inf / -inf / Infinity as infinite doubles")
    func nanAndInfinity() throws {
        let frame = try CSVReader().read(contentsOf: FixturePaths.path("nan_inf.csv"))
        #expect(frame["x"]?.doubleValues == [1.5, nil, 2])
        #expect(frame["y"]?.doubleValues == [.infinity, -.infinity, .infinity])
    }

    @Test("an unterminated quote reports the line where the field starts")
    func unterminatedQuote() {
        let path = FixturePaths.path("unterminated.csv")
        #expect(throws: TabularError.unterminatedQuote(path: path, line: 2)) { try CSVReader().read(contentsOf: path) }
    }

    @Test("text after a closing quote is an error")
    func junkAfterQuote() {
        let path = FixturePaths.path("junk_after_quote.csv")
        #expect(throws: TabularError.unexpectedCharacterAfterQuote(path: path, line: 2)) {
            try CSVReader().read(contentsOf: path)
        }
    }

    @Test("a duplicate header name is an error")
    func duplicateHeader() {
        #expect(throws: TabularError.duplicateHeader(path: "<memory>", name: "a")) {
            try CSVReader().read(text: "a,b,a\n1,2,3\n")
        }
    }

    @Test("a missing file is a readable error")
    func missingFile() {
        let error = #expect(throws: TabularError.self) { try CSVReader().read(contentsOf: "/nonexistent/x.csv") }
        #expect(error?.description.contains("/nonexistent/x.csv") == true)
    }

    @Test("random byte soup never crashes: it parses or throws a TabularError")
    func fuzz() {
        var generator = SeededGenerator(seed: 7)
        let alphabet: [UInt8] = Array("ab1.,\"\r\n -e".utf8) + [0xC3, 0xA9, 0xFF]
        for _ in 0..<500 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            do {
                let frame = try CSVReader().read(bytes: bytes)
                #expect(frame.columns.allSatisfy { $0.count == frame.rowCount })
            } catch {
                #expect(error is TabularError)
            }
        }
    }
}
