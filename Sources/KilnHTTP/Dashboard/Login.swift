import Foundation
import Hummingbird

/// `/login`: with `--auth all`, the dashboard's pages need the token; the browser gives it once through this form
/// and keeps it in an HTTP-only, same-site cookie that is good for reading only (actions send the header).
enum Login {
    static func register(on router: Router<BasicRequestContext>, token: [UInt8]?) {
        router.get("/login") { _, _ in form(message: nil) }
        router.post("/login") { request, _ in
            let body = try await request.body.collect(upTo: 16_384)
            let fields = URLComponents(string: "?" + String(buffer: body).replacingOccurrences(of: "+", with: " "))?.queryItems ?? []
            let given = fields.first { $0.name == "token" }?.value ?? ""
            guard let token, TokenAuthMiddleware<BasicRequestContext>.equal(Array(given.utf8), token) else {
                var response = form(message: token == nil ? "This server needs no token." : "That token is wrong.")
                response.status = token == nil ? .ok : .unauthorized
                return response
            }
            let cookie = "\(TokenAuthMiddleware<BasicRequestContext>.cookieName)=\(TokenAuthMiddleware<BasicRequestContext>.hex(token)); Path=/; HttpOnly; SameSite=Strict"
            return Response(status: .seeOther, headers: [.location: "/", .setCookie: cookie])
        }
    }

    static func form(message: String?) -> Response {
        HTML.page(title: "Sign in", active: "", """
            <h1>Sign in</h1>
            <p>This Kiln needs its API token to show the dashboard (it was started with <code>--auth all</code>).</p>
            \(message.map { "<p class=\"problem\">\(HTML.escape($0))</p>" } ?? "")
            <form method="post" action="/login"><label>Token <input type="password" name="token" autocomplete="current-password" required></label> \
            <button>Sign in</button></form>
            """)
    }
}
