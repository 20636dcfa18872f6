import Foundation
import Hummingbird
import HummingbirdTesting
@testable import KilnHTTP
import KilnOperations
import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

@Suite("Dashboard pages")
struct DashboardTests {
    func page(_ client: some TestClientProtocol, _ uri: String) async throws -> (status: HTTPResponse.Status, html: String) {
        let response = try await client.execute(uri: uri, method: .get)
        return (response.status, String(buffer: response.body))
    }

    @Test("the pipelines page shows each pipeline with a strip of its last runs' states")
    func overview() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.executor.run(APIFixture.plain, baseDirectory: fixture.folder)
        _ = try await fixture.waitingRun()
        try await fixture.application().test(.router) { client in
            let (status, html) = try await page(client, "/")
            #expect(status == .ok)
            #expect(html.contains("<tr data-pipeline=\"plain\">"))
            #expect(html.contains("class=\"cell state-succeeded\""))
            #expect(html.contains("class=\"cell state-waiting\""))
            #expect(html.contains("data-action=\"start\" data-pipeline=\"review\""))
        }
    }

    @Test("the run page draws every task as an SVG node with its state, explains the trigger, and offers the decision")
    func runPage() async throws {
        let fixture = try APIFixture()
        let id = try await fixture.waitingRun()
        try await fixture.application().test(.router) { client in
            let (status, html) = try await page(client, "/runs/\(id)")
            #expect(status == .ok)
            #expect(html.contains("<g class=\"node state-succeeded\" data-task=\"prepare\" data-state=\"succeeded\""))
            #expect(html.contains("<g class=\"node state-waiting\" data-task=\"gate\" data-state=\"waiting\""))
            #expect(html.components(separatedBy: "<g class=\"node ").count - 1 == 2)
            #expect(html.contains("<path class=\"edge\""))
            #expect(html.contains("Why this run started"))
            #expect(html.contains("data-action=\"approve\" data-run=\"\(id)\" data-task=\"gate\""))
            #expect(html.contains("data-active=\"true\""))

            let missing = try await page(client, "/runs/nope")
            #expect(missing.status == .notFound)
            #expect(missing.html.contains("no run &#39;nope&#39;"))
        }
    }

    @Test("the run page says which worker runs a running task")
    func runPageNamesTheWorker() async throws {
        let fixture = try APIFixture()
        let id = try await fixture.runHeldByWorker()
        try await fixture.application().test(.router) { client in
            let (status, html) = try await page(client, "/runs/\(id)")
            #expect(status == .ok)
            #expect(html.contains("on worker w1 (pid 4242 on gpu-1)"))
        }
    }

    @Test("the model page charts each metric across versions and lists the alias history")
    func modelPage() async throws {
        let fixture = try APIFixture()
        try await fixture.registerVersions(3)
        _ = try await fixture.operations.promote(model: "fraud", version: 2, alias: "production", reason: "best <f1>", actor: "ana")
        try await fixture.application().test(.router) { client in
            let (status, html) = try await page(client, "/models/fraud")
            #expect(status == .ok)
            #expect(html.contains("<figure class=\"chart\" data-metric=\"f1\">"))
            #expect(html.components(separatedBy: "<circle class=\"point").count - 1 == 3)
            #expect(html.contains("<circle class=\"point production\""))
            #expect(html.contains("best &lt;f1&gt;"), "text is escaped")
            #expect(!html.contains("best <f1>"))
            #expect(try await page(client, "/models").html.contains("href=\"/models/fraud\""))
        }
    }

    @Test("the triggers page and the runs list render; assets are served")
    func otherPages() async throws {
        let fixture = try APIFixture()
        _ = try await fixture.executor.run(APIFixture.plain, baseDirectory: fixture.folder)
        try await fixture.application().test(.router) { client in
            #expect(try await page(client, "/triggers").status == .ok)
            let runs = try await page(client, "/runs?pipeline=plain&state=succeeded")
            #expect(runs.html.contains("state-succeeded"))
            let script = try await client.execute(uri: "/assets/kiln.js", method: .get)
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(try await page(client, "/assets/kiln.css").status == .ok)
        }
    }

    @Test("HTML escaping covers markup and quotes; the DAG puts dependents to the right of their needs")
    func escapingAndLayout() throws {
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        let pipeline = Pipeline(name: "p", tasks: [
            TaskSpec(id: "c", needs: ["b"], action: .uses("noop", with: [:])),
            TaskSpec(id: "a", action: .uses("noop", with: [:])),
            TaskSpec(id: "b", needs: ["a"], action: .uses("noop", with: [:])),
        ])
        let svg = DAGDiagram.svg(pipeline, states: ["a": "succeeded"])
        func x(_ task: String) -> Int? {
            guard let range = svg.range(of: "data-task=\"\(task)\""),
                let open = svg[range.upperBound...].range(of: "translate("),
                let comma = svg[open.upperBound...].firstIndex(of: ",")
            else { return nil }
            return Int(svg[open.upperBound..<comma])
        }
        #expect(x("a")! < x("b")!)
        #expect(x("b")! < x("c")!)
        #expect(svg.contains("data-task=\"c\" data-state=\"pending\""))
    }
}

@Suite("Dashboard sign-in with --auth all")
struct DashboardLoginTests {
    @Test("pages redirect to /login; the right token sets a read-only cookie; the cookie never authorises a write")
    func login() async throws {
        let fixture = try APIFixture()
        try await fixture.application(auth: .all).test(.router) { client in
            let redirected = try await client.execute(uri: "/", method: .get)
            #expect(redirected.status == .seeOther)
            #expect(redirected.headers[.location] == "/login")
            #expect(try await client.execute(uri: "/login", method: .get).status == .ok)

            let wrong = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=nope"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)

            let signedIn = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(APIFixture.token)"))
            #expect(signedIn.status == .seeOther)
            let cookie = try #require(signedIn.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains(APIFixture.token), "the cookie does not carry the token in clear")
            let pair = String(cookie.prefix { $0 != ";" })

            let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: pair])
            #expect(page.status == .ok)
            let api = try await client.execute(uri: "/v1/runs", method: .get, headers: [.cookie: pair])
            #expect(api.status == .ok)
            let write = try await client.execute(
                uri: "/v1/runs", method: .post, headers: [.cookie: pair], body: ByteBuffer(string: #"{"pipeline": "plain"}"#))
            #expect(write.status == .unauthorized)
            let forged = try await client.execute(uri: "/", method: .get, headers: [.cookie: "kiln_token=00"])
            #expect(forged.status == .seeOther)
        }
    }
}
