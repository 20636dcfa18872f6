import Notifications
import PipelineModel
import Testing

@Suite struct PagerDutyEventTests {
    @Test("a failure triggers an Events v2 alert with summary, source, severity and custom details")
    func trigger() throws {
        let event = Fixture.failure()
        let body = try #require(PagerDutyEvent.make(for: event, routingKey: "R0UTINGKEY").objectValue)
        #expect(body["routing_key"] == "R0UTINGKEY")
        #expect(body["event_action"] == "trigger")
        #expect(body["dedup_key"] == "kiln/nightly")
        let payload = try #require(body["payload"]?.objectValue)
        #expect(payload["summary"]?.stringValue == "nightly failed (run \(event.runID)): task train: exit code 1: CUDA out of memory")
        #expect(payload["source"] == "kiln/nightly")
        #expect(payload["severity"] == "error")
        #expect(payload["timestamp"]?.stringValue == event.at.iso8601)
        let details = try #require(payload["custom_details"]?.objectValue)
        #expect(details["pipeline"] == "nightly")
        #expect(details["run_id"]?.stringValue == event.runID)
        #expect(details["failed_task"] == "train")
        #expect(details["error"] == "exit code 1: CUDA out of memory")
        #expect(details["link"]?.stringValue == event.link)
        #expect(details["model"] == "churn")
        #expect(body["links"]?.arrayValue?.first?.objectValue?["href"]?.stringValue == event.link)
    }

    @Test("the dedup key depends only on the pipeline, so repeated failures group into one incident")
    func stableDedupKey() {
        let first = PagerDutyEvent.make(for: Fixture.failure(runID: "r1"), routingKey: "k")
        let second = PagerDutyEvent.make(for: Fixture.failure(runID: "r2"), routingKey: "k")
        #expect(first.objectValue?["dedup_key"] == second.objectValue?["dedup_key"])
        #expect(PagerDutyEvent.make(for: Fixture.failure(pipeline: "other"), routingKey: "k").objectValue?["dedup_key"] == "kiln/other")
    }

    @Test("a success resolves with the same dedup key and no payload")
    func resolve() {
        let body = PagerDutyEvent.make(for: Fixture.success(), routingKey: "k")
        #expect(body == ["routing_key": "k", "event_action": "resolve", "dedup_key": "kiln/nightly"])
    }

    @Test("summaries are cut to PagerDuty's 1024 characters")
    func longSummary() {
        var event = Fixture.failure()
        event.error = String(repeating: "e", count: 5000)
        let summary = PagerDutyEvent.make(for: event, routingKey: "k").objectValue?["payload"]?.objectValue?["summary"]
        #expect(summary?.stringValue?.count == 1024)
    }

    @Test("severity follows the kind", arguments: [
        (NotificationEventKind.failure, "error"), (.rolledBack, "error"), (.retrying, "warning"),
        (.deployed, "info"), (.approvalNeeded, "info"),
    ])
    func severity(kind: NotificationEventKind, expected: String) {
        var event = Fixture.failure()
        event.kind = kind
        let payload = PagerDutyEvent.make(for: event, routingKey: "k").objectValue?["payload"]?.objectValue
        #expect(payload?["severity"]?.stringValue == expected)
    }
}
