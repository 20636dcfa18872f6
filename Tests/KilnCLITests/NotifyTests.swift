import Foundation
import Testing

@Suite("kiln notify", .serialized) struct NotifyTests {
    /// A real HTTP server on 127.0.0.1 (Python's standard library) that appends every request as a JSON line.
    static let server = """
        import http.server, json, sys
        log = open(sys.argv[1], "a")
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                log.write(json.dumps({"path": self.path, "body": json.loads(body)}) + "\\n"); log.flush()
                self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
            def log_message(self, *args): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        with open(sys.argv[2] + ".tmp", "w") as f: f.write(str(server.server_address[1]))
        import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        server.serve_forever()
        """

    @Test("a failed run sends Slack and PagerDuty payloads; secrets stay out of output and logs")
    func failureNotifies() async throws {
        let cli = try CLI()
        let server = try await RecordingServer.start(in: cli)
        defer { server.stop() }
        let (requests, port) = (server.requests, server.port)

        let path = try cli.write("notify.yaml", """
            name: alerting
            tasks:
              source: { uses: fail, with: { times: 5, message: "source down" } }
            notify:
              - on: [failure]
                slack: { webhook: "${{ env.TEST_SLACK_URL }}" }
              - on: [failure, success]
                pagerduty: { routing_key: "${{ env.TEST_PD_KEY }}", url: "http://127.0.0.1:\(port)/pagerduty" }
            """)
        let secretPath = "/services/T000/B000/topsecrettoken"
        let environment = ["TEST_SLACK_URL": "http://127.0.0.1:\(port)\(secretPath)", "TEST_PD_KEY": "routing-key-very-secret"]
        let result = try await cli.run(["run", path, "--json"], environment: environment)
        #expect(result.status == 1)
        let id = try #require((try result.json() as? [String: Any])?["id"] as? String)

        #expect(await CLI.waitUntil(seconds: 10) { ((try? String(contentsOfFile: requests, encoding: .utf8)) ?? "").split(separator: "\n").count >= 2 })
        let lines = try String(contentsOfFile: requests, encoding: .utf8).split(separator: "\n")
        let bodies = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let slack = try #require(bodies.first { $0["path"] as? String == secretPath }?["body"] as? [String: Any])
        #expect((slack["text"] as? String)?.contains("alerting") == true)
        #expect(slack["blocks"] != nil)
        let pagerDuty = try #require(bodies.first { $0["path"] as? String == "/pagerduty" }?["body"] as? [String: Any])
        #expect(pagerDuty["event_action"] as? String == "trigger")
        #expect(pagerDuty["dedup_key"] as? String == "kiln/alerting")
        #expect(pagerDuty["routing_key"] as? String == "routing-key-very-secret")

        let logs = try await cli.run(["logs", id, "notify"])
        #expect(logs.stdout.contains("failure → "))
        let everything = result.stdout + result.stderr + logs.stdout + (try await cli.run(["show", id, "--json"]).stdout)
        #expect(!everything.contains("topsecrettoken"))
        #expect(!everything.contains("routing-key-very-secret"))
    }
}

/// `NotifyTests.server` in a process of its own: records every request it receives as a JSON line in `requests`.
struct RecordingServer {
    let process: Process
    /// The loopback port it listens on.
    let port: Int
    /// The file of recorded requests, one JSON object per line.
    let requests: String

    /// Starts the server with its files in `cli`'s scratch folder and waits (up to 20 s) for its port.
    static func start(in cli: CLI) async throws -> RecordingServer {
        let script = try cli.write("server.py", NotifyTests.server)
        let requests = cli.scratch.appendingPathComponent("requests.jsonl").path
        let portFile = cli.scratch.appendingPathComponent("port.txt").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, requests, portFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = await CLI.waitUntil(seconds: 20) { FileManager.default.fileExists(atPath: portFile) }
        guard started, let port = Int(try String(contentsOfFile: portFile, encoding: .utf8)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HelperProcessError.serverDidNotStart
        }
        return RecordingServer(process: process, port: port, requests: requests)
    }

    /// Stops it (SIGKILL: SIGTERM may be ignored, the test runner's disposition is inherited).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// Why a test's helper process could not be used.
enum HelperProcessError: Error {
    case serverDidNotStart
}
