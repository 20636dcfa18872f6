import Dispatch
import Foundation
import Synchronization

extension CSVReader {
    /// The bytes read at a time by ``forEachBlock(contentsOf:blockBytes:shouldStop:_:)`` unless told otherwise.
    public static let defaultBlockBytes = 1 << 20

    /// Reads CSV files a block of rows at a time, as frames with the column types ``read(contentsOf:shouldStop:)``
    /// gives the whole, so a summary of a large file needs memory for one block rather than for the file.
    ///
    /// A first pass over the files infers the column types (overrides are kept); a second cuts each file into blocks
    /// of about `blockBytes` bytes at record ends, converts each into a frame with those types and hands it to `body`,
    /// in row order. `body` is called at least once per file: a header-only file gives one frame of 0 rows.
    /// A one-column file is read as one block (there, an empty line is a row). The files, limits and errors are those
    /// of ``read(contentsOf:shouldStop:)``, with the same lines; an error is reported when its block is reached, so
    /// `body` may have seen earlier blocks.
    /// - Parameters:
    ///   - path: A file path, a directory path or a glob pattern.
    ///   - blockBytes: About how many bytes of the file each block has (at least 1; a record is never cut).
    ///   - shouldStop: Asked between blocks and every 65,536 rows; `true` stops with ``TabularError/cancelled(path:)``.
    ///   - body: Receives each block's frame.
    /// - Throws: What `read(contentsOf:)` throws, or what `body` throws.
    public func forEachBlock(
        contentsOf path: String, blockBytes: Int = CSVReader.defaultBlockBytes,
        shouldStop: (@Sendable () -> Bool)? = nil, _ body: (DataFrame) throws -> Void
    ) throws {
        let paths = try CSVReader.files(matching: path)
        for file in paths { try options.limits.check(file) }
        let missing = options.missingTokens.map { Array($0.utf8) }
        // First pass: the types, over every file.
        var header: [String] = []
        var inferences: [CSVColumnBuilder.Inference] = []
        try forEachTokens(paths, blockBytes: blockBytes, shouldStop: shouldStop) { tokens in
            if header.isEmpty {
                header = tokens.header
                for name in options.typeOverrides.keys.sorted() where !header.contains(name) {
                    throw TabularError.unknownOverrideColumn(path: tokens.path, column: name, available: header)
                }
                inferences = [CSVColumnBuilder.Inference](repeating: .nothing, count: header.count)
            }
            let builder = CSVColumnBuilder(files: [tokens], missingTokens: missing)
            let open = header.indices.filter { options.typeOverrides[header[$0]] == nil && inferences[$0] != .string }
            if tokens.rowCount * open.count >= Self.parallelColumnsThreshold {
                let current = inferences, results = Mutex(inferences)
                DispatchQueue.concurrentPerform(iterations: open.count) { index in
                    let position = open[index]
                    let state = builder.infer(position: position, from: current[position])
                    results.withLock { $0[position] = state }
                }
                inferences = results.withLock { $0 }
            } else {
                for position in open {
                    inferences[position] = builder.infer(position: position, from: inferences[position])
                }
            }
        }
        // Second pass: each block converted with those types.
        var typed = self
        for (position, name) in header.enumerated() where typed.options.typeOverrides[name] == nil {
            typed.options.typeOverrides[name] = inferences[position].type
        }
        try forEachTokens(paths, blockBytes: blockBytes, shouldStop: shouldStop) { try body(typed.frame(from: [$0])) }
    }

    /// Tokenizes `paths` a block at a time, in order, checking that every file has the first one's header.
    private func forEachTokens(
        _ paths: [String], blockBytes: Int, shouldStop: (@Sendable () -> Bool)?, _ body: (CSVTokens) throws -> Void
    ) throws {
        var header: [String]?
        for file in paths {
            var stream = try CSVBlockStream(path: file, delimiter: options.delimiter, blockBytes: blockBytes,
                                            maxBytes: options.limits.maxFileBytes)
            while let tokens = try stream.next(shouldStop: shouldStop) {
                if let header, tokens.header != header {
                    throw TabularError.headerMismatch(path: file, expected: header, found: tokens.header)
                }
                header = tokens.header
                try body(tokens)
            }
        }
    }
}

/// One CSV file read from disk a block at a time, each block cut after a line end outside quotes and tokenized with
/// the file's line numbers and byte offsets.
///
/// Quote parity picks the cut; a stray quote in an unquoted field can mislead it, and so can the end of the bytes read
/// so far, so a block whose last record does not end exactly at the cut (or that fails) is read again with more bytes:
/// at the end of the file the block is the rest of it, and its result is the file's.
struct CSVBlockStream {
    private let path: String
    private let delimiter: UInt8
    private let blockBytes: Int
    private let maxBytes: Int
    private let file: ReadableFile
    /// Bytes read but not yet handed out, from the start of a record (or of the file).
    private var pending: [UInt8] = []
    /// The file offset of `pending[0]`.
    private var offset = 0
    /// The line `pending` starts on.
    private var line = 1
    private var atEnd = false
    private var header: [String]?
    private var handedOut = false

    /// Opens `path` (a regular file of at most `maxBytes` bytes).
    init(path: String, delimiter: UInt8, blockBytes: Int, maxBytes: Int) throws {
        self.path = path
        self.delimiter = delimiter
        self.blockBytes = Swift.max(1, blockBytes)
        self.maxBytes = maxBytes
        file = try ReadableFile(path: path, maxBytes: maxBytes)
    }

    /// The next block's tokens (at least one block per file, possibly of 0 rows), or `nil` after the last.
    mutating func next(shouldStop: (@Sendable () -> Bool)?) throws -> CSVTokens? {
        var wanted = blockBytes
        while true {
            if shouldStop?() == true { throw TabularError.cancelled(path: path) }
            while !atEnd, pending.count < wanted { try fill(upTo: wanted) }
            if atEnd, pending.isEmpty, header != nil {
                guard !handedOut else { return nil }
                handedOut = true
                return CSVTokens(path: path, bytes: [], header: header!, fields: FieldColumns(width: header!.count),
                                 rowLines: [])
            }
            let start = header == nil && offset == 0 && pending.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            if let cut = atEnd ? pending.count : lastRecordEnd(from: start) {
                if let bad = pending.withUnsafeBufferPointer({
                    UTF8Validation.firstInvalidOffset(in: UnsafeBufferPointer(rebasing: $0[0..<cut]))
                }) {
                    let lines = pending[0..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                    throw TabularError.invalidUTF8(path: path, line: line + lines, byteOffset: offset + bad)
                }
                if let (tokens, end, endLine) = try CSVTokenizer.block(
                    pending, path: path, delimiter: delimiter, header: header, start: start, line: line, limit: cut,
                    isLast: atEnd, shouldStop: shouldStop) {
                    header = tokens.header
                    handedOut = true
                    pending = Array(pending[end...])
                    offset += end
                    line = endLine
                    return tokens
                }
            }
            // No cut, or the block could not be decided: read as much again.
            wanted = pending.count * 2
        }
    }

    /// Reads until `pending` has `count` bytes or the file ends.
    private mutating func fill(upTo count: Int) throws {
        let before = pending.count
        pending.append(contentsOf: repeatElement(0, count: count - before))
        let read = try pending.withUnsafeMutableBytes { buffer in
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[before...]))
        }
        pending.removeLast(count - before - read)
        if read < count - before { atEnd = true }
        if offset + pending.count > maxBytes {
            throw TabularError.fileTooLarge(path: path, size: offset + pending.count, limit: maxBytes)
        }
    }

    /// Just after the last line feed of `pending` with an even number of quotes between `start` and it, or `nil`.
    private func lastRecordEnd(from start: Int) -> Int? {
        pending.withUnsafeBufferPointer { bytes -> Int? in
            guard bytes.count > start else { return nil }
            var quotes = 0
            var position = start
            while let found = memchr(bytes.baseAddress! + position, 0x22, bytes.count - position) {
                quotes += 1
                position = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            }
            var index = bytes.count - 1
            while index >= start {
                switch bytes[index] {
                case 0x22: quotes -= 1
                case 0x0A where quotes & 1 == 0: return index + 1
                default: break
                }
                index -= 1
            }
            return nil
        }
    }
}
