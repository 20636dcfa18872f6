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
