import Foundation
import PipelineEngine
import PipelineModel
import Synchronization

/// Shows a run's progress on stderr: a live per-task view on a terminal; otherwise one line per state change, or, for
/// a run of more than ``compactThreshold`` tasks (unless `verbose`), what needs attention (failures, retries,
/// skips, waits, log lines) plus a count of the tasks by state at most once a second and at the end.
final class ProgressPrinter: RunEventSink {
    private struct State {
        var order: [String] = []
        /// The state and attempt count last reported for each task: what tells a change from a repeat.
        var tasks: [String: Seen] = [:]
        /// The last record of each task, for the live view's per-task lines (kept only when it shows them: storing a
        /// record retains everything it holds).
        var records: [String: TaskRecord] = [:]
        var retryAt: [String: Timestamp] = [:]
        var drawnLines = 0
        var lastDraw: UInt64 = 0
        var pipeline = ""
        var runID = ""
        /// Whether routine changes (running, succeeded, cached) are counted instead of printed one by one.
        var compact = false
        /// Tasks by state (each at its ``ProgressPrinter/slot(_:)``), for the compact count: an array, as hashing a
        /// state hashes its name.
        var counts = [Int](repeating: 0, count: TaskState.allCases.count)
        var lastCount: UInt64 = 0
        var countChanged = false
    }

    /// A task's state and attempt count, as last reported.
    private struct Seen {
        let state: TaskState
        let attempts: Int
    }

    /// Runs of more tasks than this get the compact view on a non-terminal (and the summary view on a terminal).
    static let compactThreshold = 40

    private let live: Bool
    private let showLogs: Bool
    private let verbose: Bool
    private let state = Mutex(State())

    /// - Parameters:
    ///   - live: Redraw a per-task view in place (for terminals).
    ///   - showLogs: Echo task output lines as they arrive.
    ///   - verbose: On a non-terminal, print every state change even of a run of many tasks.
    init(live: Bool, showLogs: Bool = true, verbose: Bool = false) {
        self.live = live
        self.showLogs = showLogs
        self.verbose = verbose
    }

    func receive(_ event: RunEvent) {
        state.withLock { state in
            switch event {
            case .runStarted(let run):
                state.order = run.snapshot.tasks.map(\.id)
                state.tasks.reserveCapacity(run.snapshot.tasks.count)  // grown once, not by doublings as tasks start
                state.pipeline = run.pipeline
                state.runID = run.id.rawValue
                state.compact = !live && !verbose && run.snapshot.tasks.count > Self.compactThreshold
                emit("run \(run.id) of \(run.pipeline) started (\(run.snapshot.tasks.count) tasks)", state: &state)
                if state.compact {
                    Terminal.err("(\(run.snapshot.tasks.count) tasks: failures, retries, skips and waits are shown as they "
                        + "happen, the rest as counts; --verbose shows every change)")
                }
            case .taskChanged(_, let record):
                let seen = Seen(state: record.state, attempts: record.attempts)
                let previous = state.tasks.updateValue(seen, forKey: record.taskID)
                if live, state.order.count <= Self.compactThreshold { state.records[record.taskID] = record }
                if state.compact {
                    count(record, replacing: previous, state: &state)
                }
                if !live, previous?.state != record.state || previous?.attempts != record.attempts,
                    !state.compact || !Self.isRoutine(record.state)
                {
                    Terminal.err(line(for: record, retryAt: state.retryAt[record.taskID]))
                }
                if record.state != .pending, !state.retryAt.isEmpty { state.retryAt[record.taskID] = nil }
                if state.compact { printCount(&state, force: false) }
            case .retryScheduled(_, let task, let attempt, let at, let error):
                state.retryAt[task] = at
                if !live { Terminal.err("\(pad(task)) retry \(attempt) at \(at.iso8601) after: \(error)") }
            case .log(let line):
                guard showLogs else { return }
                let prefix = line.stream == .system ? "*" : (line.stream == .stderr ? "!" : "|")  // as `kiln logs` marks them
                emit("\(pad(line.taskID)) \(prefix) \(line.text)", state: &state)
            case .runFinished(let run):
                redraw(&state, force: true)
                if state.compact, state.countChanged { printCount(&state, force: true) }
                guard run.state.isFinished else { return }
                let failed = state.tasks.values.filter { $0.state == .failed }.count
                var summary = "run \(run.id) \(run.state.rawValue) in \(Terminal.elapsed(run.startedAt, run.finishedAt))"
                if failed > 0 { summary += " (\(failed) failed)" }
                Terminal.err(summary)
                if let error = run.error, run.state == .failed { Terminal.err("  \(error)") }
                return
            }
            redraw(&state, force: false)
        }
    }

    /// States the compact view counts without printing each change.
    private static func isRoutine(_ state: TaskState) -> Bool {
        state == .running || state == .succeeded || state == .cached || state == .pending
    }

    private func count(_ record: TaskRecord, replacing previous: Seen?, state: inout State) {
        let before = previous?.state ?? .pending
        guard before != record.state else { return }
        state.counts[Self.slot(before)] -= 1
        state.counts[Self.slot(record.state)] += 1
        state.countChanged = true
    }

    /// `state`'s index in ``State/counts``: one per state.
    private static func slot(_ state: TaskState) -> Int {
        switch state {
        case .pending: 0
        case .running: 1
        case .succeeded: 2
        case .failed: 3
        case .skipped: 4
        case .cached: 5
        case .cancelled: 6
        case .waiting: 7
        }
    }

    /// `progress: succeeded 250 · running 2 · pending 748`, at most once a second unless `force`.
    private func printCount(_ state: inout State, force: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard state.countChanged, force || now - state.lastCount >= 1_000_000_000 else { return }
        state.lastCount = now
        state.countChanged = false
        let total = state.order.count
        var counts = state.counts
        counts[Self.slot(.pending)] += total  // tasks never reported are pending
        let parts = TaskState.allCases.compactMap { task -> String? in
            let number = counts[Self.slot(task)]
            return number > 0 ? "\(task.rawValue) \(number)" : nil
        }
        Terminal.err("progress: " + parts.joined(separator: " · "))
    }

    private func emit(_ text: String, state: inout State) {
        if live { clear(&state) }
        Terminal.err(text)
        if live { state.lastDraw = 0 }
    }

    private func clear(_ state: inout State) {
        guard state.drawnLines > 0 else { return }
        Terminal.emit("\u{1B}[\(state.drawnLines)A\u{1B}[J", to: STDERR_FILENO)
        state.drawnLines = 0
    }

    private func redraw(_ state: inout State, force: Bool) {
        guard live else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard force || now - state.lastDraw > 80_000_000 else { return }
        state.lastDraw = now
        clear(&state)
        var lines: [String] = []
        let shown = state.order.count > Self.compactThreshold ? summaryLines(state) : state.order.compactMap { id in
            state.records[id].map { line(for: $0, retryAt: state.retryAt[id]) } ?? "\(pad(id)) pending"
        }
        lines += shown
        Terminal.emit(lines.joined(separator: "\n") + "\n", to: STDERR_FILENO)
        state.drawnLines = lines.count
    }

    private func summaryLines(_ state: State) -> [String] {
        var counts: [TaskState: Int] = [:]
        for id in state.order { counts[state.tasks[id]?.state ?? .pending, default: 0] += 1 }
        let parts = TaskState.allCases.compactMap { state in counts[state].map { "\(state.rawValue) \($0)" } }
        let running = state.order.filter { state.tasks[$0]?.state == .running }.prefix(10)
        return [parts.joined(separator: " · ")] + running.map { "\(pad($0)) running" }
    }

    private func pad(_ id: String) -> String { id.count >= 16 ? id : id.padding(toLength: 16, withPad: " ", startingAt: 0) }

    private func line(for record: TaskRecord, retryAt: Timestamp?) -> String {
        let name = pad(record.taskID)
        switch record.state {
        case .pending:
            if let retryAt { return "\(name) waiting to retry at \(retryAt.iso8601) (\(record.error ?? ""))" }
            return "\(name) pending"
        case .running: return "\(name) running (attempt \(record.attempts))"
        case .succeeded: return "\(name) succeeded in \(Terminal.elapsed(record.startedAt, record.finishedAt))" + attemptsNote(record)
        case .cached: return "\(name) cached (\(record.cacheNote ?? "hit"))"
        case .skipped: return "\(name) \(record.error ?? "skipped")"
        case .failed: return "\(name) failed after \(record.attempts) attempt\(record.attempts == 1 ? "" : "s"): \(record.error ?? "")"
        case .cancelled: return "\(name) cancelled"
        case .waiting:
            let until = record.deadline.map { " (until \($0.iso8601))" } ?? ""
            return "\(name) \(record.error ?? "waiting")\(until)"
        }
    }

    private func attemptsNote(_ record: TaskRecord) -> String { record.attempts > 1 ? " (attempt \(record.attempts))" : "" }
}
