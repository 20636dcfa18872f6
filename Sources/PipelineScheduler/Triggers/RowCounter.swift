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

    let sqliteCount: SQLiteCount?

    /// Creates a counter; without `sqliteCount`, `query:` sources fail with an explanation.
    public init(sqliteCount: SQLiteCount? = nil) {
        self.sqliteCount = sqliteCount
    }

    /// The rows of `source` as of `asOf` (`nil`: now), or `nil` when that cannot be known.
    public func count(_ source: DataSource, baseDirectory: String, asOf: Timestamp?) throws -> Int? {
        switch source {
        case .path(let path):
            return try Self.csvRows(path: Self.resolve(path, in: baseDirectory), asOf: asOf)
        case .query(let file, let query):
            guard asOf == nil else { return nil }
            guard let sqliteCount else { throw RowCountError("SQLite queries are not available here") }
            return try sqliteCount(Self.resolve(file, in: baseDirectory), query)
        case .command(let argv):
            guard asOf == nil else { return nil }
            return try Self.commandNumber(argv, in: baseDirectory)
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

    static func csvRows(path: String, asOf: Timestamp?) throws -> Int {
        var total = 0
        for file in files(path) {
            if let asOf {
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                if let modified = attributes[.modificationDate] as? Date,
                    Timestamp(nanosecondsSince1970: Int64(modified.timeIntervalSince1970 * 1e9)) > asOf
                {
                    continue
                }
            }
            total += try dataRows(file)
        }
        return total
    }

    /// Data rows of one CSV file: non-empty lines minus the header (quoted line breaks counted as one row).
    static func dataRows(_ file: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        var lines = 0
        var quoted = false
        var lineHasContent = false
        for byte in data {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if byte == UInt8(ascii: "\n") && !quoted {
                if lineHasContent { lines += 1 }
                lineHasContent = false
            } else if byte != UInt8(ascii: "\r") {
                lineHasContent = true
            }
        }
        if lineHasContent { lines += 1 }
        return max(0, lines - 1)
    }

    static func commandNumber(_ argv: [String], in base: String) throws -> Int {
        guard let executable = argv.first else { throw RowCountError("the command is empty") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + argv.dropFirst()
        process.currentDirectoryURL = URL(fileURLWithPath: base)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RowCountError("\(argv.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let number = Double(text.replacingOccurrences(of: ",", with: "")), number.isFinite else {
            throw RowCountError("\(argv.joined(separator: " ")) printed '\(text.prefix(40))', not a number")
        }
        return Int(number)
    }
}
