import Hummingbird

/// Which requests need the token.
public enum AuthScope: String, Sendable, CaseIterable {
    /// Only requests that change state (every method but GET and HEAD). The default.
    case writes
    /// Every request, reads included (`--auth all`).
    case all
}

/// Requires `Authorization: Bearer TOKEN` on the requests its scope covers, comparing in constant time; the token is
/// never logged or echoed. With no token configured, nothing is required (the server refuses to listen beyond
/// loopback in that case: see ``KilnHTTPServer``).
struct TokenAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]?
    let scope: AuthScope
    /// Paths that never need the token (the API description).
    let open: Set<String>

    /// The cookie `POST /login` sets for reading the dashboard with `--auth all` (the token, hex-encoded).
    static var cookieName: String { "kiln_token" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, !open.contains(request.uri.path) else { return try await next(request, context) }
        let reads = request.method == .get || request.method == .head
        guard scope == .all || !reads else { return try await next(request, context) }
        // Reads may also show the cookie (a browser cannot send a header when following a link); writes never may,
        // so a page on another site cannot make the browser change state.
        if reads, let cookie = request.cookies[Self.cookieName]?.value,
            Self.equal(Array(cookie.utf8), Array(Self.hex(token).utf8))
        {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            if reads && !request.uri.path.hasPrefix("/v1/") && request.uri.path != "/metrics" {
                return Response(status: .seeOther, headers: [.location: "/login"])
            }
            throw Problem(.unauthorized, "this request needs the API token: send the header 'Authorization: Bearer TOKEN' "
                + "(the token is in the file given to kiln serve --token-file, or KILN_TOKEN)")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.equal(Array(header.dropFirst(prefix.count).utf8), token) else {
            throw Problem(.unauthorized, "the API token is wrong; send 'Authorization: Bearer TOKEN' with the token kiln serve was started with")
        }
        return try await next(request, context)
    }

    /// Lowercase hex of the token's bytes (a cookie-safe form).
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Compares without returning early, so the time taken does not tell how much of a guess was right.
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: given.count ^ expected.count)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
