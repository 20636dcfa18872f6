import PipelineModel

/// One HTTP POST the notifier makes for an event and a destination: pure data, built before any I/O.
struct NotificationRequest: Sendable {
    /// The URL to post to (holds secrets; never logged).
    var url: String
    /// The headers, in order (values may hold secrets; never logged).
    var headers: [(name: String, value: String)]
    /// The JSON body.
    var body: String

    /// The request that tells `destination` about `event`.
    static func make(for event: NotificationEvent, to destination: NotificationDestination) -> NotificationRequest {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("User-Agent", "kiln-notifier"),
        ]
        switch destination {
        case .slack(let webhook):
            return NotificationRequest(url: webhook, headers: headers, body: SlackMessage.make(for: event).compactJSON)
        case .pagerDuty(let routingKey, let url):
            let body = PagerDutyEvent.make(for: event, routingKey: routingKey)
            return NotificationRequest(url: url, headers: headers, body: body.compactJSON)
        case .webhook(let url, let custom):
            headers.append(("X-Kiln-Event", event.kind.rawValue))
            for name in custom.keys.sorted() {
                headers.removeAll { $0.name.lowercased() == name.lowercased() }
                headers.append((name, custom[name]!))
            }
            let body = event.runDocument ?? event.document
            return NotificationRequest(url: url, headers: headers, body: body.compactJSON)
        }
    }

    /// Whether `url` is an absolute `http` or `https` URL with a host.
    static func isUsable(_ url: String) -> Bool {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return false }
        return NotificationDestination.redact(url: url) != "…"
    }
}
