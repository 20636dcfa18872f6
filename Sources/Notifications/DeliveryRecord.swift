public import PipelineModel

/// The outcome of sending one event to one destination: what the notifier returns instead of throwing.
///
/// It holds no secret: `target` is the redacted URL (`https://hooks.slack.com/…`) and `error` has been scrubbed of
/// the URL, the routing key and header values, so records can be stored, logged and shown as they are.
public struct DeliveryRecord: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The destination's kind: `slack`, `pagerduty` or `webhook`.
    public var destination: String
    /// The redacted target, e.g. `https://hooks.slack.com/…`.
    public var target: String
    /// The kind of event that was sent.
    public var event: NotificationEventKind
    /// Whether the destination accepted the message (a 2xx answer).
    public var ok: Bool
    /// How many HTTP requests were made (0 when the destination could not be used at all, e.g. a malformed URL).
    public var attempts: Int
    /// The last HTTP status received, if any request got an answer.
    public var status: Int?
    /// Why the delivery failed (the last error or status), scrubbed of secrets; `nil` when `ok`.
    public var error: String?
    /// When the delivery finished, from the notifier's clock.
    public var at: Timestamp

    /// Creates a record. The notifier makes these; the initializer is public for tests and stores.
    public init(
        destination: String, target: String, event: NotificationEventKind, ok: Bool, attempts: Int, status: Int? = nil,
        error: String? = nil, at: Timestamp
    ) {
        self.destination = destination
        self.target = target
        self.event = event
        self.ok = ok
        self.attempts = attempts
        self.status = status
        self.error = error
        self.at = at
    }

    /// One line, e.g. `slack https://hooks.slack.com/… failure: failed after 5 attempts: HTTP 503`.
    public var description: String {
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        let outcome = ok ? "delivered after \(tries)" : "failed after \(tries)"
        let reason = ok ? status.map { " (HTTP \($0))" } ?? "" : error.map { ": \($0)" } ?? ""
        return "\(destination) \(target) \(event.rawValue): \(outcome)\(reason)"
    }
}
