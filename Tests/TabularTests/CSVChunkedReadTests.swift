import Testing

@testable import Tabular

/// Large files are tokenized in chunks in parallel; every result must equal the single pass's.
@Suite("CSV read in parallel chunks")
struct CSVChunkedReadTests {
    /// A CSV text above the parallel threshold: `rows` rows of `a,b,c,d` with quoted fields (delimiters, doubled
    /// quotes, line breaks inside quotes), missing values and blank lines, joined with `lineEnd`.
    static func text(rows: Int, lineEnd: String = "\n", body: (Int) -> String = row) -> String {
        var lines = ["id,name,score,note"]
        for index in 0..<rows { lines.append(body(index)) }
        return lines.joined(separator: lineEnd) + lineEnd
    }

    static func row(_ index: Int) -> String {
        switch index % 7 {
        case 0: return "\(index),\"multi\nline, \"\"quoted\"\"\nfield\",\(Double(index) / 8),"
        case 1: return "\(index),plain,\(index % 13),NA"
        case 2: return ""  // a blank line, skipped
        case 3: return "\(index),\"a, b\",,\"x\""
        default: return "\(index),name-\(index),\(index * 3),note \(index)"
        }
    }

    /// The tokens flattened for comparison: header, row lines, then each field as start-end, quoted (q) and with
    /// doubled quotes (e).
    static func shape(_ chunks: [CSVTokens]) -> [String] {
        var out = [chunks.first.map { $0.header.joined(separator: "|") } ?? "", "\(chunks.reduce(0) { $0 + $1.rowCount })"]
        for column in 0..<(chunks.first?.header.count ?? 0) {
            var fields: [String] = []
            for chunk in chunks {
                chunk.bytes.withUnsafeBufferPointer { bytes in
                    fields += (0..<chunk.rowCount).map { chunk.field(row: $0, column: column) }.map { field in
                        "\(field.start)-\(field.end)" + (field.isQuoted(in: bytes) ? "q" : "")
                            + (field.hasEscapedQuotes(in: bytes) ? "e" : "")
                    }
                }
            }
            out.append(fields.joined(separator: " "))
        }
        out.append(chunks.flatMap(\.rowLines).map(String.init).joined(separator: " "))
        return out
    }

    static func tokenize(_ text: String, parallelism: Int) -> Result<[CSVTokens], TabularError> {
        Result { try CSVTokenizer.tokenize(Array(text.utf8), path: "t.csv", delimiter: UInt8(ascii: ","), parallelism: parallelism) }
            .mapError { $0 as! TabularError }
    }

    @Test("chunks give the same fields, flags and line numbers as one pass (LF and CRLF, quotes across lines)")
    func sameTokens() throws {
        for lineEnd in ["\n", "\r\n"] {
            let text = Self.text(rows: 60_000, lineEnd: lineEnd)
            #expect(text.utf8.count > CSVTokenizer.parallelThreshold)
            let one = try Self.tokenize(text, parallelism: 1).get()
            #expect(one.count == 1)
            for parallelism in [2, 3, 8] {
                let chunks = try Self.tokenize(text, parallelism: parallelism).get()
                #expect(chunks.count == parallelism, "the file was cut into \(chunks.count) chunks")
                #expect(Self.shape(chunks) == Self.shape(one))
            }
            let frame = try CSVReader().read(text: text)
            #expect(frame.rowCount == one[0].rowCount)
        }
    }

    @Test("a stray quote inside an unquoted field misleads the cut; the single pass decides")
    func misleadingQuote() throws {
        // `ab"c` is text (quotes only open at a field's start) but flips the cut's quote parity for the rest.
        let text = Self.text(rows: 60_000) { index in
            index == 10 ? "\(index),ab\"c,1,x" : index % 5 == 0 ? "\(index),\"two\nlines\",2,y" : "\(index),n,3,z"
        }
        let one = try Self.tokenize(text, parallelism: 1).get()
        let parallel = try Self.tokenize(text, parallelism: 4).get()
        // Every cut lands inside a quoted line break, a record crosses it, and the file is read again in one pass.
        #expect(parallel.count == 1)
        #expect(Self.shape(parallel) == Self.shape(one))
    }

    @Test("CR-only line ends are read in one pass, with the same line numbers")
    func carriageReturns() throws {
        let text = Self.text(rows: 60_000, lineEnd: "\r")
        let parallel = try Self.tokenize(text, parallelism: 4).get()
        #expect(parallel.count == 1)
        #expect(Self.shape(parallel) == Self.shape(try Self.tokenize(text, parallelism: 1).get()))
    }

    @Test("the first error in file order is reported, with its line, whichever chunk finds it")
    func firstErrorWins() {
        let ragged = Self.text(rows: 60_000) { index in
            index == 41_000 || index == 50_000 ? "\(index),too,many,fields,here" : Self.row(index)
        }
        let unterminated = Self.text(rows: 60_000) + "1,\"open,2,3\n"
        let afterQuote = Self.text(rows: 60_000) { index in index == 45_000 ? "\(index),\"q\"x,1,2" : Self.row(index) }
        for text in [ragged, unterminated, afterQuote] {
            let one = Self.tokenize(text, parallelism: 1)
            guard case .failure(let expected) = one else {
                Issue.record("the single pass read a broken file")
                continue
            }
            for parallelism in [2, 4] {
                guard case .failure(let error) = Self.tokenize(text, parallelism: parallelism) else {
                    Issue.record("\(parallelism) chunks read a broken file")
                    continue
                }
                #expect(error == expected)
            }
        }
    }

    @Test("a frame read in chunks equals the frame read in one pass (types inferred over every chunk)")
    func sameFrame() throws {
        // The 1.5 in the last row's score makes the column double although every earlier chunk holds only integers.
        let text = Self.text(rows: 60_000) { index in
            index == 59_999 ? "\(index),n,1.5,z" : index % 7 == 2 ? "" : "\(index),\"n \(index)\",\(index),NA"
        }
        var single = CSVReader()
        single.parallelism = 1
        let one = try single.read(text: text)
        let parallel = try CSVReader().read(text: text)
        #expect(parallel == one)
        #expect(one.columns.map(\.type) == [.int, .string, .double, .string])
        #expect(one.rowCount == 60_000 - (0..<60_000).filter { $0 % 7 == 2 && $0 != 59_999 }.count)
    }
}
