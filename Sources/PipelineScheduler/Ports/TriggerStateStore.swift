/// Where the trigger daemon keeps what it has already handled, so a restart neither skips nor doubles a run.
///
/// Backends: `SQLiteStateStore` and `PostgresStateStore` (table `trigger_state`) and `InMemoryStateStore`; each passes
/// `TriggerStateStoreConformance` (in `PipelineTesting`).
public protocol TriggerStateStore: Sendable {
    /// The stored state of `pipeline`'s triggers, or `nil` when nothing was stored yet.
    func triggerState(pipeline: String) async throws -> TriggerState?

    /// Replaces the stored state of `state.pipeline`'s triggers, atomically.
    func saveTriggerState(_ state: TriggerState) async throws
}
