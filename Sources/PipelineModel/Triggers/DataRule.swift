/// `data:` — fires when at least ``newRows`` rows arrived since the last run.
public struct DataRule: Sendable, Hashable, Codable {
    /// The time a `command:` source gets when the rule sets no ``timeout``: 60 s.
    public static let defaultCommandTimeout = "60s"
    /// The longest ``timeout`` a rule may set: 1 h.
    public static let maxCommandTimeout = "1h"

    /// Where rows are counted.
    public var source: DataSource
    /// How many new rows make the rule fire.
    public var newRows: Int
    /// How long a `command:` source may run (a duration such as `30s`; `nil`: ``defaultCommandTimeout``). When it
    /// runs longer, its process group is killed and the rule does not fire.
    public var timeout: String?

    /// Creates a rule.
    public init(source: DataSource, newRows: Int, timeout: String? = nil) {
        self.source = source
        self.newRows = newRows
        self.timeout = timeout
    }

    private enum CodingKeys: String, CodingKey {
        case source
        case newRows = "new_rows"
        case timeout
    }
}
