extension NotificationDestination: Codable {
    private enum Keys: String, CodingKey {
        case slack, pagerduty, webhook
    }

    private enum SlackKeys: String, CodingKey {
        case webhook
    }

    private enum PagerDutyKeys: String, CodingKey {
        case routingKey = "routing_key"
        case url
    }

    private enum WebhookKeys: String, CodingKey {
        case url, headers
    }

    /// Decodes the one destination key present: `slack`, `pagerduty` or `webhook`.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when none or more than one of them is present.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let present = [Keys.slack, .pagerduty, .webhook].filter { container.contains($0) }
        guard present.count == 1, let key = present.first else {
            let found = present.isEmpty ? "none" : present.map(\.stringValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "A notify rule needs exactly one destination (slack, pagerduty or webhook); found \(found)."
            ))
        }
        switch key {
        case .slack:
            let slack = try container.nestedContainer(keyedBy: SlackKeys.self, forKey: .slack)
            self = .slack(webhook: try slack.decode(String.self, forKey: .webhook))
        case .pagerduty:
            let pagerDuty = try container.nestedContainer(keyedBy: PagerDutyKeys.self, forKey: .pagerduty)
            self = .pagerDuty(
                routingKey: try pagerDuty.decode(String.self, forKey: .routingKey),
                url: try pagerDuty.decodeIfPresent(String.self, forKey: .url) ?? NotificationDestination.pagerDutyEventsURL
            )
        case .webhook:
            let webhook = try container.nestedContainer(keyedBy: WebhookKeys.self, forKey: .webhook)
            self = .webhook(
                url: try webhook.decode(String.self, forKey: .url),
                headers: try webhook.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
            )
        }
    }

    /// Encodes the destination under its key, with the YAML's field names.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .slack(let webhook):
            var slack = container.nestedContainer(keyedBy: SlackKeys.self, forKey: .slack)
            try slack.encode(webhook, forKey: .webhook)
        case .pagerDuty(let routingKey, let url):
            var pagerDuty = container.nestedContainer(keyedBy: PagerDutyKeys.self, forKey: .pagerduty)
            try pagerDuty.encode(routingKey, forKey: .routingKey)
            try pagerDuty.encode(url, forKey: .url)
        case .webhook(let url, let headers):
            var webhook = container.nestedContainer(keyedBy: WebhookKeys.self, forKey: .webhook)
            try webhook.encode(url, forKey: .url)
            if !headers.isEmpty { try webhook.encode(headers, forKey: .headers) }
        }
    }
}
