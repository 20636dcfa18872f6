/// A change that trigger rules or the run queue read, pushed by whoever made it: the reason for the scheduler to look
/// now instead of at its next tick.
public enum SchedulerSignal: String, Sendable, Hashable, CaseIterable {
    /// A metric sample was stored (`kiln metrics push`, the HTTP API, a performance rule on labelled data).
    case metric
    /// A model alias moved: a promotion, a rollback, a deployment.
    case promotion
    /// A run was queued or ended (a manual `kiln trigger`, an upstream pipeline's run).
    case run
}

/// Where the scheduler hears ``SchedulerSignal``s that any process sharing its store posts.
///
/// Backends: the PostgreSQL store (`LISTEN`/`NOTIFY`, sent in the transaction of the change) and the SQLite store (a
/// wake-up file next to the database, watched with inotify). Signals are hints, never state: one may be lost (a
/// process killed between its commit and the signal) or merged with another, and the scheduler's timers still look
/// at everything on their schedule.
public protocol SchedulerSignalSource: Sendable {
    /// The signals posted from now on, until the consuming task is cancelled or the stream's consumer stops.
    func signals() -> AsyncStream<SchedulerSignal>
}
