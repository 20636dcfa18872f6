import Logging
import PipelineModel
import Synchronization

/// Renews the leases of every run an executor is executing, with one heartbeat for all of them.
///
/// A run hands its lease over when its execution starts (``keep(_:inbox:)``) and takes it back when it ends
/// (``stopKeeping(_:)``). One background task sleeps a heartbeat, renews every lease held, and sleeps again; it ends
/// at a beat that finds nothing to renew, and the next lease kept starts another. A lease is first renewed at most a
/// heartbeat after it was kept — as when each run had a heartbeat of its own — but a run no longer starts, arms and
/// cancels a timer of its own: on a busy executor that was a third of the cost of a short run.
///
/// When a renewal finds the run taken over, the keeper tells that run's loop
/// (``PipelineExecutor/Message/leaseLost(_:)``) and stops renewing its lease.
final class LeaseKeeper: Sendable {
    private struct Held {
        let lease: RunLease
        let inbox: Inbox<PipelineExecutor.Message>
    }

    private struct State {
        var held: [RunID: Held] = [:]
        /// Whether the heartbeat task is running (sleeping, or renewing).
        var beating = false
    }

    private let state = Mutex(State())
    private let store: any StateStore
    private let clock: any PipelineClock
    private let heartbeat: Duration
    private let leaseDuration: Duration
    private let logger: Logger

    init(
        store: any StateStore, clock: any PipelineClock, heartbeat: Duration, leaseDuration: Duration, logger: Logger
    ) {
        self.store = store
        self.clock = clock
        self.heartbeat = heartbeat
        self.leaseDuration = leaseDuration
        self.logger = logger
    }

    /// Renews `lease` every heartbeat until ``stopKeeping(_:)``; reports its loss to `inbox`.
    func keep(_ lease: RunLease, inbox: Inbox<PipelineExecutor.Message>) {
        let start = state.withLock { state -> Bool in
            state.held[lease.runID] = Held(lease: lease, inbox: inbox)
            defer { state.beating = true }
            return !state.beating
        }
        guard start else { return }
        // Detached: the heartbeat serves every run, so it takes no run's task-local values or cancellation. It holds
        // the keeper weakly between beats: an executor that is dropped releases its store (and a PostgreSQL store its
        // connections) at once, not at the next beat — or never, on a test clock that is not moved on.
        let (clock, heartbeat) = (clock, heartbeat)
        Task.detached { [weak self] in
            // A background sleep: test clocks do not count it among the sleeps a test waits for.
            await ClockSleep.$isBackground.withValue(true) {
                var next = clock.now.adding(heartbeat)
                while true {
                    try? await clock.sleep(until: next)
                    guard let keeper = self, let now = await keeper.beat() else { return }
                    next = now.adding(heartbeat)
                }
            }
        }
    }

    /// Stops renewing the lease of run `id`.
    func stopKeeping(_ id: RunID) {
        state.withLock { _ = $0.held.removeValue(forKey: id) }
    }

    /// Renews every lease held and returns when it did; `nil` when none is held, and the heartbeat task then ends.
    private func beat() async -> Timestamp? {
        let held = state.withLock { state -> [Held]? in
            guard !state.held.isEmpty else {
                state.beating = false
                return nil
            }
            return Array(state.held.values)
        }
        guard let held else { return nil }
        let now = clock.now
        for entry in held {
            await renew(entry, at: now)
        }
        return now
    }

    private func renew(_ entry: Held, at now: Timestamp) async {
        let lease = entry.lease
        do {
            _ = try await store.renewLease(lease, at: now, expiresAt: now.adding(leaseDuration))
        } catch StateStoreError.leaseLost(_, let holder) {
            let mine = state.withLock { state -> Bool in
                guard state.held[lease.runID]?.lease == lease else { return false }  // no longer kept
                state.held[lease.runID] = nil
                return true
            }
            if mine { entry.inbox.post(.leaseLost(holder)) }
        } catch {
            // A transient store error: try again at the next beat (the lease lasts several beats).
            logger.warning("Lease heartbeat failed", metadata: ["run.id": "\(lease.runID)", "error": "\(error)"])
        }
    }
}
