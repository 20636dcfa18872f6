public import PipelineModel

/// Something that happened to a run, as the notifier reports it.
///
/// The caller (the engine's event reader) builds it; every string is already resolved and is sent as it is,
/// except that messages are trimmed to each service's limits.
public struct NotificationEvent: Sendable, Hashable {
    /// What happened; rules whose `on:` lists it receive the event.
    public var kind: NotificationEventKind
    /// The pipeline's name.
    public var pipeline: String
    /// The run's id.
    public var runID: String
    /// The run's state when the event was made, e.g. `failed` or `succeeded`.
    public var state: String
    /// The task whose failure caused the event, if any.
    public var failedTask: String?
    /// The error message, if any.
    public var error: String?
    /// A link to the run (dashboard or API), when the caller has one.
    public var link: String?
    /// More facts to show, such as a model version or a metric (shown sorted by key).
    public var details: [String: String]
    /// The run document (`RunDocument.make`), the body a `webhook:` destination receives.
    public var runDocument: JSONValue?
    /// When it happened, from the engine's clock.
    public var at: Timestamp

    /// Creates an event.
    /// - Parameters:
    ///   - kind: What happened.
    ///   - pipeline: The pipeline's name.
    ///   - runID: The run's id.
    ///   - state: The run's state, e.g. `failed`.
    ///   - failedTask: The task that failed, if any.
    ///   - error: The error message, if any.
    ///   - link: A link to the run, if any.
    ///   - details: More facts to show.
    ///   - runDocument: The run document, sent to webhooks.
    ///   - at: When it happened.
    public init(
        kind: NotificationEventKind, pipeline: String, runID: String, state: String, failedTask: String? = nil,
        error: String? = nil, link: String? = nil, details: [String: String] = [:], runDocument: JSONValue? = nil,
        at: Timestamp
    ) {
        self.kind = kind
        self.pipeline = pipeline
        self.runID = runID
        self.state = state
        self.failedTask = failedTask
        self.error = error
        self.link = link
        self.details = details
        self.runDocument = runDocument
        self.at = at
    }

    /// A short English phrase for the event, e.g. `failed` or `needs approval`.
    public var headline: String {
        switch kind {
        case .failure: return "failed"
        case .success: return "succeeded"
        case .deployed: return "deployed"
        case .rolledBack: return "rolled back"
        case .approvalNeeded: return "needs approval"
        case .retrying: return "is retrying"
        }
    }

    /// One line for people: `nightly failed (run R): task train: <error>`, without any length limit.
    public var summary: String {
        var text = "\(pipeline) \(headline) (run \(runID))"
        if let failedTask { text += ": task \(failedTask)" }
        if let error, !error.isEmpty { text += ": \(error)" }
        return text
    }

    /// The JSON a webhook receives when the caller gave no run document: the event's own fields.
    public var document: JSONValue {
        var members: [String: JSONValue] = [
            "event": .string(kind.rawValue),
            "pipeline": .string(pipeline),
            "id": .string(runID),
            "state": .string(state),
            "at": .string(at.iso8601),
        ]
        if let failedTask { members["failed_task"] = .string(failedTask) }
        if let error { members["error"] = .string(error) }
        if let link { members["link"] = .string(link) }
        if !details.isEmpty { members["details"] = .object(details.mapValues(JSONValue.string)) }
        return .object(members)
    }
}
