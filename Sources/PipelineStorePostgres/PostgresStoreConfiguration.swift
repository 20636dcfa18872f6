internal import Foundation

/// Where a PostgreSQL store lives and how to connect, read from a URL:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&search_path=…&connect_timeout=…]`.
///
/// ```swift
/// let configuration = try PostgresStoreConfiguration(url: "postgres://kiln@127.0.0.1:5432/kiln")
/// let database = try await PostgresStoreDatabase.open(configuration)
/// ```
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// How the connection uses TLS, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain TCP otherwise (the default, as in libpq).
        case prefer
        /// TLS, with the server's certificate verified; the connection fails without it.
        case require
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port; 5432 when the URL names none.
    public var port: Int
    /// The user to connect as.
    public var username: String
    /// The password, if the URL has one.
    public var password: String?
    /// The database.
    public var database: String
    /// How TLS is used; ``TLSMode/prefer`` by default.
    public var tls: TLSMode
    /// The schema kiln's tables live in (created when missing), or `nil` for the server's default search path
    /// (normally `public`). Several kiln installations can share one database in different schemas.
    public var schema: String?
    /// How long opening a connection may take before the server counts as unreachable; 10 seconds by default.
    public var connectTimeout: Duration
    /// The most connections the pool opens; 8 by default.
    public var maximumConnections: Int
    /// How long an operation keeps retrying while the server cannot be reached (a restart, a failover), backing off
    /// from 100 ms to 2 s between tries, before it fails with ``PostgresStoreError/connectionLost(operation:reason:)``;
    /// 60 seconds by default. Only what is certain not to have been applied is retried: a transaction that failed
    /// before its `COMMIT` was sent, a read, a statement no connection could be leased for.
    public var outageTolerance: Duration = .seconds(60)

    /// How long one statement (or one transaction) may wait for the server's replies before its connection is
    /// treated as lost: closed, and the call failed with ``PostgresStoreError/connectionLost(operation:reason:)``.
    /// It bounds a wait that would otherwise never end: a server gone (or a network cut) while a reply was due.
    /// 60 seconds by default, far above what any of the stores' statements takes; keep it above that.
    public var replyTimeout: Duration = .seconds(60)

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - host: The server's host name or address.
    ///   - port: The server's port.
    ///   - username: The user.
    ///   - password: The password, or `nil`.
    ///   - database: The database.
    ///   - tls: How TLS is used.
    ///   - schema: The schema for kiln's tables, or `nil` for the default search path.
    ///   - connectTimeout: How long a connection attempt may take.
    ///   - maximumConnections: The pool's size.
    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        tls: TLSMode = .prefer, schema: String? = nil, connectTimeout: Duration = .seconds(10), maximumConnections: Int = 8
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.schema = schema
        self.connectTimeout = connectTimeout
        self.maximumConnections = maximumConnections
    }

    /// Reads a `postgres://` (or `postgresql://`) URL.
    ///
    /// User and password may be percent-encoded. Query parameters: `sslmode` (`disable`, `prefer`, `require`),
    /// `search_path` (one schema name: letters, digits and `_`, not starting with a digit), `connect_timeout`
    /// (whole seconds).
    ///
    /// - Parameters:
    ///   - url: The URL.
    /// - Throws: ``PostgresStoreError/invalidURL(_:reason:)`` saying what is wrong (the password is never repeated).
    public init(url: String) throws {
        let shown = Self.redacted(url)
        func invalid(_ reason: String) -> PostgresStoreError { .invalidURL(shown, reason: reason) }
        guard let components = URLComponents(string: url), let scheme = components.scheme else {
            throw invalid("not a URL")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("the scheme is '\(scheme)', not postgres")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host after postgres://USER@") }
        guard let user = components.user, !user.isEmpty else {
            throw invalid("no user: write postgres://USER@\(host)/DATABASE")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty else { throw invalid("no database name after the host: add /DATABASE") }
        guard !path.contains("/") else { throw invalid("the database name '\(path)' contains '/'") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port \(port) is not between 1 and 65535") }

        self.init(host: host, port: port, username: user, password: components.password, database: path)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw invalid("sslmode '\(value)' is not one of disable, prefer, require")
                }
                tls = mode
            case "search_path":
                guard Self.isPlainIdentifier(value) else {
                    throw invalid(
                        "search_path '\(value)' is not one schema name (letters, digits and _, not starting with a digit, "
                            + "at most 63 characters)")
                }
                schema = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw invalid("connect_timeout '\(value)' is not a whole number of seconds above 0")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw invalid("unknown parameter '\(item.name)' (known: sslmode, search_path, connect_timeout)")
            }
        }
    }

    /// The URL of this configuration, without the password (for messages and logs).
    public var redactedURL: String {
        var text = "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
        var parameters: [String] = []
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let schema { parameters.append("search_path=\(schema)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// Whether `name` is a schema name that needs no quoting: `[A-Za-z_][A-Za-z0-9_]*`, at most 63 characters.
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
        let letters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        let digits = CharacterSet(charactersIn: "0123456789")
        return letters.contains(first) && name.unicodeScalars.allSatisfy { letters.contains($0) || digits.contains($0) }
    }

    /// `url` with the password between `user:` and `@` replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest[..<(rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex)]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
