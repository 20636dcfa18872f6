import PipelineEngine
import PipelineModel

/// A kind (or the command runner) as a reproduction runs it: each task starts at the time its recorded attempt
/// started (``TaskContext/startedAt``, the one time kinds write into what they produce), and the tasks whose recorded
/// outputs are substituted (`--use-recorded-inputs`) return those outputs without running.
struct ReplayKind: TaskKind {
    let inner: any TaskKind
    let started: [String: Timestamp]
    let substituted: [String: [String: JSONValue]]

    var name: String { inner.name }

    func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        if let outputs = substituted[context.taskID] {
            context.log("kiln reproduce: recorded outputs used (--use-recorded-inputs)")
            return outputs
        }
        guard let start = started[context.taskID] else { return try await inner.run(context) }
        return try await inner.run(context.starting(at: start))
    }
}

extension TaskKindRegistry {
    /// Every kind of `self`, and its command runner, wrapped in a ``ReplayKind``.
    func replaying(started: [String: Timestamp], substituted: [String: [String: JSONValue]]) -> TaskKindRegistry {
        var wrapped = TaskKindRegistry()
        for name in names.sorted() {
            if let kind = kind(named: name) {
                wrapped.register(ReplayKind(inner: kind, started: started, substituted: substituted))
            }
        }
        wrapped.commandRunner = commandRunner.map { ReplayKind(inner: $0, started: started, substituted: substituted) }
        wrapped.reaper = reaper
        return wrapped
    }
}
