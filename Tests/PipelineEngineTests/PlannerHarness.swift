@testable import PipelineEngine
import PipelineModel
import PipelineTesting

/// A planner driven by task ids, its actions described as short strings so scenarios read as tables.
struct PlannerHarness {
    /// When every scenario starts: 2025-12-06T00:00:00Z.
    static let start = Timestamp(millisecondsSince1970: 1_764_979_200_000)

    var planner: RunPlanner
    var now = start
    var random: SeededRandomNumberGenerator

    init(_ tasks: [TaskSpec], params: [String: JSONValue] = [:], records: [TaskRecord] = [], seed: UInt64 = 7) throws {
        let plan = try Plan(Pipeline(name: "p", params: params, tasks: tasks))
        planner = RunPlanner(plan: plan, params: params, environment: [:], records: records, now: Self.start)
        random = SeededRandomNumberGenerator(seed: seed)
    }

    /// The record of task `id`.
    subscript(id: String) -> TaskRecord { planner.records[planner.plan.index[id]!] }

    /// Every task's state, by id.
    var states: [String: TaskState] {
        Dictionary(uniqueKeysWithValues: planner.records.map { ($0.taskID, $0.state) })
    }

    /// The changes not cleared yet, as `task: state`.
    var changes: [String] {
        planner.changes.map { "\(planner.records[$0].taskID): \(planner.records[$0].state.rawValue)" }
    }

    /// The next actions, described.
    mutating func next(slots: Int = 4) -> [String] {
        planner.nextActions(now: now, freeSlots: slots, random: &random).map(describe)
    }

    /// Reports the event of `step` (or lets time pass).
    mutating func perform(_ step: PlannerScenario.Step) {
        func task(_ id: String) -> Int { planner.plan.index[id]! }
        let event: RunPlanner.Event
        switch step {
        case .expect: return
        case .advance(let duration):
            now = now.adding(duration)
            return
        case .succeed(let id, let outputs):
            event = .attemptSucceeded(task: task(id), outputs: outputs, cacheKey: nil, cacheNote: nil)
        case .cached(let id):
            event = .attemptCached(task: task(id), outputs: [:], cacheKey: "k", cacheNote: "hit")
        case .fail(let id, let error): event = .attemptFailed(task: task(id), error: error, cacheKey: nil)
        case .suspend(let id, let after):
            event = .attemptSuspended(task: task(id), reason: "approval", deadline: after.map { now.adding($0) })
        case .retryDue(let id): event = .retryDue(task: task(id))
        case .deadlineDue(let id): event = .deadlineDue(task: task(id))
        case .cancel: event = .cancellationRequested
        }
        planner.handle(event, now: now, random: &random)
    }

    /// `start <task> #<attempt>`, `retry <task> at +<s>s`, `deadline <task> at +<s>s` or `finish <outcome>`;
    /// times are relative to ``start``.
    func describe(_ action: RunPlanner.Action) -> String {
        func id(_ task: Int) -> String { planner.plan.pipeline.tasks[task].id }
        func offset(_ time: Timestamp) -> String { "+\(Self.start.duration(to: time).components.seconds)s" }
        switch action {
        case .start(let attempt): return "start \(id(attempt.task)) #\(attempt.number)"
        case .scheduleRetry(let task, let at): return "retry \(id(task)) at \(offset(at))"
        case .scheduleDeadline(let task, let at): return "deadline \(id(task)) at \(offset(at))"
        case .finish(.succeeded): return "finish succeeded"
        case .finish(.failed(let summary)): return "finish failed: \(summary)"
        case .finish(.waiting): return "finish waiting"
        case .finish(.cancelled): return "finish cancelled"
        case .finish(.handedOver): return "finish handed over"
        }
    }
}
