import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process group a command was started in (its id is the command's pid: it leads a new session).
///
/// swift-subprocess's teardown signals the group but stops as soon as the group's leader has exited; a
/// grandchild that survived `SIGTERM` (it ignores or handles it) would outlive the task. ``finish(grace:)``
/// gives such stragglers the rest of the grace period and then kills the group.
struct ProcessGroup: Sendable {
    /// The process group id.
    let id: pid_t

    /// Whether any process (zombies included) is still in the group.
    var hasMembers: Bool { kill(-id, 0) == 0 }

    /// Sends `signal` to every process of the group.
    func send(_ signal: Int32) { _ = kill(-id, signal) }

    /// Sends `SIGTERM` to what is left of the group, waits up to `grace` for it to empty, then sends `SIGKILL`.
    ///
    /// Runs to the end even when the calling task is cancelled (this is cancellation's clean-up).
    func finish(grace: Duration) async {
        guard hasMembers else { return }
        send(SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while hasMembers, clock.now < deadline {
            await Self.pause(milliseconds: 20)
        }
        if hasMembers { send(SIGKILL) }
    }

    /// Waits without observing task cancellation (`Task.sleep` returns at once in a cancelled task).
    private static func pause(milliseconds: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
        }
    }
}
