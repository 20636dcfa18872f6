import Logging
import Notifications
import PipelineEngine
import PipelineModel
import Testing

@Suite struct NotifierDeliveryTests {
    @Test("posts a Slack message as JSON to the webhook and records one successful attempt")
    func slack() async throws {
        try await Harness.with(statuses: [200]) { harness in
            let rule = NotificationRule(on: [.failure], destination: .slack(webhook: harness.server.url("/services/T0/B0/xyz")))
            let event = Fixture.failure()
            let records = await harness.notifier.deliver(event, rules: [rule])

            let record = try #require(records.first)
            #expect(records.count == 1)
            #expect(record.ok)
            #expect(record.attempts == 1)
            #expect(record.status == 200)
            #expect(record.destination == "slack")
            #expect(record.target == "http://127.0.0.1:\(harness.server.port)/…")
            #expect(record.at == harness.clock.now)

            let request = try #require(harness.server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/services/T0/B0/xyz")
            #expect(request.headers["content-type"] == "application/json")
            let body = try request.json()
            #expect(body == SlackMessage.make(for: event))
            let texts = SlackMessageTests.blockTexts(body).joined(separator: "\n")
            for expected in ["nightly", event.runID, "train", "CUDA out of memory", event.link!] {
                #expect(texts.contains(expected))
            }
        }
    }

    @Test("PagerDuty gets a trigger per failure with one dedup key, then a resolve with it on success")
    func pagerDuty() async throws {
        try await Harness.with(statuses: [202, 202, 202]) { harness in
            let rule = NotificationRule(
                on: [.failure, .success],
                destination: .pagerDuty(routingKey: "R0UTINGKEY", url: harness.server.url("/v2/enqueue")))
            let first = await harness.notifier.deliver(Fixture.failure(runID: "r1"), rules: [rule])
            let second = await harness.notifier.deliver(Fixture.failure(runID: "r2"), rules: [rule])
            let resolved = await harness.notifier.deliver(Fixture.success(runID: "r3"), rules: [rule])
            #expect((first + second + resolved).map(\.ok) == [true, true, true])
            #expect(first.first?.status == 202)

            let bodies = try harness.server.requests.map { try #require($0.json().objectValue) }
            #expect(bodies.count == 3)
            #expect(harness.server.requests.map(\.path) == ["/v2/enqueue", "/v2/enqueue", "/v2/enqueue"])
            #expect(bodies.map { $0["event_action"] } == ["trigger", "trigger", "resolve"])
            #expect(bodies.map { $0["dedup_key"] } == ["kiln/nightly", "kiln/nightly", "kiln/nightly"])
            #expect(bodies.allSatisfy { $0["routing_key"] == "R0UTINGKEY" })
            let payload = try #require(bodies[0]["payload"]?.objectValue)
            #expect(payload["summary"]?.stringValue?.hasPrefix("nightly failed (run r1): task train") == true)
            #expect(payload["source"] == "kiln/nightly")
            #expect(payload["severity"] == "error")
            #expect(payload["custom_details"]?.objectValue?["run_id"] == "r1")
            #expect(bodies[1]["payload"]?.objectValue?["custom_details"]?.objectValue?["run_id"] == "r2")
        }
    }

    @Test("a webhook receives the run document as its body, with the configured headers")
    func webhook() async throws {
        try await Harness.with(statuses: [204]) { harness in
            let document: JSONValue = ["id": "r1", "pipeline": "nightly", "state": "failed", "tasks": ["train": ["state": "failed"]]]
            var event = Fixture.failure(runID: "r1")
            event.runDocument = document
            let rule = NotificationRule(
                on: [.failure],
                destination: .webhook(url: harness.server.url("/hooks/kiln?token=abc"),
                                      headers: ["Authorization": "Bearer T0KEN", "X-Team": "ml"]))
            let records = await harness.notifier.deliver(event, rules: [rule])
            #expect(records.map(\.ok) == [true])
            #expect(records.first?.status == 204)

            let request = try #require(harness.server.requests.first)
            #expect(request.path == "/hooks/kiln?token=abc")
            #expect(try request.json() == document)
            #expect(request.headers["authorization"] == "Bearer T0KEN")
            #expect(request.headers["x-team"] == "ml")
            #expect(request.headers["x-kiln-event"] == "failure")
            #expect(request.headers["content-type"] == "application/json")
        }
    }

    @Test("a webhook without a run document receives the event's own fields")
    func webhookWithoutDocument() async throws {
        try await Harness.with(statuses: [200]) { harness in
            let rule = NotificationRule(on: [.success], destination: .webhook(url: harness.server.url("/h")))
            _ = await harness.notifier.deliver(Fixture.success(runID: "r9"), rules: [rule])
            let body = try #require(harness.server.requests.first?.json().objectValue)
            #expect(body["event"] == "success")
            #expect(body["id"] == "r9")
            #expect(body["pipeline"] == "nightly")
            #expect(body["state"] == "succeeded")
        }
    }

    @Test("only rules whose on: lists the event's kind are sent, and records keep the rules' order")
    func filtersByKind() async throws {
        try await Harness.with(statuses: [200, 200]) { harness in
            let rules = [
                NotificationRule(on: [.success], destination: .webhook(url: harness.server.url("/success-only"))),
                NotificationRule(on: [.failure, .rolledBack], destination: .webhook(url: harness.server.url("/a"))),
                NotificationRule(on: [.deployed], destination: .slack(webhook: harness.server.url("/deployed-only"))),
                NotificationRule(on: [.failure], destination: .slack(webhook: harness.server.url("/b"))),
            ]
            let records = await harness.notifier.deliver(Fixture.failure(), rules: rules)
            #expect(records.map(\.destination) == ["webhook", "slack"])
            #expect(records.allSatisfy { $0.ok })
            #expect(Set(harness.server.requests.map(\.path)) == ["/a", "/b"])

            #expect(await harness.notifier.deliver(Fixture.failure(), rules: []).isEmpty)
            var approval = Fixture.failure()
            approval.kind = .approvalNeeded
            #expect(await harness.notifier.deliver(approval, rules: rules).isEmpty)
            #expect(harness.server.requests.count == 2)
        }
    }
}
