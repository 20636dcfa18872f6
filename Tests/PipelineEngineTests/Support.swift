import PipelineEngine
import PipelineModel
import PipelineTesting
import Synchronization

/// Counts executions per task and tracks concurrency.
final class Recorder: Sendable {
    private struct State {
        var runs: [String: Int] = [:]
        var active = 0
        var maxActive = 0
    }

    private let state = Mutex(State())

    func started(_ task: String) {
        state.withLock {
            $0.runs[$0.runs.isEmpty ? task : task, default: 0] += 1
            $0.active += 1
            $0.maxActive = max($0.maxActive, $0.active)
        }
    }

    func ended() { state.withLock { $0.active -= 1 } }
    func count(_ task: String) -> Int { state.withLock { $0.runs[task] ?? 0 } }
    var maxActive: Int { state.withLock { $0.maxActive } }
}

/// Builds registries of small kinds for engine tests.
enum TestKinds {
    static func registry(recorder: Recorder, clock: ManualClock? = nil) -> TaskKindRegistry {
        var kinds = TaskKindRegistry()
        kinds.register("echo") { context in
            recorder.started(context.taskID)
            defer { recorder.ended() }
            return context.inputs
        }
        kinds.register("flaky") { context in
            recorder.started(context.taskID)
            defer { recorder.ended() }
            let times = context.inputs["times"]?.intValue ?? 1
            if context.attempt <= times { throw TaskFailure("source unavailable (attempt \(context.attempt))") }
            return ["attempt": .number(Double(context.attempt))]
        }
        kinds.register("sleep") { context in
            recorder.started(context.taskID)
            defer { recorder.ended() }
            let seconds = context.inputs["seconds"]?.intValue ?? 60
            try await context.clock.sleep(until: context.clock.now.adding(.seconds(seconds)))
            return ["slept": .number(Double(seconds))]
        }
        return kinds
    }
}

func uses(_ id: String, _ kind: String, needs: [String] = [], if condition: String? = nil, with inputs: [String: JSONValue] = [:],
          retry: RetryPolicy = RetryPolicy(), timeout: Duration? = nil, cache: CachePolicy? = nil) -> TaskSpec {
    TaskSpec(id: id, needs: needs, condition: condition, action: .uses(kind, with: inputs), retry: retry, timeout: timeout, cache: cache)
}

extension Array where Element == TaskRecord {
    subscript(task id: String) -> TaskRecord? { first { $0.taskID == id } }
}

/// A one-shot gate a task kind waits on, ignoring cancellation (like work that cannot be interrupted).
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var arrivals: [CheckedContinuation<Void, Never>] = []
        var waiting = 0
    }

    private let state = Mutex(State())

    /// Suspends until ``open()``.
    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                state.waiting += 1
                for arrival in state.arrivals { arrival.resume() }
                state.arrivals.removeAll()
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Suspends until a task waits at the gate.
    func waitUntilWaiting() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.waiting > 0 { return true }
                state.arrivals.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Lets every waiter (and later arrival) through.
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
