/// Where a ``DataRule`` counts rows.
public enum DataSource: Sendable, Hashable, Codable {
    /// A CSV file, a folder of CSV files, or a glob, relative to the pipeline file's folder: data rows (header
    /// excluded) of every file.
    case path(String)
    /// `SELECT count(*) …` on an SQLite file: the first column of the first row.
    case query(sqlite: String, query: String)
    /// A command (argv, never a shell) that prints a number.
    case command([String])

    /// A short description for evidence and errors.
    public var summary: String {
        switch self {
        case .path(let path): return path
        case .query(let file, _): return "query on \(file)"
        case .command(let argv): return argv.joined(separator: " ")
        }
    }
}
