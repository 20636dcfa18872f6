import Foundation
import Testing
import Tabular

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("reads quoted fields with commas, doubled quotes and embedded newlines")
    func quotedFields() throws {
        let frame = try CSVReader().read(contentsOf: FixturePaths.path("simple.csv"))
        #expect(frame.rowCount == 4)
        #expect(frame.columnNames == ["id", "name", "score", "active", "joined"])
        #expect(frame["name"]?.stringValues == ["Alice", "Smith, Bob", "say \"hi\"", "multi\nline"])
    }

    @Test("infers int, double, bool and string columns and turns missing tokens into nulls")
    func inference() throws {
        let frame = try CSVReader().read(contentsOf: FixturePaths.path("simple.csv"))
        #expect(frame.schema.map(\.type) == [.int, .string, .double, .bool, .string])
        #expect(frame["score"]?.doubleValues == [3.5, nil, -0.25, 1000])
        #expect(frame["active"]?.boolValues == [true, false, true, false])
        #expect(frame["joined"]?.stringValues?[2] == nil)
    }

    @Test("accepts CRLF line ends, CRLF inside quotes, and keeps a quoted empty string as a value")
    func crlf() throws {
        let frame = try CSVReader().read(contentsOf: FixturePaths.path("quoted_crlf.csv"))
        #expect(frame["a"]?.intValues == [1, 2, nil])
        #expect(frame["b"]?.stringValues == ["x,y", "line1\r\nline2", ""])
    }

    @Test("a quote inside an unquoted field is kept as is; a quoted missing token is a value; a quoted \"\" is unescaped")
    func quotesByPosition() throws {
        let text = "a,b,c\nx\"\"y,\"NA\",\"he said \"\"no\"\"\"\n\"\",NA,\"\"\"\"\n"
        let frame = try CSVReader().read(text: text)
        #expect(frame["a"]?.stringValues == ["x\"\"y", ""])
        #expect(frame["b"]?.stringValues == ["NA", nil])
        #expect(frame["c"]?.stringValues == ["he said \"no\"", "\""])
    }

    @Test("applies explicit per-column type overrides")
    func overrides() throws {
        let text = "zip,amount\n01234,5\n99999,6\n"
        let options = CSVReadOptions(typeOverrides: ["zip": .string, "amount": .double])
        let frame = try CSVReader(options: options).read(text: text)
        #expect(frame["zip"]?.stringValues == ["01234", "99999"])
        #expect(frame["amount"]?.doubleValues == [5, 6])
    }

    @Test("reports a value that does not fit its override with file and line")
    func overrideFailure() {
        let options = CSVReadOptions(typeOverrides: ["n": .int])
        let error = #expect(throws: TabularError.self) {
            try CSVReader(options: options).read(text: "n\n1\n\n2.5\n", name: "nums.csv")
        }
        #expect(error == .invalidValue(path: "nums.csv", line: 4, column: "n", value: "2.5", type: .int))
        #expect(error?.description.hasPrefix("nums.csv:4: column n: '2.5' is not a valid int") == true)
    }

    @Test("rejects an override for a column that is not in the header")
    func unknownOverride() {
        let options = CSVReadOptions(typeOverrides: ["missing": .int])
        #expect(throws: TabularError.unknownOverrideColumn(path: "<memory>", column: "missing", available: ["a"])) {
            try CSVReader(options: options).read(text: "a\n1\n")
        }
    }

    @Test("falls back to double when a later value is fractional, and to string on text")
    func widening() throws {
        let frame = try CSVReader().read(text: "a,b,c\n1,1,true\n2.5,x,maybe\n")
        #expect(frame["a"]?.doubleValues == [1, 2.5])
        #expect(frame["b"]?.stringValues == ["1", "x"])
        #expect(frame["c"]?.stringValues == ["true", "maybe"])
    }

    @Test("parses doubles exactly like the standard library")
    func doubleParsing() throws {
        let texts = ["0.1", "-0", "1e-300", "123456789012345678901234", "3.14159265358979323846", ".5", "5.", "2E+10", "4.9e-324"]
        let frame = try CSVReader(options: CSVReadOptions(typeOverrides: ["v": .double]))
            .read(text: "v\n" + texts.joined(separator: "\n") + "\n")
        let parsed = try #require(frame["v"]?.doubleValues)
        for (text, value) in zip(texts, parsed) {
            #expect(value?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test("reads a glob of files with the same header in name order")
    func glob() throws {
        let frame = try CSVReader().read(contentsOf: FixturePaths.path("incoming/*.csv"))
        #expect(frame["id"]?.intValues == [1, 2, 3, 4])
        #expect(frame["value"]?.stringValues == ["a", "b", "c", "d"])
    }

    @Test("reads every .csv file of a directory and ignores other files")
    func directory() throws {
        let files = try CSVReader.files(matching: FixturePaths.path("incoming"))
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["part-001.csv", "part-002.csv"])
        let frame = try CSVReader().read(contentsOf: FixturePaths.path("incoming"))
        #expect(frame.rowCount == 4)
    }

    @Test("reports a glob that matches nothing")
    func globWithoutMatches() {
        let pattern = FixturePaths.path("incoming/*.parquet")
        #expect(throws: TabularError.noFilesMatched(pattern: pattern)) { try CSVReader().read(contentsOf: pattern) }
    }

    @Test("infers types across all files read together")
    func typesAcrossFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-csv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "v\n1\n".write(toFile: directory + "/a.csv", atomically: true, encoding: .utf8)
        try "v\n2.5\n".write(toFile: directory + "/b.csv", atomically: true, encoding: .utf8)
        try "w\n2.5\n".write(toFile: directory + "/c.csv.bak", atomically: true, encoding: .utf8)
        let frame = try CSVReader().read(contentsOf: directory)
        #expect(frame["v"]?.doubleValues == [1, 2.5])
    }

    @Test("reads files whose headers differ as an error naming the file")
    func headerMismatch() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-csv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "id,value\n1,a\n".write(toFile: directory + "/1.csv", atomically: true, encoding: .utf8)
        try "id,other\n2,b\n".write(toFile: directory + "/2.csv", atomically: true, encoding: .utf8)
        #expect(throws: TabularError.headerMismatch(path: directory + "/2.csv", expected: ["id", "value"], found: ["id", "other"])) {
            try CSVReader().read(contentsOf: directory)
        }
    }

    @Test("supports another delimiter and custom missing tokens")
    func delimiterAndTokens() throws {
        let options = CSVReadOptions(delimiter: UInt8(ascii: ";"), missingTokens: ["-"])
        let frame = try CSVReader(options: options).read(text: "a;b\n1;-\n-;NA\n")
        #expect(frame["a"]?.intValues == [1, nil])
        #expect(frame["b"]?.stringValues == [nil, "NA"])
    }

    @Test("accepts bare CR line ends and ignores a UTF-8 byte order mark")
    func crAndBOM() throws {
        let frame = try CSVReader().read(bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\r1,x\r2,y".utf8))
        #expect(frame.columnNames == ["a", "b"])
        #expect(frame["a"]?.intValues == [1, 2])
        #expect(frame["b"]?.stringValues == ["x", "y"])
    }

    @Test("long repeated categories and many distinct long texts are read back exactly")
    func longStrings() throws {
        let categories = ["Married-civ-spouse", "Never-married-and-more", "Divorced-long-category"]
        let repeated = (0..<3000).map { categories[$0 % 3] }
        let distinct = (0..<6000).map { "free text value number \($0)" }
        let text = "c,t\n" + zip(repeated + repeated, distinct).map { "\($0),\($1)" }.joined(separator: "\n")
        let frame = try CSVReader().read(text: text)
        #expect(frame["c"]?.stringValues == (repeated + repeated).map { Optional($0) })
        #expect(frame["t"]?.stringValues == distinct.map { Optional($0) })
        #expect(try DataFrame(binaryEncoded: frame.binaryEncoded()) == frame)
    }
}
