import PipelineModel

extension RunPlanner {
    /// What the executor must do, as returned by ``RunPlanner/nextActions(now:freeSlots:random:)``.
    ///
    /// Tasks are indices into the plan's tasks. Actions are performed in order, except that every
    /// ``start(_:)`` waits until the planner's ``RunPlanner/changes`` are stored.
    enum Action: Hashable, Sendable {
        /// Start this attempt (its record is already `running` in the changes to store first).
        case start(Attempt)
        /// Report ``Event/retryDue(task:)`` at `at`: the task's retry becomes due then.
        case scheduleRetry(task: Int, at: Timestamp)
        /// Report ``Event/deadlineDue(task:)`` at `at`: the waiting task is rejected then, unless decided.
        case scheduleDeadline(task: Int, at: Timestamp)
        /// Store the changes with the run's new state and stop: this execution ended with `outcome`.
        case finish(Outcome)
    }
}
