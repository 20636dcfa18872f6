import PipelineModel

extension RunPlanner {
    /// Something that happened to a run, reported to ``RunPlanner/handle(_:now:random:)``.
    ///
    /// Tasks are indices into the plan's tasks. Attempt events end the task's running attempt.
    enum Event: Hashable, Sendable {
        /// The attempt returned `outputs`; `cacheKey` and `cacheNote` are set when the task caches.
        case attemptSucceeded(task: Int, outputs: [String: JSONValue], cacheKey: String?, cacheNote: String?)
        /// The attempt reused the outputs of the cache entry stored under `cacheKey`.
        case attemptCached(task: Int, outputs: [String: JSONValue], cacheKey: String, cacheNote: String)
        /// The attempt failed: the task retries while its budget lasts, and fails otherwise.
        case attemptFailed(task: Int, error: String, cacheKey: String?)
        /// The attempt asked to wait for a decision, until `deadline` if set.
        case attemptSuspended(task: Int, reason: String, deadline: Timestamp?)
        /// The attempt stopped because the run is being cancelled.
        case attemptCancelled(task: Int)
        /// The retry timer of a task fired.
        case retryDue(task: Int)
        /// The decision deadline of a waiting task passed.
        case deadlineDue(task: Int)
        /// The run was cancelled: nothing more starts, and the next actions finish it as cancelled.
        case cancellationRequested

        /// The task whose attempt the event ends, if it is an attempt event.
        var attemptTask: Int? {
            switch self {
            case .attemptSucceeded(let task, _, _, _), .attemptCached(let task, _, _, _),
                .attemptFailed(let task, _, _), .attemptSuspended(let task, _, _), .attemptCancelled(let task):
                return task
            case .retryDue, .deadlineDue, .cancellationRequested:
                return nil
            }
        }
    }
}
