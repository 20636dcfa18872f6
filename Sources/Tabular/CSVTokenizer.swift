/// A byte-level RFC 4180 scanner (quoted fields, doubled quotes, LF / CRLF / CR line ends).
///
/// Empty lines before the header are skipped; after it they are skipped when the header has several
/// columns, while in a one-column file an empty line is a row with one empty (null) field.
/// A UTF-8 byte order mark at the start is ignored.
struct CSVTokenizer {
    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private let bytes: UnsafeBufferPointer<UInt8>
    private let delimiter: UInt8
    private let path: String
    private var index: Int
    private var line = 1
    private var skipsBlankLines = true

    private init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, path: String, start: Int) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.path = path
        self.index = start
    }

    /// Validates UTF-8 and splits a whole file into a header and field ranges.
    /// - Throws: ``TabularError`` for empty input, invalid UTF-8, quoting errors, duplicate header names and ragged rows.
    /// `shouldStop` is asked every 65,536 rows; `true` ends tokenizing with ``TabularError/cancelled(path:)``.
    static func tokenize(_ data: [UInt8], path: String, delimiter: UInt8,
                         shouldStop: (@Sendable () -> Bool)? = nil) throws -> CSVTokens {
        let hasBOM = data.starts(with: [0xEF, 0xBB, 0xBF])
        return try data.withUnsafeBufferPointer { buffer in
            if let bad = UTF8Validation.firstInvalidOffset(in: buffer) {
                let line = 1 + buffer[0..<bad].reduce(0) { $0 + ($1 == lineFeed ? 1 : 0) }
                throw TabularError.invalidUTF8(path: path, line: line, byteOffset: bad)
            }
            var tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, path: path, start: hasBOM ? 3 : 0)
            var fields: [CSVField] = []
            guard try tokenizer.nextRecord(into: &fields) != nil else { throw TabularError.emptyFile(path: path) }
            let header = fields.map { tokenizer.text(of: $0) }
            var seen = Set<String>()
            for name in header where !seen.insert(name).inserted {
                throw TabularError.duplicateHeader(path: path, name: name)
            }
            tokenizer.skipsBlankLines = header.count > 1
            let dataStart = tokenizer.index
            let width = header.count
            var rowMajor: [CSVField] = []
            var rowLines: [Int] = []
            while let line = try tokenizer.nextRecord(into: &rowMajor) {
                let found = rowMajor.count - rowLines.count * width
                guard found == width else {
                    throw TabularError.raggedRow(path: path, line: line, fields: found, expected: width)
                }
                rowLines.append(line)
                if rowLines.count & 0xFFFF == 0, shouldStop?() == true { throw TabularError.cancelled(path: path) }
                if rowLines.count == 64 {
                    // Reserve for the whole file from the average length of the first rows.
                    let bytesPerRow = Swift.max(1, (tokenizer.index - dataStart) / 64)
                    let estimate = (buffer.count - dataStart) / bytesPerRow * 11 / 10 + 64
                    rowLines.reserveCapacity(estimate)
                    rowMajor.reserveCapacity(estimate * width)
                }
            }
            let rows = rowLines.count
            let columns = rowMajor.withUnsafeBufferPointer { source in
                (0..<width).map { column in
                    [CSVField](unsafeUninitializedCapacity: rows) { target, initialized in
                        for row in 0..<rows { target.initializeElement(at: row, to: source[row * width + column]) }
                        initialized = rows
                    }
                }
            }
            return CSVTokens(path: path, bytes: data, header: header, fields: columns, rowLines: rowLines)
        }
    }

    /// Appends the fields of the next non-empty record and returns its starting line, or `nil` at the end.
    private mutating func nextRecord(into fields: inout [CSVField]) throws -> Int? {
        let count = bytes.count
        while skipsBlankLines, index < count, bytes[index] == Self.lineFeed || bytes[index] == Self.carriageReturn {
            consumeLineBreak()
        }
        guard index < count else { return nil }
        let recordLine = line
        while true {
            if index < count, bytes[index] == Self.quote {
                fields.append(try quotedField(recordLine: recordLine))
            } else {
                let start = index
                let highestSpecial = Swift.max(delimiter, Self.carriageReturn)
                while index < count {
                    let byte = bytes[index]
                    // Most bytes (digits, letters) are above every special byte: one comparison.
                    if byte <= highestSpecial,
                       byte == delimiter || byte == Self.lineFeed || byte == Self.carriageReturn { break }
                    index += 1
                }
                fields.append(CSVField(start: start, end: index, flags: 0))
            }
            if index < count, bytes[index] == delimiter {
                index += 1
                continue
            }
            if index < count { consumeLineBreak() }
            return recordLine
        }
    }

    /// Scans a quoted field starting at its opening quote.
    private mutating func quotedField(recordLine: Int) throws -> CSVField {
        let count = bytes.count
        index += 1
        let start = index
        var flags = CSVField.quoted
        while true {
            guard index < count else { throw TabularError.unterminatedQuote(path: path, line: recordLine) }
            let byte = bytes[index]
            if byte == Self.quote {
                if index + 1 < count, bytes[index + 1] == Self.quote {
                    flags |= CSVField.escapedQuotes
                    index += 2
                    continue
                }
                break
            }
            if byte == Self.lineFeed { line += 1 }
            index += 1
        }
        let field = CSVField(start: start, end: index, flags: flags)
        index += 1
        if index < count {
            let next = bytes[index]
            guard next == delimiter || next == Self.lineFeed || next == Self.carriageReturn else {
                throw TabularError.unexpectedCharacterAfterQuote(path: path, line: line)
            }
        }
        return field
    }

    /// Consumes one LF, CRLF or CR line break.
    private mutating func consumeLineBreak() {
        if bytes[index] == Self.carriageReturn, index + 1 < bytes.count, bytes[index + 1] == Self.lineFeed {
            index += 1
        }
        index += 1
        line += 1
    }

    /// The unescaped text of a field.
    private func text(of field: CSVField) -> String {
        CSVTokenizer.text(of: field, in: bytes)
    }

    /// The unescaped text of a field in a buffer (doubled quotes become one quote).
    static func text(of field: CSVField, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard field.flags & CSVField.escapedQuotes != 0 else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]), as: UTF8.self)
        }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(field.end - field.start)
        var position = field.start
        while position < field.end {
            unescaped.append(bytes[position])
            position += bytes[position] == quote ? 2 : 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }
}
