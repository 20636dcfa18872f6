/// Where a `notify:` rule sends its message: a Slack incoming webhook, PagerDuty (Events API v2) or any HTTP endpoint.
///
/// In a pipeline snapshot the strings are the text written in the file, usually expressions such as
/// `${{ env.SLACK_WEBHOOK }}`, so secrets are never stored; the caller resolves them before delivery.
/// Every textual form of a destination (`description`, `debugDescription`, its mirror) is redacted:
/// URLs show only scheme and host, routing keys and header values never appear.
///
/// Encoded as the YAML writes it: `{"slack": {"webhook": …}}`, `{"pagerduty": {"routing_key": …, "url": …}}`
/// or `{"webhook": {"url": …, "headers": {…}}}`.
public enum NotificationDestination: Sendable, Hashable {
    /// A Slack incoming webhook (`slack: { webhook: URL }`).
    case slack(webhook: String)
    /// PagerDuty's Events API v2 (`pagerduty: { routing_key: KEY, url: URL }`); `url` defaults to ``pagerDutyEventsURL``.
    case pagerDuty(routingKey: String, url: String = NotificationDestination.pagerDutyEventsURL)
    /// A plain HTTP endpoint that receives the run document (`webhook: { url: URL, headers: {…} }`).
    case webhook(url: String, headers: [String: String] = [:])

    /// PagerDuty's Events API v2 endpoint, the default `url` of a `pagerduty:` destination.
    public static let pagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"

    /// The YAML key of the destination: `slack`, `pagerduty` or `webhook`.
    public var kind: String {
        switch self {
        case .slack: return "slack"
        case .pagerDuty: return "pagerduty"
        case .webhook: return "webhook"
        }
    }

    /// The URL the destination posts to.
    public var url: String {
        switch self {
        case .slack(let webhook): return webhook
        case .pagerDuty(_, let url): return url
        case .webhook(let url, _): return url
        }
    }

    /// The target with its secrets removed, safe for logs and records: scheme and host of the URL, e.g.
    /// `https://hooks.slack.com/…`; `…` alone when the URL cannot be read.
    public var redactedTarget: String { NotificationDestination.redact(url: url) }

    /// Every secret the destination holds, longest first, so text can be scrubbed of them before it is logged or
    /// recorded: the URL, its user info, its path and query (whole, and each segment and value on its own), the
    /// routing key and header values (whole, and each word). Pieces shorter than 6 characters are left out: they
    /// cannot be secrets, and scrubbing them would mangle ordinary words.
    public var secrets: [String] {
        var values: [String] = [url]
        if let rest = NotificationDestination.afterAuthority(of: url) {
            values.append(rest)
            values.append(contentsOf: rest.split(whereSeparator: { "/?#&=;".contains($0) }).map(String.init))
        }
        if let userInfo = NotificationDestination.userInfo(of: url) {
            values.append(userInfo)
            values.append(contentsOf: userInfo.split(separator: ":").map(String.init))
        }
        switch self {
        case .slack: break
        case .pagerDuty(let routingKey, _): values.append(routingKey)
        case .webhook(_, let headers):
            for value in headers.values {
                values.append(value)
                values.append(contentsOf: value.split(separator: " ").map(String.init))
            }
        }
        return Array(Set(values.filter { $0.count >= 6 })).sorted { ($0.count, $0) > ($1.count, $1) }
    }

    /// `url` reduced to `scheme://host[:port]/…`; `…` when it has no `scheme://host`.
    ///
    /// User info, path, query and fragment are dropped: a webhook URL's path is its secret.
    public static func redact(url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "…" }
        let scheme = url[url.startIndex..<schemeEnd.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return "…" }
        let authority = url[schemeEnd.upperBound...].prefix { !"/?#".contains($0) }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        guard !host.isEmpty else { return "…" }
        return "\(scheme.lowercased())://\(host)/…"
    }

    private static func afterAuthority(of url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        guard let start = rest.firstIndex(where: { "/?#".contains($0) }) else { return nil }
        let tail = String(rest[start...])
        return tail == "/" ? nil : tail
    }

    private static func userInfo(of url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { !"/?#".contains($0) }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        return String(authority[authority.startIndex..<at])
    }
}

extension NotificationDestination: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The redacted form, e.g. `slack(https://hooks.slack.com/…)`.
    public var description: String { "\(kind)(\(redactedTarget))" }

    /// The redacted form, as ``description``.
    public var debugDescription: String { description }

    /// A mirror with only the kind and the redacted target, so `dump` shows no secret either.
    public var customMirror: Mirror {
        Mirror(self, children: ["kind": kind, "target": redactedTarget], displayStyle: .enum)
    }
}
