import Foundation
import Notifications
import PipelineModel
import Testing

@Suite struct SecretHandlingTests {
    static let slackPath = "/services/T0SECRET/B0SECRET/XXSLACKSECRETXX"
    static let routingKey = "PDROUTINGKEYSECRET"
    static let bearer = "Bearer WEBHOOKTOKENSECRET"
    static let queryToken = "QUERYTOKENSECRET"
    static let password = "USERPASSWORDSECRET"
    static let secrets = ["T0SECRET", "B0SECRET", "XXSLACKSECRETXX", routingKey, "WEBHOOKTOKENSECRET", queryToken, password]

    /// Every text a delivery exposes: records (description, fields, JSON) and every log line.
    static func exposedText(_ records: [DeliveryRecord], _ logs: LogRecorder) throws -> String {
        var texts = records.map(\.description) + records.map(\.target) + records.compactMap(\.error)
        texts.append(String(decoding: try JSONEncoder().encode(records), as: UTF8.self))
        texts.append(contentsOf: logs.lines)
        return texts.joined(separator: "\n")
    }

    static func rules(host: String) -> [NotificationRule] {
        [
            NotificationRule(on: [.failure], destination: .slack(webhook: "http://\(host)\(slackPath)")),
            NotificationRule(on: [.failure], destination: .pagerDuty(routingKey: routingKey, url: "http://\(host)/v2/enqueue")),
            NotificationRule(on: [.failure], destination: .webhook(
                url: "http://kiln:\(password)@\(host)/hook?token=\(queryToken)", headers: ["Authorization": bearer])),
        ]
    }

    @Test("secrets never appear in records or log lines, even when the server echoes them back")
    func failingServerEchoingSecrets() async throws {
        let echo = ScriptedResponse(
            status: 500, body: "bad request to \(Self.slackPath) key=\(Self.routingKey) auth=\(Self.bearer) q=\(Self.queryToken)")
        try await Harness.with(script: Array(repeating: echo, count: 6), retry: DeliveryRetryPolicy(maxAttempts: 2)) { harness in
            let records = await harness.notifier.deliver(Fixture.failure(), rules: Self.rules(host: "127.0.0.1:\(harness.server.port)"))
            #expect(records.count == 3)
            #expect(records.allSatisfy { !$0.ok && $0.attempts == 2 && $0.status == 500 })
            #expect(records.allSatisfy { $0.target == "http://127.0.0.1:\(harness.server.port)/…" })
            #expect(!harness.logs.lines.isEmpty)
            let exposed = try Self.exposedText(records, harness.logs)
            for secret in Self.secrets { #expect(!exposed.contains(secret), "\(secret) leaked") }
            // The secrets did reach the server: they were used, only never shown.
            let sent = harness.server.requests.map { $0.path + $0.body + ($0.headers["authorization"] ?? "") }.joined()
            #expect(sent.contains("XXSLACKSECRETXX") && sent.contains(Self.routingKey) && sent.contains("WEBHOOKTOKENSECRET"))
        }
    }

    @Test("secrets never appear in records or log lines when the connection fails")
    func unreachableServer() async throws {
        try await Harness.with(statuses: [], retry: DeliveryRetryPolicy(maxAttempts: 2)) { harness in
            let stopped = try await TestHTTPServer.start()
            let host = "127.0.0.1:\(stopped.port)"
            try await stopped.stop()
            let records = await harness.notifier.deliver(Fixture.failure(), rules: Self.rules(host: host))
            #expect(records.allSatisfy { !$0.ok && $0.error != nil })
            let exposed = try Self.exposedText(records, harness.logs)
            for secret in Self.secrets { #expect(!exposed.contains(secret), "\(secret) leaked") }
        }
    }

    @Test("successful deliveries log without secrets too")
    func successfulDelivery() async throws {
        try await Harness.with(statuses: [200, 200, 200]) { harness in
            let records = await harness.notifier.deliver(Fixture.failure(), rules: Self.rules(host: "127.0.0.1:\(harness.server.port)"))
            #expect(records.allSatisfy { $0.ok })
            #expect(harness.logs.logged.contains { $0.message == "Notification delivered" })
            let exposed = try Self.exposedText(records, harness.logs)
            for secret in Self.secrets { #expect(!exposed.contains(secret), "\(secret) leaked") }
        }
    }
}
