import PipelineModel
import Synchronization

/// Wakes one waiting task early: rings while nobody waits are kept (once) for the next wait.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or the next one if nobody waits.
    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits until the bell rings (`true`) or `deadline` passes on `clock` (`false`); returns at once when it rang
    /// since the last wait. Cancellation ends the wait (`false`).
    func wait(until deadline: Timestamp, clock: any PipelineClock) async -> Bool {
        if state.withLock({ state in defer { state.rung = false }; return state.rung }) { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.rang() }
            group.addTask {
                try? await clock.sleep(until: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && !Task.isCancelled
        }
    }

    /// Suspends until a ring or cancellation; `true` for a ring.
    private func rang() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            return !Task.isCancelled
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }
}
