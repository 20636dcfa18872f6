/// `data:` — fires when at least ``newRows`` rows arrived since the last run.
public struct DataRule: Sendable, Hashable, Codable {
    /// Where rows are counted.
    public var source: DataSource
    /// How many new rows make the rule fire.
    public var newRows: Int

    /// Creates a rule.
    public init(source: DataSource, newRows: Int) {
        self.source = source
        self.newRows = newRows
    }

    private enum CodingKeys: String, CodingKey {
        case source
        case newRows = "new_rows"
    }
}

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
