import PipelineModel

extension RunPlanner {
    /// An attempt to start, with the task's templates evaluated against params, environment and upstream outputs.
    struct Attempt: Hashable, Sendable {
        /// The task's index in the plan.
        var task: Int
        /// The attempt's number: 1 for the first, counted across resumes.
        var number: Int
        /// The command or kind to run.
        var action: ResolvedAction
        /// The `with:` inputs of a kind (empty for commands).
        var inputs: [String: JSONValue]
        /// The task's `env:`.
        var environment: [String: String]
        /// The task's `workdir:`, if set (may be relative to the run's base directory).
        var workdir: String?
        /// The decision the task waited for, when it runs again to act on one.
        var decision: Decision?
    }
}
