import PipelineEngine
import PipelineModel
import Synchronization

/// A clock whose sleeps return at once, moving time to the deadline and remembering how long each one was.
final class InstantClock: PipelineClock {
    private let state: Mutex<(now: Timestamp, sleeps: [Duration])>

    init(now: Timestamp = Timestamp(millisecondsSince1970: 1_764_979_200_000)) { state = Mutex((now, [])) }

    var now: Timestamp { state.withLock { $0.now } }

    /// The length of every sleep so far, in order.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func sleep(until deadline: Timestamp) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(state.now.duration(to: deadline))
            if deadline > state.now { state.now = deadline }
        }
    }
}
