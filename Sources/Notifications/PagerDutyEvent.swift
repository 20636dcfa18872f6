public import PipelineModel

/// Builds PagerDuty Events API v2 bodies for an event.
///
/// Every event of a pipeline shares one `dedup_key`, `kiln/<pipeline>`, so repeated failures group into one
/// incident. A `success` event sends `event_action: "resolve"` with that key — on every success, not only after a
/// failure: PagerDuty ignores a resolve when no incident is open, and a resolve sent on each success also closes an
/// incident whose failure this process never saw (after a restart). Every other kind sends `trigger`.
///
/// ```json
/// {"routing_key": "…", "event_action": "trigger", "dedup_key": "kiln/nightly",
///  "payload": {"summary": "nightly failed (run R): task train: exit code 1", "source": "kiln/nightly",
///              "severity": "error", "timestamp": "2026-11-29T02:00:00.000Z", "component": "train",
///              "custom_details": {"pipeline": "nightly", "run_id": "R", "state": "failed", "event": "failure",
///                                 "failed_task": "train", "error": "exit code 1", "link": "https://…"}},
///  "client": "Kiln", "client_url": "https://…", "links": [{"href": "https://…", "text": "Kiln run R"}]}
/// {"routing_key": "…", "event_action": "resolve", "dedup_key": "kiln/nightly"}
/// ```
public enum PagerDutyEvent {
    /// The deduplication key shared by every event of `pipeline`: `kiln/<pipeline>`.
    public static func dedupKey(for pipeline: String) -> String { "kiln/\(pipeline)" }

    /// The Events API v2 body for `event`: `resolve` for a success, `trigger` for every other kind.
    /// - Parameters:
    ///   - event: The event to report.
    ///   - routingKey: The integration's routing key (a secret: it is only ever put in this body).
    public static func make(for event: NotificationEvent, routingKey: String) -> JSONValue {
        let dedupKey = dedupKey(for: event.pipeline)
        guard event.kind != .success else {
            return ["routing_key": .string(routingKey), "event_action": "resolve", "dedup_key": .string(dedupKey)]
        }
        var details = event.details.mapValues(JSONValue.string)
        details["pipeline"] = .string(event.pipeline)
        details["run_id"] = .string(event.runID)
        details["state"] = .string(event.state)
        details["event"] = .string(event.kind.rawValue)
        if let failedTask = event.failedTask { details["failed_task"] = .string(failedTask) }
        if let error = event.error { details["error"] = .string(error) }
        if let link = event.link { details["link"] = .string(link) }

        var payload: [String: JSONValue] = [
            "summary": .string(event.summary.truncated(to: 1024)),
            "source": .string(dedupKey),
            "severity": .string(severity(for: event.kind)),
            "timestamp": .string(event.at.iso8601),
            "custom_details": .object(details),
        ]
        if let failedTask = event.failedTask { payload["component"] = .string(failedTask) }
        var body: [String: JSONValue] = [
            "routing_key": .string(routingKey),
            "event_action": "trigger",
            "dedup_key": .string(dedupKey),
            "payload": .object(payload),
            "client": "Kiln",
        ]
        if let link = event.link, !link.isEmpty {
            body["client_url"] = .string(link)
            body["links"] = [["href": .string(link), "text": .string("Kiln run \(event.runID)")]]
        }
        return .object(body)
    }

    /// The PagerDuty severity of each kind: failures and rollbacks are errors, retries warnings, the rest info.
    public static func severity(for kind: NotificationEventKind) -> String {
        switch kind {
        case .failure, .rolledBack: return "error"
        case .retrying: return "warning"
        case .success, .deployed, .approvalNeeded: return "info"
        }
    }
}
