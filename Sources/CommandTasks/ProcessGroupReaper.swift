public import PipelineEngine
import PipelineModel

/// Stops the process group of a command that a dead owner of a run left running (``TaskProcessReaper``).
///
/// The group is the one recorded with the task: the leader's pid, which is also the group id, and its start time.
/// When the leader still runs with that start time, or has exited while members of its group still run, the
/// group gets `SIGTERM`, then `SIGKILL` after ``grace``. A pid that now belongs to a process started at another time
/// means the old group is gone (the system does not reuse an id while a group still has it), so nothing is sent.
/// Groups recorded on another host are left alone.
public struct ProcessGroupReaper: TaskProcessReaper {
    /// How long the group may take to exit after `SIGTERM` before it gets `SIGKILL`.
    public let grace: Duration

    /// Creates the reaper.
    /// - Parameter grace: Time between `SIGTERM` and `SIGKILL`. Default: 2 seconds.
    public init(grace: Duration = .seconds(2)) { self.grace = grace }

    /// Stops `process`'s group if it is still the one recorded, and returns once it is gone.
    public func reap(_ process: TaskProcess) async {
        guard process.host == RunOwner.thisHost else { return }
        if let started = RunOwner.processStart(process.pid), process.started != 0, started != process.started {
            return  // the pid was reused: the recorded group no longer exists
        }
        await ProcessGroup(id: process.pid).finish(grace: grace)
    }
}
