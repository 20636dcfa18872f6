import Dispatch
import Foundation
import Synchronization

/// Reads RFC 4180 CSV (header row required) from bytes, a file, a directory or a glob into a ``DataFrame``.
///
/// - Parsing works on raw bytes; input must be UTF-8 (a leading BOM is ignored).
/// - Quoted fields may contain delimiters, doubled quotes and line breaks; LF, CRLF and CR line ends are accepted.
/// - Unquoted fields equal to a missing token (empty, `NA`, `null`, `NaN` by default) become null;
///   quoted fields are always values, so `""` is an empty string.
/// - Column types are inferred (int, then double, then bool, else string) unless overridden; a column
///   with only missing values is a string column of nulls. A header-only file gives a frame with 0 rows.
/// - Empty lines are skipped, except in a one-column file where an empty line is a null row. `inf`/`infinity` (any sign/case) parse as doubles; `NaN` is null.
public struct CSVReader: Sendable {
    /// The reading options.
    public var options: CSVReadOptions
    /// Fields from which columns convert in parallel (below, starting threads costs more than it saves).
    static let parallelColumnsThreshold = 1 << 16

    /// How many chunks a large file is tokenized in, in parallel (tests read with 1 to compare).
    var parallelism = CSVReader.processors

    /// The active processors, read once (on Linux each read opens cgroup files).
    static let processors = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Creates a reader.
    /// - Parameters:
    ///   - options: Delimiter, type overrides and missing tokens.
    public init(options: CSVReadOptions = CSVReadOptions()) {
        self.options = options
    }

    /// Parses CSV bytes.
    /// - Parameters:
    ///   - bytes: UTF-8 CSV text including the header row.
    ///   - name: The name used in error messages (e.g. the file path).
    /// - Throws: ``TabularError`` describing malformed input with `name:line`.
    public func read(bytes: [UInt8], name: String = "<memory>") throws -> DataFrame {
        try frame(from: CSVTokenizer.tokenize(bytes, path: name, delimiter: options.delimiter, parallelism: parallelism))
    }

    /// Parses CSV text.
    /// - Parameters:
    ///   - text: CSV text including the header row.
    ///   - name: The name used in error messages.
    /// - Throws: ``TabularError`` describing malformed input.
    public func read(text: String, name: String = "<memory>") throws -> DataFrame {
        try read(bytes: Array(text.utf8), name: name)
    }

    /// Reads one CSV file, every `*.csv` file of a directory, or the files matching a glob such as
    /// `data/incoming/*.csv` (wildcards `*`, `?` in the last path component), in name order, into one frame.
    ///
    /// All files must have the same header; types are inferred over all files together.
    /// Every file must be a regular file of at most `options.limits.maxFileBytes` bytes (checked before it is
    /// opened, so a device or a FIFO fails at once).
    /// - Parameters:
    ///   - path: A file path, a directory path or a glob pattern.
    ///   - shouldStop: Asked between files and every 65,536 rows; when it returns `true`, reading stops with
    ///     ``TabularError/cancelled(path:)``.
    /// - Throws: ``TabularError/noFilesMatched(pattern:)``, ``TabularError/headerMismatch(path:expected:found:)``,
    ///   ``TabularError/fileUnreadable(path:reason:)``, ``TabularError/notRegularFile(path:kind:)``,
    ///   ``TabularError/fileTooLarge(path:size:limit:)``, ``TabularError/cancelled(path:)`` or any parse error.
    public func read(contentsOf path: String, shouldStop: (@Sendable () -> Bool)? = nil) throws -> DataFrame {
        let paths = try CSVReader.files(matching: path)
        for file in paths { try options.limits.check(file) }
        var files: [CSVTokens] = []
        for file in paths {
            if shouldStop?() == true { throw TabularError.cancelled(path: file) }
            let chunks = try CSVTokenizer.tokenize(options.limits.read(file), path: file, delimiter: options.delimiter,
                                                   shouldStop: shouldStop, parallelism: parallelism)
            if let first = files.first, first.header != chunks[0].header {
                throw TabularError.headerMismatch(path: file, expected: first.header, found: chunks[0].header)
            }
            files.append(contentsOf: chunks)
        }
        return try frame(from: files)
    }

    /// Builds the frame from tokenized files that share one header.
    func frame(from files: [CSVTokens]) throws -> DataFrame {
        let first = files[0]
        for name in options.typeOverrides.keys.sorted() where !first.header.contains(name) {
            throw TabularError.unknownOverrideColumn(path: first.path, column: name, available: first.header)
        }
        let builder = CSVColumnBuilder(files: files, missingTokens: options.missingTokens.map { Array($0.utf8) })
        let header = first.header, overrides = options.typeOverrides
        let rows = files.reduce(0) { $0 + $1.rowCount }
        let columns: [Column]
        if rows * header.count >= Self.parallelColumnsThreshold {
            // Columns convert independently, in parallel; the first failing column (in file order) is reported.
            let results = Mutex([Result<Column, any Error>?](repeating: nil, count: header.count))
            DispatchQueue.concurrentPerform(iterations: header.count) { position in
                let result = Result {
                    try builder.build(position: position, name: header[position], override: overrides[header[position]])
                }
                results.withLock { $0[position] = result }
            }
            columns = try results.withLock { $0 }.map { try $0!.get() }
        } else {
            columns = try header.indices.map { position in
                try builder.build(position: position, name: header[position], override: overrides[header[position]])
            }
        }
        return DataFrame(uncheckedColumns: columns, rowCount: rows)
    }
}
