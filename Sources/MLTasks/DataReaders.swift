public import PipelineModel
public import Tabular

/// How the ML kinds read the formats they do not parse themselves: YAML documents and SQL databases.
///
/// The ML kinds depend on neither a YAML nor a database library; whoever builds the task kind registry plugs the
/// readers in (the `kiln` executable uses `PipelineFile`'s YAML reader and `SQLiteData`'s query). A reader left
/// `nil` makes the input that needs it fail with a message saying so.
public struct DataReaders: Sendable {
    /// Parses YAML text into plain values.
    public typealias YAMLParser = @Sendable (_ text: String) throws -> JSONValue
    /// Runs one `SELECT` on the SQLite file at an absolute path, read-only.
    public typealias SQLQuery = @Sendable (_ database: String, _ query: String) throws -> DataFrame

    /// Reads `.yaml`/`.yml` config files (`train`'s `config`, `validate`'s `rules`, `features`' `transforms`).
    public var yaml: YAMLParser?
    /// Runs `extract-sql`'s query.
    public var sql: SQLQuery?
    /// The most bytes one data file may have (CSV, binary frames, model and config files); only regular files
    /// are read. Default ``DataLimits/default`` (4 GiB per file).
    public var limits: DataLimits
    /// The home folder, where `predictions:NAME` and `feedback:NAME` data is (``MonitoringData``); `nil` reads
    /// those names as paths.
    public var home: String?

    /// Creates readers.
    /// - Parameters:
    ///   - yaml: The YAML parser, or `nil` to accept JSON config files only.
    ///   - sql: The SQL runner, or `nil` to make `extract-sql` fail with a clear message.
    ///   - limits: The most bytes one data file may have.
    ///   - home: The home folder for `predictions:NAME` and `feedback:NAME`.
    public init(yaml: YAMLParser? = nil, sql: SQLQuery? = nil, limits: DataLimits = .default, home: String? = nil) {
        self.home = home
        self.yaml = yaml
        self.sql = sql
        self.limits = limits
    }
}
