/// Why a user's SQLite database could not be read into a data frame.
public enum SQLiteDataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The query returns two columns with one name.
    case duplicateColumn(String)
    /// A column holds binary data, which a data frame cannot hold.
    case binaryColumn(String)
    /// SQLite refused the query or the file (the message is SQLite's).
    case queryFailed(String)

    /// What is wrong and how to fix it.
    public var description: String {
        switch self {
        case .duplicateColumn(let name):
            "the query returns column '\(name)' twice; give one of them an alias (AS)"
        case .binaryColumn(let name):
            "column '\(name)' holds binary data (BLOB); select it as text (e.g. hex(\(name))) or leave it out"
        case .queryFailed(let message):
            message
        }
    }
}
