import Dispatch
import Foundation
import Synchronization

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
    /// Where records may start: the end of the buffer, or of this tokenizer's chunk (a record that starts before it
    /// is read to its end, wherever that is).
    private var limit: Int
    private var line = 1
    private var skipsBlankLines = true

    private init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, path: String, start: Int) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.path = path
        self.index = start
        self.limit = bytes.count
    }

    /// Files at least this large are split into chunks tokenized in parallel.
    static let parallelThreshold = 1 << 20

    /// Validates UTF-8 and splits a whole file into a header and field ranges.
    ///
    /// A large file is cut into chunks at line ends outside quotes and the chunks are tokenized in parallel, one
    /// ``CSVTokens`` each, in row order; the result (rows, line numbers, the first error) is the same as reading
    /// it in one pass, which is what happens when the cut cannot be proven right (a line break inside quotes the
    /// cut misjudged, CR-only line ends, a one-column file).
    /// - Throws: ``TabularError`` for empty input, invalid UTF-8, quoting errors, duplicate header names and ragged rows.
    /// `shouldStop` is asked every 65,536 rows; `true` ends tokenizing with ``TabularError/cancelled(path:)``.
    static func tokenize(_ data: [UInt8], path: String, delimiter: UInt8,
                         shouldStop: (@Sendable () -> Bool)? = nil,
                         parallelism: Int = CSVReader.processors) throws -> [CSVTokens] {
        // Fields keep 32-bit offsets.
        if data.count > Int(UInt32.max) {
            throw TabularError.fileTooLarge(path: path, size: data.count, limit: Int(UInt32.max))
        }
        let hasBOM = data.starts(with: [0xEF, 0xBB, 0xBF])
        let (header, dataStart, dataLine, cut) = try data.withUnsafeBufferPointer { buffer in
            if let bad = UTF8Validation.firstInvalidOffset(in: buffer) {
                let line = 1 + buffer[0..<bad].reduce(0) { $0 + ($1 == lineFeed ? 1 : 0) }
                throw TabularError.invalidUTF8(path: path, line: line, byteOffset: bad)
            }
            var tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, path: path, start: hasBOM ? 3 : 0)
            guard let header = try tokenizer.header() else { throw TabularError.emptyFile(path: path) }
            let cut: (Int, Int)? = header.count > 1 && parallelism > 1
                ? (tokenizer.index, tokenizer.line) : nil
            return (header, tokenizer.index, tokenizer.line, cut)
        }
        let starts = cut.map { chunkStarts(data, from: $0.0, line: $0.1, count: parallelism) } ?? []
        if starts.count > 1 {
            let results = Mutex([Result<(tokens: CSVTokens, end: Int, line: Int), any Error>?](
                repeating: nil, count: starts.count))
            DispatchQueue.concurrentPerform(iterations: starts.count) { position in
                let end = position + 1 < starts.count ? starts[position + 1].offset : data.count
                let result = readChunk(data, path: path, delimiter: delimiter, header: header, from: starts[position],
                                       limit: end, shouldStop: shouldStop)
                results.withLock { $0[position] = result }
            }
            var chunks: [CSVTokens] = []
            for (position, result) in results.withLock({ $0 }).map({ $0! }).enumerated() {
                let (chunk, end, _) = try result.get()
                guard end == (position + 1 < starts.count ? starts[position + 1].offset : data.count) else {
                    chunks = []
                    break  // a record crossed the cut: the cut was inside quotes after all
                }
                chunks.append(chunk)
            }
            if !chunks.isEmpty { return chunks }
        }
        return [try readChunk(data, path: path, delimiter: delimiter, header: header, from: (dataStart, dataLine),
                              limit: data.count, shouldStop: shouldStop).get().tokens]
    }

    /// Tokenizes one block of a file read a block at a time (see ``CSVBlockStream``): the header first when `header`
    /// is `nil` (after a byte order mark at `start`), then the records that start before `limit`, the first on line
    /// `line`. Returns the tokens, where the last record ended and the line there; `nil` when more bytes are needed to
    /// decide (`isLast` false, and the header or a record runs past `limit` or into an error, which may only be the
    /// block's end). With `isLast`, errors are the file's errors and `limit` must be `data.count`.
    static func block(
        _ data: [UInt8], path: String, delimiter: UInt8, header known: [String]?, start: Int, line: Int, limit: Int,
        isLast: Bool, shouldStop: (@Sendable () -> Bool)?
    ) throws -> (tokens: CSVTokens, end: Int, line: Int)? {
        var header = known, from = (offset: start, line: line)
        if header == nil {
            let read = try data.withUnsafeBufferPointer { buffer -> (header: [String]?, end: Int, line: Int) in
                var tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, path: path, start: start)
                tokenizer.line = line
                do {
                    return (try tokenizer.header(), tokenizer.index, tokenizer.line)
                } catch let error as TabularError where !isLast && error.mayBeTheBlockEnd {
                    return (nil, 0, 0)
                }
            }
            // An unfinished header record (or none yet) needs more bytes; at the end of the file, none is an error.
            guard let found = read.header, isLast || (read.end <= limit && read.end < data.count) else {
                if isLast { throw TabularError.emptyFile(path: path) }
                return nil
            }
            (header, from) = (found, (read.end, read.line))
        }
        // A one-column file is read in one block: there, an empty line is a row.
        if !isLast, header!.count == 1 { return nil }
        switch readChunk(data, path: path, delimiter: delimiter, header: header!, from: from, limit: limit,
                         shouldStop: shouldStop) {
        case .success(let chunk):
            if !isLast, chunk.end != limit { return nil }  // the last record crossed the cut
            return chunk
        case .failure(let error as TabularError) where !isLast && error.mayBeTheBlockEnd:
            return nil
        case .failure(let error):
            throw error
        }
    }

    /// Tokenizes the records that start in `from.offset..<limit` (the first on line `from.line`), and where the last
    /// one ended, with the line there.
    private static func readChunk(
        _ data: [UInt8], path: String, delimiter: UInt8, header: [String], from: (offset: Int, line: Int), limit: Int,
        shouldStop: (@Sendable () -> Bool)?
    ) -> Result<(tokens: CSVTokens, end: Int, line: Int), any Error> {
        data.withUnsafeBufferPointer { buffer in
            var tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, path: path, start: from.offset)
            tokenizer.line = from.line
            tokenizer.limit = limit
            tokenizer.skipsBlankLines = header.count > 1
            return Result {
                let (columns, rowLines) = try tokenizer.records(width: header.count, shouldStop: shouldStop)
                return (CSVTokens(path: path, bytes: data, header: header, fields: columns, rowLines: rowLines),
                        tokenizer.index, tokenizer.line)
            }
        }
    }

    /// Reads the header record (skipping empty lines before it), or `nil` when there is none.
    /// - Throws: ``TabularError/duplicateHeader(path:name:)``, or a quoting error.
    private mutating func header() throws -> [String]? {
        var fields: [CSVField] = []
        guard try nextRecord(into: &fields) != nil else { return nil }
        let header = fields.map { text(of: $0) }
        var seen = Set<String>()
        for name in header where !seen.insert(name).inserted {
            throw TabularError.duplicateHeader(path: path, name: name)
        }
        return header
    }

    /// Where `count` chunks of the data from `start` (on line `line`) begin: after line feeds outside quotes,
    /// near equal sizes, with each chunk's first line. Empty when the file is small or has a CR-only line end
    /// (line numbers are then counted by the single pass).
    ///
    /// Quote parity decides "outside quotes"; where a stray quote in an unquoted field misleads it, a record
    /// crosses the cut and ``tokenize(_:path:delimiter:shouldStop:parallelism:)`` reads the file in one pass.
    private static func chunkStarts(_ data: [UInt8], from start: Int, line: Int, count: Int) -> [(offset: Int, line: Int)] {
        let total = data.count - start
        guard total >= parallelThreshold, count > 1 else { return [] }
        let size = total / count
        // Quotes and line feeds in each nominal part, counted in parallel; any CR not followed by LF stops the cut.
        let tallies = Mutex([ByteTally?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { part in
            let lower = start + part * size, upper = part == count - 1 ? data.count : lower + size
            let tally = data.withUnsafeBufferPointer { ByteTally(of: $0, lower..<upper) }
            tallies.withLock { $0[part] = tally }
        }
        let parts = tallies.withLock { $0 }.map { $0! }
        guard !parts.contains(where: \.loneCarriageReturn) else { return [] }
        var starts = [(offset: start, line: line)]
        var quotes = 0, lines = line
        data.withUnsafeBufferPointer { bytes in
            for part in 0..<(count - 1) {
                quotes &+= parts[part].quotes
                lines += parts[part].lineFeeds
                // From the end of this part, the first line feed with an even number of quotes before it.
                var parity = quotes, seen = lines
                var index = start + (part + 1) * size
                let stop = part + 2 == count ? bytes.count : index + size
                while index < stop - 1 {
                    let byte = bytes[index]
                    if byte == quote {
                        parity &+= 1
                    } else if byte == lineFeed {
                        seen += 1
                        if parity & 1 == 0 {
                            if index + 1 > starts[starts.count - 1].offset { starts.append((index + 1, seen)) }
                            break
                        }
                    }
                    index += 1
                }
            }
        }
        return starts
    }

    /// Reads records from `index` until `limit`, column-major, with the line each row starts on.
    private mutating func records(width: Int, shouldStop: (@Sendable () -> Bool)?) throws -> (FieldColumns, [Int]) {
        let dataStart = index
        let columns = FieldColumns(width: width)
        var rowLines: [Int] = []
        while let (line, found) = try nextRecord(into: columns, width: width) {
            guard found == width else {
                throw TabularError.raggedRow(path: path, line: line, fields: found, expected: width)
            }
            rowLines.append(line)
            if rowLines.count & 0xFFFF == 0, shouldStop?() == true { throw TabularError.cancelled(path: path) }
            if rowLines.count == 64 {
                // Reserve for the whole chunk from the average length of the first rows.
                let bytesPerRow = Swift.max(1, (index - dataStart) / 64)
                let estimate = (limit - dataStart) / bytesPerRow * 11 / 10 + 64
                rowLines.reserveCapacity(estimate)
                columns.reserve(estimate)
            }
        }
        return (columns, rowLines)
    }

    /// Reads the next non-empty record into `columns` (its first `width` fields) and returns its starting line and
    /// how many fields it has, or `nil` at the end.
    private mutating func nextRecord(into columns: FieldColumns, width: Int) throws -> (line: Int, fields: Int)? {
        var found = 0
        guard let line = try nextRecord(emit: { field in
            if found < width { columns.append(field, to: found) }
            found += 1
        }) else { return nil }
        return (line, found)
    }

    /// Appends the fields of the next non-empty record and returns its starting line, or `nil` at the end.
    private mutating func nextRecord(into fields: inout [CSVField]) throws -> Int? {
        try nextRecord { fields.append($0) }
    }

    /// Passes the fields of the next non-empty record to `emit` and returns its starting line, or `nil` at the end.
    @inline(__always)
    private mutating func nextRecord(emit: (CSVField) -> Void) throws -> Int? {
        let count = bytes.count
        while skipsBlankLines, index < limit, bytes[index] == Self.lineFeed || bytes[index] == Self.carriageReturn {
            consumeLineBreak()
        }
        guard index < limit else { return nil }
        let recordLine = line
        while true {
            if index < count, bytes[index] == Self.quote {
                emit(try quotedField(recordLine: recordLine))
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
                emit(CSVField(start: start, end: index))
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
        while true {
            guard index < count else { throw TabularError.unterminatedQuote(path: path, line: recordLine) }
            let byte = bytes[index]
            if byte == Self.quote {
                if index + 1 < count, bytes[index + 1] == Self.quote {
                    index += 2
                    continue
                }
                break
            }
            if byte == Self.lineFeed { line += 1 }
            index += 1
        }
        let field = CSVField(start: start, end: index)
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
        guard field.hasEscapedQuotes(in: bytes) else {
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

/// Quotes, line feeds and CR-only line ends in a range of bytes, eight bytes at a time.
private struct ByteTally {
    var quotes = 0
    var lineFeeds = 0
    var loneCarriageReturn = false

    init(of bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        /// 0x80 in each byte of `word` that is zero, exactly (no borrow between bytes).
        func zeros(_ word: UInt64) -> UInt64 { ~(((word & low) &+ low) | word | low) }
        var index = range.lowerBound
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while index + 8 <= range.upperBound {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            quotes += zeros(word ^ (ones &* 0x22)).nonzeroBitCount
            lineFeeds += zeros(word ^ (ones &* 0x0A)).nonzeroBitCount
            if zeros(word ^ (ones &* 0x0D)) != 0 {
                for offset in index..<(index + 8) where bytes[offset] == 0x0D {
                    if offset + 1 >= bytes.count || bytes[offset + 1] != 0x0A { loneCarriageReturn = true }
                }
            }
            index += 8
        }
        while index < range.upperBound {
            switch bytes[index] {
            case 0x22: quotes += 1
            case 0x0A: lineFeeds += 1
            case 0x0D where index + 1 >= bytes.count || bytes[index + 1] != 0x0A: loneCarriageReturn = true
            default: break
            }
            index += 1
        }
    }
}

extension TabularError {
    /// Whether a block read a block at a time may have failed only because its bytes end before the file does (a
    /// record or quote cut short); the other errors are the file's whatever follows.
    var mayBeTheBlockEnd: Bool {
        switch self {
        case .cancelled, .duplicateHeader: return false
        default: return true
        }
    }
}
