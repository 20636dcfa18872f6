/// One entry of a pipeline's `notify:` list: which events to report, and where.
///
/// ```yaml
/// notify:
///   - on: [failure, rolled_back]
///     slack: { webhook: "${{ env.SLACK_WEBHOOK }}" }
/// ```
///
/// Encoded flat, as the YAML writes it: `{"on": ["failure", "rolled_back"], "slack": {"webhook": "…"}}`.
public struct NotificationRule: Sendable, Hashable {
    /// The event kinds that trigger this rule; never empty in a rule read from a file.
    public var on: [NotificationEventKind]
    /// Where the message goes.
    public var destination: NotificationDestination

    /// A rule sending events of the kinds in `on` to `destination`.
    public init(on: [NotificationEventKind], destination: NotificationDestination) {
        self.on = on
        self.destination = destination
    }

    /// Whether events of `kind` are sent by this rule.
    public func matches(_ kind: NotificationEventKind) -> Bool { on.contains(kind) }
}

extension NotificationRule: Codable {
    private enum Keys: String, CodingKey {
        case on
    }

    /// Decodes `on` and the one destination key beside it.
    /// - Throws: `DecodingError` when `on` is missing or holds an unknown kind, or the destination is missing or ambiguous.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        on = try container.decode([NotificationEventKind].self, forKey: .on)
        destination = try NotificationDestination(from: decoder)
    }

    /// Encodes `on` and the destination's key side by side.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(on, forKey: .on)
        try destination.encode(to: encoder)
    }
}
