import Foundation
import Testing

@testable import PipelineModel

@Suite struct NotificationRuleTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    static func encode(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    @Test("rules decode from the YAML's shape: on: plus one destination key with snake_case fields")
    func decodesEachDestination() throws {
        let rules = try Self.decode([NotificationRule].self, """
            [{"on": ["failure", "rolled_back"], "slack": {"webhook": "${{ env.SLACK_WEBHOOK }}"}},
             {"on": ["failure", "success"], "pagerduty": {"routing_key": "${{ env.PD_KEY }}"}},
             {"on": ["approval_needed"], "pagerduty": {"routing_key": "k", "url": "http://127.0.0.1:9/enqueue"}},
             {"on": ["deployed", "retrying"], "webhook": {"url": "https://ci.example/hook", "headers": {"X-Token": "t"}}},
             {"on": ["success"], "webhook": {"url": "https://ci.example/plain"}}]
            """)
        #expect(rules == [
            NotificationRule(on: [.failure, .rolledBack], destination: .slack(webhook: "${{ env.SLACK_WEBHOOK }}")),
            NotificationRule(on: [.failure, .success], destination: .pagerDuty(routingKey: "${{ env.PD_KEY }}")),
            NotificationRule(on: [.approvalNeeded], destination: .pagerDuty(routingKey: "k", url: "http://127.0.0.1:9/enqueue")),
            NotificationRule(on: [.deployed, .retrying], destination: .webhook(url: "https://ci.example/hook", headers: ["X-Token": "t"])),
            NotificationRule(on: [.success], destination: .webhook(url: "https://ci.example/plain")),
        ])
        #expect(rules[1].destination == .pagerDuty(routingKey: "${{ env.PD_KEY }}", url: "https://events.pagerduty.com/v2/enqueue"))
        for rule in rules { #expect(try Self.decode(NotificationRule.self, Self.encode(rule).compactJSON) == rule) }
    }

    @Test("a rule encodes flat, as the YAML writes it")
    func encodesFlat() throws {
        let rule = NotificationRule(on: [.failure], destination: .pagerDuty(routingKey: "k"))
        #expect(try Self.encode(rule) == [
            "on": ["failure"],
            "pagerduty": ["routing_key": "k", "url": "https://events.pagerduty.com/v2/enqueue"],
        ])
        #expect(try Self.encode(NotificationRule(on: [.success], destination: .webhook(url: "u"))) == [
            "on": ["success"], "webhook": ["url": "u"],
        ])
    }

    @Test("event kinds are spelled as in the file")
    func kindNames() {
        #expect(NotificationEventKind.allCases.map(\.rawValue)
            == ["failure", "success", "deployed", "rolled_back", "approval_needed", "retrying"])
    }

    @Test("a rule without a destination, with two, or with an unknown kind does not decode")
    func rejectsBadRules() {
        #expect(throws: DecodingError.self) { try Self.decode(NotificationRule.self, #"{"on": ["failure"]}"#) }
        #expect(throws: DecodingError.self) {
            try Self.decode(NotificationRule.self, #"{"on": ["failure"], "slack": {"webhook": "a"}, "webhook": {"url": "b"}}"#)
        }
        #expect(throws: DecodingError.self) { try Self.decode(NotificationRule.self, #"{"on": ["boom"], "slack": {"webhook": "a"}}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(NotificationRule.self, #"{"slack": {"webhook": "a"}}"#) }
    }

    @Test("a pipeline carries its rules through the snapshot; without rules the snapshot has no notify key")
    func pipelineSnapshot() throws {
        let rules = [NotificationRule(on: [.failure], destination: .slack(webhook: "${{ env.SLACK_WEBHOOK }}"))]
        let pipeline = Pipeline(name: "p", tasks: [TaskSpec(id: "a", action: .run(["true"]))], notify: rules)
        let decoded = try JSONDecoder().decode(Pipeline.self, from: JSONEncoder().encode(pipeline))
        #expect(decoded == pipeline)
        #expect(decoded.notify == rules)

        let plain = Pipeline(name: "p", tasks: [TaskSpec(id: "a", action: .run(["true"]))])
        #expect(try Self.encode(plain).objectValue?["notify"] == nil)
        #expect(try Self.encode(plain).objectValue?.keys.sorted() == ["name", "params", "tasks"])
    }

    @Test("a snapshot stored before notify existed (no notify key) still decodes, with no rules")
    func oldSnapshot() throws {
        let plain = Pipeline(name: "p", params: ["x": 1], tasks: [TaskSpec(id: "a", action: .run(["true"]))])
        var members = try #require(try Self.encode(plain).objectValue)
        members["notify"] = nil  // what every snapshot written before this field looks like
        let pipeline = try Self.decode(Pipeline.self, JSONValue.object(members).compactJSON)
        #expect(pipeline.notify.isEmpty)
        #expect(pipeline == plain)
    }

    @Test("URLs are redacted to scheme and host", arguments: [
        ("https://hooks.slack.com/services/T0/B0/xyz", "https://hooks.slack.com/…"),
        ("https://user:pw@events.pagerduty.com:8443/v2/enqueue?x=1", "https://events.pagerduty.com:8443/…"),
        ("HTTP://example.com", "http://example.com/…"),
        ("http://127.0.0.1:8080?token=abc", "http://127.0.0.1:8080/…"),
        ("hooks.slack.com/services/x", "…"),
        ("", "…"),
        ("https:///path", "…"),
    ])
    func redaction(url: String, expected: String) {
        #expect(NotificationDestination.redact(url: url) == expected)
    }

    @Test("no textual form of a destination or rule shows a secret")
    func descriptionsAreRedacted() {
        let destinations: [NotificationDestination] = [
            .slack(webhook: "https://hooks.slack.com/services/T0SECRET/B0SECRET/SLACKSECRET"),
            .pagerDuty(routingKey: "ROUTINGSECRET", url: "https://events.pagerduty.com/v2/enqueue"),
            .webhook(url: "https://user:PASSWORDSECRET@ci.example/hook?token=QUERYSECRET", headers: ["Authorization": "Bearer HEADERSECRET"]),
        ]
        for destination in destinations {
            let rule = NotificationRule(on: [.failure], destination: destination)
            var dumped = ""
            dump(rule, to: &dumped)
            let texts = [
                String(describing: destination), String(reflecting: destination), "\(rule)", String(reflecting: rule), dumped,
                String(describing: [rule]), String(describing: Pipeline(name: "p", tasks: [], notify: [rule])),
            ]
            for text in texts {
                #expect(!text.contains("SECRET"), "\(text)")
            }
            #expect(destination.description == "\(destination.kind)(\(destination.redactedTarget))")
        }
    }

    @Test("secrets lists the URL's path pieces, the routing key and header values, longest first")
    func secretsList() {
        let webhook = NotificationDestination.webhook(
            url: "https://kiln:PASSWORD1@ci.example/hooks/abcdef123?token=QUERYTOKEN&x=1", headers: ["Authorization": "Bearer HEADERTOKEN"])
        let secrets = webhook.secrets
        for expected in ["PASSWORD1", "abcdef123", "QUERYTOKEN", "Bearer HEADERTOKEN", "HEADERTOKEN", "/hooks/abcdef123?token=QUERYTOKEN&x=1"] {
            #expect(secrets.contains(expected), "\(expected)")
        }
        #expect(secrets == secrets.sorted { $0.count > $1.count || ($0.count == $1.count && $0 > $1) })
        #expect(!secrets.contains("x") && !secrets.contains("kiln"))
        #expect(NotificationDestination.pagerDuty(routingKey: "ROUTINGKEY123").secrets.contains("ROUTINGKEY123"))
    }
}

@Suite struct NotificationRuleRenderingTests {
    struct EnvironmentContext: ExpressionContext {
        var env: [String: String]
        func value(at path: [String]) throws(ExpressionError) -> JSONValue? {
            guard path.count == 2, path[0] == "env" else { return nil }
            return env[path[1]].map(JSONValue.string)
        }
        func status(_ function: PipelineModel.Expression.StatusFunction) -> Bool { false }
    }

    @Test("rendering replaces env expressions in every string of the destination")
    func rendersEveryString() throws {
        let context = EnvironmentContext(env: ["HOOK": "https://hooks.slack.com/services/T/B/X", "KEY": "R0UT", "TOKEN": "t0k"])
        #expect(try NotificationRule(on: [.failure], destination: .slack(webhook: "${{ env.HOOK }}")).rendered(in: context)
            == NotificationRule(on: [.failure], destination: .slack(webhook: "https://hooks.slack.com/services/T/B/X")))
        #expect(try NotificationDestination.pagerDuty(routingKey: "${{ env.KEY }}").rendered(in: context)
            == .pagerDuty(routingKey: "R0UT"))
        #expect(try NotificationDestination.webhook(url: "https://ci.example/h", headers: ["Authorization": "Bearer ${{ env.TOKEN }}"])
            .rendered(in: context) == .webhook(url: "https://ci.example/h", headers: ["Authorization": "Bearer t0k"]))
        #expect(try NotificationDestination.slack(webhook: "${{ env.MISSING }}").rendered(in: context) == .slack(webhook: ""))
        #expect(NotificationDestination.webhook(url: "u", headers: ["B": "2", "A": "1"]).templateTexts == ["u", "1", "2"])
    }
}
