import PipelineModel

extension RunPlanner {
    /// How one execution of a run ended, as decided by the planner.
    enum Outcome: Hashable, Sendable {
        /// Every task is terminal and none failed.
        case succeeded
        /// Every task is terminal and some failed; `summary` lists them (`task: error`, joined by `; `).
        case failed(summary: String)
        /// Nothing can progress until a waiting task gets a decision; no attempt or retry is pending.
        case waiting
        /// The run was cancelled; attempts that were running are stored cancelled.
        case cancelled
        /// The run goes to its next owner (``RunPlanner/handOver(keeping:)``): it is stored `queued`.
        case handedOver

        /// The run state to store.
        var runState: RunState {
            switch self {
            case .succeeded: return .succeeded
            case .failed: return .failed
            case .waiting: return .waiting
            case .cancelled: return .cancelled
            case .handedOver: return .queued
            }
        }
    }
}
