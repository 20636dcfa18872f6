import Dispatch

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
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

    /// Whether a process of the group is still running.
    ///
    /// Zombies do not count: orphans are reparented to PID 1 (or a subreaper), which may reap them late, and
    /// `kill(-id, 0)` still finds them until then. On Linux this reads `/proc`; elsewhere it falls back to
    /// `kill(-id, 0)`.
    var hasRunningMembers: Bool {
        guard kill(-id, 0) == 0 else { return false }
        #if os(Linux)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
            return entries.contains { entry in
                guard entry.first?.isNumber == true, let stat = Self.stat(of: entry) else { return false }
                return stat.group == id && stat.state != "Z"
            }
        #else
            return true
        #endif
    }

    /// Sends `signal` to every process of the group.
    func send(_ signal: Int32) { _ = kill(-id, signal) }

    /// Sends `SIGTERM` to what is left of the group, waits up to `grace` for it to end, then sends `SIGKILL`.
    ///
    /// Runs to the end even when the calling task is cancelled (this is cancellation's clean-up).
    func finish(grace: Duration) async {
        guard hasRunningMembers else { return }
        send(SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while hasRunningMembers, clock.now < deadline {
            await Self.pause(milliseconds: 20)
        }
        if hasRunningMembers { send(SIGKILL) }
    }

    /// The state letter and process group of process `pid`, from `/proc/<pid>/stat`.
    private static func stat(of pid: String) -> (state: Character, group: pid_t)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let endOfName = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state, ppid, pgrp, ...
        let fields = text[text.index(after: endOfName)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let group = pid_t(fields[2]) else { return nil }
        return (state, group)
    }

    /// Waits without observing task cancellation (`Task.sleep` returns at once in a cancelled task).
    private static func pause(milliseconds: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
        }
    }
}
