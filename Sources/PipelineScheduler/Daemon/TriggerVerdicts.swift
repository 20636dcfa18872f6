public import PipelineModel
import Synchronization

/// The latest trigger decision of each pipeline, as the trigger service last evaluated it: what the dashboard and
/// `GET /v1/pipelines` show as "last verdict" without evaluating anything themselves.
public final class TriggerVerdicts: Sendable {
    /// One pipeline's latest decision and when it was made.
    public struct Entry: Sendable {
        /// When the trigger service evaluated it.
        public var at: Timestamp
        /// The decision, with each rule's verdict and evidence.
        public var decision: TriggerDecision
    }

    private let latest = Mutex<[String: Entry]>([:])
    private let observe: @Sendable ([TriggerDecision]) -> Void

    /// Creates an empty record; `observe` is told of every tick's decisions too (for metrics).
    public init(observe: @escaping @Sendable ([TriggerDecision]) -> Void = { _ in }) {
        self.observe = observe
    }

    /// Records a tick's decisions.
    public func record(_ decisions: [TriggerDecision], at time: Timestamp) {
        latest.withLock { latest in
            for decision in decisions { latest[decision.pipeline] = Entry(at: time, decision: decision) }
        }
        observe(decisions)
    }

    /// The latest decision of `pipeline`, if it was evaluated.
    public func latest(of pipeline: String) -> Entry? {
        latest.withLock { $0[pipeline] }
    }
}
