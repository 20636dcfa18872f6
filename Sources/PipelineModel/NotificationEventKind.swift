/// What happened to a pipeline that a `notify:` rule can react to; the raw values are the YAML spellings.
public enum NotificationEventKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The run failed.
    case failure
    /// The run succeeded.
    case success
    /// A model version was deployed (promoted to serving).
    case deployed
    /// A deployment was rolled back to the previous model version.
    case rolledBack = "rolled_back"
    /// The run waits for a person to approve a step.
    case approvalNeeded = "approval_needed"
    /// A task failed and will be tried again.
    case retrying
}
