import Foundation
import ModelRegistry
import PipelineEngine
import PipelineModel
import Synchronization

/// This process as the owner of deployments, and whether the owner of a recorded deployment is still running.
///
/// A deployment belongs to a process (its id and start mark). Another process's deployment is abandoned when that
/// process is gone (or the id now names a later process, or a zombie). A deployment of this process is abandoned
/// when this process no longer carries it out (it is not in ``inFlight``) — after a simulated crash in tests, or
/// when an earlier process had the same id.
enum DeploymentProcess {
    /// This process.
    static let current = DeploymentOwner(pid: getpid(), processStart: RunOwner.processStart(getpid()))

    /// The intents this process carries out (deploying or recovering) right now.
    private static let inFlight = Mutex(Set<String>())

    private static let counter = Atomic<Int>(0)

    /// A new intent id, unique for this process and distinct from other processes' (`<pid>-<start>-<n>-<time>`).
    static func nextIntentID(at: Timestamp) -> String {
        let number = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return "\(current.pid)-\(current.processStart ?? 0)-\(number)-\(at.nanosecondsSince1970)"
    }

    /// Marks `id` as carried out by this process; `false` when it already is.
    static func claim(_ id: String) -> Bool {
        inFlight.withLock { $0.insert(id).inserted }
    }

    /// Marks `id` as no longer carried out by this process.
    static func release(_ id: String) {
        _ = inFlight.withLock { $0.remove(id) }
    }

    /// Whether the deployment `intent` is still being carried out by its owner.
    static func isRunning(_ intent: DeploymentIntent) -> Bool {
        let owner = intent.owner
        if owner.pid == current.pid {
            if let start = owner.processStart, let mine = current.processStart, start != mine { return false }
            return inFlight.withLock { $0.contains(intent.id) }
        }
        guard owner.pid > 0, kill(owner.pid, 0) == 0 || errno == EPERM else { return false }
        guard let state = RunOwner.processState(owner.pid), let started = RunOwner.processStart(owner.pid) else {
            return true
        }
        if state == "Z" || state == "X" { return false }
        if let start = owner.processStart, start != started { return false }
        return true
    }
}
