import Foundation

/// A minimal CSV reader for the benchmark files: header row, comma separated, no quoted fields,
/// empty field = missing. Columns whose non-empty fields all parse as numbers are numeric.
struct CSVTable {
    var header: [String]
    /// Raw fields, column-major.
    var fields: [[Substring]]
    var rowCount: Int { fields.first?.count ?? 0 }

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw BenchError("\(path) is empty") }
        let head = lines.removeFirst()
        header = head.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields = Array(repeating: [], count: header.count)
        for (n, line) in lines.enumerated() {
            if line.contains("\"") { throw BenchError("\(path) line \(n + 2) has a quote; this reader does not parse quoted fields") }
            let parts = line.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == header.count else {
                throw BenchError("\(path) line \(n + 2) has \(parts.count) fields, header has \(header.count)")
            }
            for (c, p) in parts.enumerated() { fields[c].append(p) }
        }
    }

    /// The column as numbers (NaN for empty), or nil when some non-empty field is not a number.
    func numeric(_ column: Int) -> [Double]? {
        var out = [Double]()
        out.reserveCapacity(rowCount)
        for f in fields[column] {
            if f.isEmpty { out.append(.nan); continue }
            guard let v = Double(f) else { return nil }
            out.append(v)
        }
        return out
    }
}
