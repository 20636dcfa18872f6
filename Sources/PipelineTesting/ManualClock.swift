import PipelineEngine
public import PipelineModel
import Synchronization

/// A clock that only moves when a test says so: retries, timeouts and expiry run in microseconds.
///
/// ```swift
/// let clock = ManualClock(now: Timestamp(millisecondsSince1970: 0))
/// async let run = executor.run(plan, baseDirectory: "/tmp")
/// await clock.waitForSleepers(1)      // the retry timer is armed
/// clock.advance(by: .seconds(300))    // five minutes pass at once
/// ```
public final class ManualClock: PipelineClock {
    private struct Sleeper {
        let id: Int
        let deadline: Timestamp
        let continuation: CheckedContinuation<Void, any Error>
        /// A heartbeat-like sleep (``ClockSleep/isBackground``): woken by time like any other, but not counted.
        let background: Bool
    }

    private struct State {
        var now: Timestamp
        var sleepers: [Sleeper] = []
        var nextID = 0
        var cancelled: Set<Int> = []
    }

    private let state: Mutex<State>

    /// A clock showing `now`.
    public init(now: Timestamp = Timestamp(millisecondsSince1970: 1_764_979_200_000)) {
        state = Mutex(State(now: now))
    }

    /// The current (manual) time.
    public var now: Timestamp { state.withLock { $0.now } }

    /// Suspends until the clock is advanced to `deadline` or past it.
    public func sleep(until deadline: Timestamp) async throws {
        let background = ClockSleep.isBackground
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> (any Error)?? in
                    if state.cancelled.remove(id) != nil { return .some(CancellationError()) }
                    if deadline <= state.now { return .some(nil) }
                    state.sleepers.append(
                        Sleeper(id: id, deadline: deadline, continuation: continuation, background: background))
                    return nil
                }
                switch resumeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                if let index = state.sleepers.firstIndex(where: { $0.id == id }) {
                    return state.sleepers.remove(at: index)
                }
                state.cancelled.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline is reached.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.adding(duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest pending deadline of a foreground sleeper (if any) and wakes every sleeper due.
    /// - Returns: The deadline reached, or `nil` when nobody sleeps (background sleepers aside).
    @discardableResult
    public func advanceToNextDeadline() -> Timestamp? {
        guard let next = state.withLock({ $0.sleepers.filter { !$0.background }.map(\.deadline).min() }) else { return nil }
        advance(by: now.duration(to: next))
        return next
    }

    /// How many tasks are sleeping now, not counting background sleeps (``ClockSleep/isBackground``: heartbeats).
    public var sleeperCount: Int { state.withLock { $0.sleepers.count { !$0.background } } }

    /// The earliest pending deadline.
    public var nextDeadline: Timestamp? { state.withLock { $0.sleepers.filter { !$0.background }.map(\.deadline).min() } }

    /// Waits (yielding) until at least `count` tasks sleep on this clock.
    public func waitForSleepers(_ count: Int = 1) async {
        while sleeperCount < count { await Task.yield() }
    }
}
