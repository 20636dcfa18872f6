public import Hummingbird
import NIOCore
import NIOPosix
public import Logging

/// Where and how `kiln serve --http` listens.
public struct KilnHTTPServer: Sendable {
    /// A `HOST:PORT` to listen on.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        /// The host name or IP address.
        public var host: String
        /// The port (0: any free port).
        public var port: Int

        /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback).
        public static func parse(_ text: String) throws -> Address {
            let usage = "--http expects HOST:PORT, e.g. 127.0.0.1:8080 (or :8080 for loopback), got '\(text)'"
            guard let colon = text.lastIndex(of: ":") else { throw KilnHTTPError(usage) }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty { host = "127.0.0.1" }
            guard let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
                throw KilnHTTPError(usage + ": the port must be a number from 0 to 65535")
            }
            return Address(host: host, port: port)
        }

        /// Whether only this machine can connect.
        public var isLoopback: Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }

        /// `HOST:PORT`.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Where to listen.
    public var address: Address
    /// The API token, or `nil`.
    public var token: String?
    /// Which requests need the token.
    public var auth: AuthScope

    /// Creates a server configuration, refusing what would expose Kiln without a token.
    ///
    /// - Throws: ``KilnHTTPError`` for a non-loopback address without a token, an empty token, or `--auth all`
    ///   without a token.
    public init(address: Address, token: String?, auth: AuthScope = .writes) throws {
        if let token, token.isEmpty || token.contains(where: \.isWhitespace) {
            throw KilnHTTPError("the API token is empty or contains white space; put one line of at least 16 characters in the token file")
        }
        if let token, token.count < 16 {
            throw KilnHTTPError("the API token is shorter than 16 characters; make one with: openssl rand -hex 32 > token")
        }
        if token == nil && !address.isLoopback {
            throw KilnHTTPError(
                "refusing to listen on \(address) without a token: anyone who can reach it could start, approve and deploy; "
                    + "give one with --token-file FILE (or KILN_TOKEN), or listen on 127.0.0.1")
        }
        if token == nil && auth == .all {
            throw KilnHTTPError("--auth all needs a token: give one with --token-file FILE (or KILN_TOKEN)")
        }
        self.address = address
        self.token = token
        self.auth = auth
    }

    /// The HTTP application serving `backend`, a service to run in the daemon's service group.
    ///
    /// - Parameter onListening: Called with the URL once the server listens (with the real port when 0 was asked).
    public func application(
        backend: KilnAPIBackend, logger: Logger, onListening: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = KilnAPI.router(backend: backend, token: token, auth: auth)
        let address = address
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "kiln"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                await onListening("http://\(Address(host: address.host, port: port))/")
            },
            eventLoopGroupProvider: .shared(Self.eventLoops),
            logger: logger)
    }

    /// The threads that read and write connections: half the processors, at least one, shared by every server in
    /// the process and never shut down (as NIO's own singleton group).
    ///
    /// Handlers run on Swift's concurrency pool, one thread per processor, so I/O threads for every processor as
    /// well would make twice as many busy threads as cores. On 2 cores, one I/O thread gave the same throughput for
    /// 1-row predictions and halved the p99 (`benchmarks/predict/run.sh`: 5.6 ms against 9–14 ms).
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount / 2))
}

/// A refused server configuration: what is wrong and what to do.
public struct KilnHTTPError: Error, Sendable, CustomStringConvertible {
    /// The message.
    public var description: String

    init(_ description: String) { self.description = description }
}
