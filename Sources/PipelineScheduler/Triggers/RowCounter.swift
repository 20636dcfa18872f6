import Foundation
public import PipelineModel

/// Counts the rows of a `data:` rule's source: CSV data rows of files (header excluded), an SQLite query's number,
/// or the number a command prints.
///
/// For `path:`, "as of" a past time counts only files whose modification time is at or before it — which is how
/// the backtest replays data arrival (files rewritten later count from their last modification). Queries and
/// commands can only be asked about now.
public struct RowCounter: Sendable {
    /// Runs an SQLite query on a file and returns its first column of the first row (given by the composition
    /// root, which owns the SQLite library).
    public typealias SQLiteCount = @Sendable (_ file: String, _ query: String) throws -> Int

    /// The default most bytes one CSV file may have: 4 GiB (the same default as `Tabular.DataLimits`).
    public static let defaultMaxFileBytes = 4 << 30
    /// The most bytes a command may print: 64 KiB (it prints one number).
    public static let maxCommandOutputBytes = 64 << 10

    let sqliteCount: SQLiteCount?
    let maxFileBytes: Int

    /// Creates a counter; without `sqliteCount`, `query:` sources fail with an explanation.
    /// - Parameters:
    ///   - sqliteCount: Runs `query:` sources.
    ///   - maxFileBytes: The most bytes one CSV file may have; only regular files are read.
    public init(sqliteCount: SQLiteCount? = nil, maxFileBytes: Int = RowCounter.defaultMaxFileBytes) {
        self.sqliteCount = sqliteCount
        self.maxFileBytes = max(1, maxFileBytes)
    }

    /// The rows of `source` as of `asOf` (`nil`: now), or `nil` when that cannot be known.
    /// - Parameters:
    ///   - timeout: How long a `command:` source may run before its process group is killed.
    ///   - shouldStop: Polled while a command runs; `true` kills its group and throws `CancellationError`.
    /// - Throws: ``RowCountError`` saying what could not be counted and how to fix it; `CancellationError`.
    public func count(
        _ source: DataSource, baseDirectory: String, asOf: Timestamp?,
        timeout: Duration = .seconds(60), shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> Int? {
        switch source {
        case .path(let path):
            return try csvRows(path: Self.resolve(path, in: baseDirectory), asOf: asOf)
        case .query(let file, let query):
            guard asOf == nil else { return nil }
            guard let sqliteCount else { throw RowCountError("SQLite queries are not available here") }
            return try sqliteCount(Self.resolve(file, in: baseDirectory), query)
        case .command(let argv):
            guard asOf == nil else { return nil }
            return try Self.commandNumber(argv, in: baseDirectory, timeout: timeout, shouldStop: shouldStop)
        }
    }

    /// The timeout of `rule`'s command: its `timeout:` or ``DataRule/defaultCommandTimeout``.
    /// - Throws: ``RowCountError`` when the text is not a duration.
    public static func timeout(of rule: DataRule) throws -> Duration {
        do {
            return try DurationText.parse(rule.timeout ?? DataRule.defaultCommandTimeout)
        } catch {
            throw RowCountError("data: timeout: \(error)")
        }
    }

    static func resolve(_ path: String, in base: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }

    /// The CSV files a path names: a file, every `.csv` file in a folder (recursively), or a glob's matches.
    static func files(_ path: String) -> [String] {
        var isFolder: ObjCBool = false
        if path.contains("*") || path.contains("?") {
            var result = glob_t()
            defer { globfree(&result) }
            guard glob(path, 0, nil, &result) == 0 else { return [] }
            return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [path] }
        let enumerator = FileManager.default.enumerator(atPath: path)
        var found: [String] = []
        while let name = enumerator?.nextObject() as? String {
            if name.lowercased().hasSuffix(".csv") { found.append((path as NSString).appendingPathComponent(name)) }
        }
        return found.sorted()
    }

    func csvRows(path: String, asOf: Timestamp?) throws -> Int {
        var total = 0
        for file in Self.files(path) {
            if let asOf {
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                if let modified = attributes[.modificationDate] as? Date,
                    Timestamp(nanosecondsSince1970: Int64(modified.timeIntervalSince1970 * 1e9)) > asOf
                {
                    continue
                }
            }
            total += try Self.dataRows(file, maxBytes: maxFileBytes)
        }
        return total
    }

    /// Data rows of one CSV file: non-empty lines minus the header (quoted line breaks counted as one row).
    /// Only a regular file of at most `maxBytes` bytes is read (a device or FIFO would never end).
    static func dataRows(_ file: String, maxBytes: Int = defaultMaxFileBytes) throws -> Int {
        var status = stat()
        guard stat(file, &status) == 0 else {
            throw RowCountError("\(file): cannot read (\(String(cString: strerror(errno)))); check the path")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw RowCountError("\(file): not a regular file (a device, FIFO or socket); rows are counted only in "
                + "regular files, since reading a device or a pipe may never end. Fix: point path: at files or a folder of files")
        }
        guard Int(status.st_size) <= maxBytes else {
            throw RowCountError("\(file): file has \(status.st_size) bytes, more than the limit of \(maxBytes) bytes per "
                + "data file. Fix: split the data into several files, or raise the limit (kiln: KILN_MAX_DATA_FILE_BYTES)")
        }
        let descriptor = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RowCountError("\(file): cannot read (\(String(cString: strerror(errno)))); check its permissions")
        }
        defer { close(descriptor) }
        var lines = 0
        var quoted = false
        var lineHasContent = false
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw RowCountError("\(file): cannot read (\(String(cString: strerror(errno))))")
            }
            if count == 0 { break }
            total += count
            guard total <= maxBytes else {
                throw RowCountError("\(file): file grew past the limit of \(maxBytes) bytes while it was read. Fix: count "
                    + "rows once the file is complete, or raise the limit (kiln: KILN_MAX_DATA_FILE_BYTES)")
            }
            for byte in chunk[0..<count] {
                if byte == UInt8(ascii: "\"") { quoted.toggle() }
                if byte == UInt8(ascii: "\n") && !quoted {
                    if lineHasContent { lines += 1 }
                    lineHasContent = false
                } else if byte != UInt8(ascii: "\r") {
                    lineHasContent = true
                }
            }
        }
        if lineHasContent { lines += 1 }
        return max(0, lines - 1)
    }

    /// Runs `argv` (looked up on `PATH`, in `base`) and reads the number it prints, under `timeout`.
    static func commandNumber(
        _ argv: [String], in base: String, timeout: Duration, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> Int {
        guard !argv.isEmpty else { throw RowCountError("the command is empty") }
        let shown = argv.joined(separator: " ")
        let result = try CommandRun.run(argv, in: base, timeout: timeout, maxOutput: maxCommandOutputBytes,
                                        shouldStop: shouldStop)
        switch result.ending {
        case .timedOut:
            throw RowCountError("\(shown) did not finish within \(DurationText.format(timeout)) (timeout), so its "
                + "process group was killed. Fix: make the command faster, or give the rule a longer timeout "
                + "(e.g. data: {command: [...], timeout: 5m}; at most \(DataRule.maxCommandTimeout))")
        case .outputTooLong:
            throw RowCountError("\(shown) printed more than \(maxCommandOutputBytes) bytes, so its process group was "
                + "killed. Fix: make the command print only the row count")
        case .exited(let status):
            guard status == 0 else { throw RowCountError("\(shown) exited with \(status)") }
        case .signalled(let signal):
            throw RowCountError("\(shown) was killed by signal \(signal)")
        }
        let text = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let number = Double(text.replacingOccurrences(of: ",", with: "")), number.isFinite,
            abs(number) < 9.2e18
        else {
            throw RowCountError("\(shown) printed '\(text.prefix(40))', not a number")
        }
        return Int(number)
    }
}

/// `read(2)`, named so that a type's own `read` members do not hide it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
