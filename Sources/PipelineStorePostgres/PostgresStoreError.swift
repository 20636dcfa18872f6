/// What went wrong opening or using a PostgreSQL store.
///
/// Descriptions name what to check and never contain the password of the store URL.
public enum PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store URL cannot be read: `url` (password removed) and why.
    case invalidURL(String, reason: String)
    /// No connection could be made to `host:port` (refused, timed out, name not resolved): `reason` says which.
    case unreachable(host: String, port: Int, reason: String)
    /// The server at `host:port` answered but refused the session (authentication, unknown database, …).
    case refused(host: String, port: Int, database: String, message: String)
    /// The database's schema was written by a newer kiln: it has migration `found`, this binary knows up to `known`.
    case newerSchema(found: Int, known: Int)
    /// A statement failed on the server while doing `operation` (SQLSTATE `sqlState`, the server's `message`).
    case statementFailed(operation: String, sqlState: String, message: String)
    /// The connection to the server broke while doing `operation`.
    case connectionLost(operation: String, reason: String)
    /// A stored value that this kiln cannot read (`table.column`, the value cut to 200 characters, why).
    case unreadableValue(column: String, value: String, reason: String)

    /// What went wrong and what to check.
    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "invalid PostgreSQL store URL '\(url)': \(reason); "
                + "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require&search_path=SCHEMA]"
        case .unreachable(let host, let port, let reason):
            return "cannot reach the PostgreSQL server at \(host):\(port) (\(reason)); "
                + "check that it is running and listening there (`pg_isready -h \(host) -p \(port)`) and the host and port of the store URL"
        case .refused(let host, let port, let database, let message):
            return "the PostgreSQL server at \(host):\(port) refused a session on database '\(database)': \(message); "
                + "check the user, password and database name of the store URL"
        case .newerSchema(let found, let known):
            return "the PostgreSQL database has kiln schema version \(found), but this kiln knows versions up to \(known): "
                + "it was upgraded by a newer kiln; upgrade this kiln, or use another database"
        case .statementFailed(let operation, let sqlState, let message):
            return "PostgreSQL failed to \(operation): \(message) (SQLSTATE \(sqlState))"
        case .connectionLost(let operation, let reason):
            return "the connection to the PostgreSQL server broke while trying to \(operation) (\(reason)); "
                + "check that the server is still running"
        case .unreadableValue(let column, let value, let reason):
            return "the PostgreSQL store holds \(column) = '\(value)', which this kiln cannot read (\(reason)); "
                + "was it written by a newer kiln? Upgrade kiln, or use another database"
        }
    }

    /// ``unreadableValue(column:value:reason:)`` with the value cut to 200 characters.
    static func unreadable(column: String, value: String, reason: String) -> PostgresStoreError {
        .unreadableValue(column: column, value: value.count > 200 ? String(value.prefix(200)) + "…" : value, reason: reason)
    }
}
