public import PipelineEngine
public import PipelineModel

/// Where the trigger daemon keeps what it has already handled, so a restart neither skips nor doubles a run, and
/// which of several daemons sharing the store evaluates triggers.
///
/// Backends: `SQLiteStateStore` and `PostgresStateStore` (tables `trigger_state` and `scheduler_leases`) and
/// `InMemoryStateStore`; each passes `TriggerStateStoreConformance` (in `PipelineTesting`).
public protocol TriggerStateStore: Sendable {
    /// The stored state of `pipeline`'s triggers, or `nil` when nothing was stored yet.
    func triggerState(pipeline: String) async throws -> TriggerState?

    /// Replaces the stored state of `state.pipeline`'s triggers, atomically.
    func saveTriggerState(_ state: TriggerState) async throws

    /// Takes the right to evaluate triggers for `owner` when nobody holds it or the holder's lease expired at `now`,
    /// or renews it when `owner` holds it already; either way it then lasts until `expiresAt`. Compare-and-set: of
    /// several processes claiming at once, one wins. One `kiln serve` at a time evaluates a store's triggers, so
    /// several of them sharing a database never fire one trigger twice; the others stand by.
    ///
    /// - Returns: The lease as stored after the call: `owner`'s when it holds the right, else the live holder's.
    func claimTriggerEvaluation(by owner: RunOwner, at now: Timestamp, until expiresAt: Timestamp) async throws
        -> TriggerEvaluationLease

    /// Gives the right up when `owner` holds it (graceful shutdown), so a standby takes over at once.
    func releaseTriggerEvaluation(by owner: RunOwner) async throws
}

/// Who evaluates a store's triggers, and until when.
public struct TriggerEvaluationLease: Sendable, Hashable {
    /// The holder.
    public var owner: RunOwner
    /// When the holder took the right (its renewals keep this time).
    public var acquiredAt: Timestamp
    /// When the right lapses unless renewed.
    public var expiresAt: Timestamp

    /// Creates a lease value.
    public init(owner: RunOwner, acquiredAt: Timestamp, expiresAt: Timestamp) {
        self.owner = owner
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}
