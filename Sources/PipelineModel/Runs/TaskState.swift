/// The state of one task in a run. Raw values are stored and printed: they are a contract.
public enum TaskState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not started yet, or waiting for its next retry (see ``TaskRecord/retryAt``).
    case pending
    /// An attempt is running.
    case running
    /// The last attempt succeeded.
    case succeeded
    /// Every allowed attempt failed.
    case failed
    /// Not run: its condition was false.
    case skipped
    /// Not run: the outputs came from the cache.
    case cached
    /// Stopped by cancellation of the run.
    case cancelled
    /// Waiting for an external decision (a manual approval), until ``TaskRecord/deadline`` if set.
    case waiting

    /// Whether the task will not change again in this run.
    public var isTerminal: Bool { self != .pending && self != .running && self != .waiting }

    /// Whether downstream tasks see the task as successful (`succeeded` or `cached`).
    public var isSuccess: Bool { self == .succeeded || self == .cached }

    /// Whether `kiln resume` keeps the task as it is.
    public var isKeptOnResume: Bool { self == .succeeded || self == .skipped || self == .cached }
}
