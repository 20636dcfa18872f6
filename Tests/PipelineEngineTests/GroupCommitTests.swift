import Foundation
import PipelineEngine
import PipelineModel
import PipelineTesting
import Synchronization
import Testing

/// The executor's group commit: batches grow while attempts keep finishing, and yet no task starts before the end
/// of every task it needs is stored.
@Suite("Group commit")
struct GroupCommitTests {
    /// One timeline of what the store committed and what the kinds started.
    final class Timeline: Sendable {
        enum Entry: Sendable {
            /// A commit that stored these task records.
            case commit([TaskRecord])
            /// An attempt of this task started.
            case start(String)
        }

        private let entries = Mutex<[Entry]>([])
        func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
        var all: [Entry] { entries.withLock { $0 } }
    }

    /// A connection lost after `COMMIT` was sent: the batch may have been applied.
    struct LostReply: Error {}

    /// When on, the first commit of every batch (by id) is applied but answered with ``LostReply``.
    final class LostReplies: Sendable {
        let on: Bool
        let seen = Mutex(Set<String>())
        init(_ on: Bool) { self.on = on }
        func take(_ batch: StateBatch) -> Bool {
            guard on else { return false }
            return seen.withLock { $0.insert(batch.id ?? "").inserted }
        }
    }

    /// A store that appends each commit to the timeline once it is stored (before `commit` returns).
    struct RecordingStore: StateStore {
        let base = InMemoryStateStore()
        let timeline: Timeline
        var lostReplies = LostReplies(false)

        func createRun(_ run: RunRecord, tasks: [TaskRecord]) async throws { try await base.createRun(run, tasks: tasks) }
        func commit(_ batch: StateBatch) async throws {
            try await base.commit(batch)
            timeline.append(.commit(batch.tasks.map(\.record)))
            if lostReplies.take(batch) { throw LostReply() }
        }
        func acquireLease(
            run id: RunID, owner: RunOwner, at now: Timestamp, expiresAt: Timestamp, mode: LeaseAcquisition
        ) async throws -> RunLease {
            try await base.acquireLease(run: id, owner: owner, at: now, expiresAt: expiresAt, mode: mode)
        }
        func renewLease(_ lease: RunLease, at now: Timestamp, expiresAt: Timestamp) async throws -> RunLease {
            try await base.renewLease(lease, at: now, expiresAt: expiresAt)
        }
        func releaseLease(_ lease: RunLease) async throws { try await base.releaseLease(lease) }
        func lease(of id: RunID) async throws -> RunLease? { try await base.lease(of: id) }
        func run(_ id: RunID) async throws -> RunRecord? { try await base.run(id) }
        func tasks(of id: RunID) async throws -> [TaskRecord] { try await base.tasks(of: id) }
        func runs(pipeline: String?, limit: Int) async throws -> [RunRecord] { try await base.runs(pipeline: pipeline, limit: limit) }
        func runIDs(withPrefix prefix: String) async throws -> [RunID] { try await base.runIDs(withPrefix: prefix) }
        func logs(of id: RunID, task: String?, attempt: Int?) async throws -> [LogLine] {
            try await base.logs(of: id, task: task, attempt: attempt)
        }
        func cacheEntry(forKey key: String) async throws -> CacheEntry? { try await base.cacheEntry(forKey: key) }
        func cacheEntries() async throws -> [CacheEntry] { try await base.cacheEntries() }
        func clearCache(task: String?) async throws -> Int { try await base.clearCache(task: task) }
        func finishedRuns(before cutoff: Timestamp) async throws -> [FinishedRun] { try await base.finishedRuns(before: cutoff) }
        func artifactReferences(excludingRuns excluded: Set<RunID>) async throws -> Set<String> {
            try await base.artifactReferences(excludingRuns: excluded)
        }
        func deleteFinishedRuns(_ ids: [RunID]) async throws -> RunDeletion { try await base.deleteFinishedRuns(ids) }
    }

    /// An executor on a ``RecordingStore`` whose kind `mark` records its start in `timeline` and returns its inputs.
    static func marking(_ timeline: Timeline, parallelism: Int) -> PipelineExecutor {
        var kinds = TaskKindRegistry()
        kinds.register("mark") { context in
            timeline.append(.start(context.taskID))
            return context.inputs
        }
        return PipelineExecutor(
            store: RecordingStore(timeline: timeline), kinds: kinds, clock: ManualClock(),
            random: SeededRandomSource(seed: 1), configuration: .init(parallelism: parallelism))
    }

    /// A run of `pipeline` on a ``marking(_:parallelism:)`` executor, which must succeed; with its timeline, plan and
    /// executor.
    static func runMarked(
        _ pipeline: Pipeline, parallelism: Int
    ) async throws -> (timeline: Timeline, plan: Plan, executor: PipelineExecutor, run: RunRecord) {
        let timeline = Timeline()
        let plan = try Plan(pipeline)
        let executor = marking(timeline, parallelism: parallelism)
        let run = try await executor.run(plan, baseDirectory: "/tmp")
        #expect(run.state == .succeeded)
        return (timeline, plan, executor, run)
    }

    /// Wide fan-outs between chains and fan-ins, with conditions that skip some tasks (skips settle dependents too).
    static func pipeline() -> Pipeline {
        var tasks = [uses("source", "mark", with: ["value": 1])]
        var layer: [String] = []
        for index in 0..<60 {
            let id = "wide-\(index)"
            let condition = index % 7 == 3 ? "${{ tasks.source.outputs.value > 5 }}" : nil
            tasks.append(uses(id, "mark", needs: ["source"], if: condition, with: ["v": "${{ tasks.source.outputs.value }}"]))
            layer.append(id)
        }
        tasks.append(uses("join", "mark", needs: layer, if: "${{ always() }}"))
        var previous = "join"
        for index in 0..<20 {
            let id = "chain-\(index)"
            tasks.append(uses(id, "mark", needs: [previous]))
            for leaf in 0..<3 { tasks.append(uses("\(id)-leaf-\(leaf)", "mark", needs: [id])) }
            previous = id
        }
        return Pipeline(name: "group-commit", tasks: tasks)
    }

    @Test("no attempt starts before every task it needs is stored as ended, at any parallelism", arguments: [1, 2, 4, 16])
    func dependentsWaitForTheCommit(parallelism: Int) async throws {
        let (timeline, plan, executor, run) = try await Self.runMarked(Self.pipeline(), parallelism: parallelism)

        var stored: [String: TaskState] = [:]
        var starts = 0
        for entry in timeline.all {
            switch entry {
            case .commit(let records):
                for record in records { stored[record.taskID] = record.state }
            case .start(let task):
                starts += 1
                let spec = plan.pipeline.tasks[plan.index[task]!]
                for need in spec.needs {
                    let state = stored[need]
                    #expect(state?.isTerminal == true, "\(task) started while \(need) was stored as \(state?.rawValue ?? "nothing")")
                }
            }
        }
        #expect(starts == plan.pipeline.tasks.count - 9)  // the 9 wide tasks whose condition is false are skipped
        let final = try await executor.store.tasks(of: run.id)
        #expect(final.allSatisfy { $0.state == .succeeded || $0.state == .skipped })
        #expect(try await executor.store.lease(of: run.id) == nil, "the last commit released the lease")
    }

    @Test("commits whose reply is lost are retried and applied once: no duplicate log line, no lost lease")
    func lostCommitReplies() async throws {
        let timeline = Timeline()
        var kinds = TaskKindRegistry()
        final class Count: Sendable { let value = Mutex(0) }
        let count = Count()
        kinds.register("fail-once") { context in
            let attempt = count.value.withLock { value -> Int in
                value += 1
                return value
            }
            if attempt == 1 { throw TaskFailure("first attempt fails") }
            return [:]
        }
        let plan = try Plan(Pipeline(name: "lost-replies", tasks: [
            uses("flaky", "fail-once", retry: RetryPolicy(retries: 2, delay: .zero)),
            uses("after", "fail-once", needs: ["flaky"]),
        ]))
        // Every batch's first reply is lost, including the last one's, which releases the lease.
        let store = RecordingStore(timeline: timeline, lostReplies: LostReplies(true))
        let executor = PipelineExecutor(
            store: store, kinds: kinds, clock: ManualClock(), random: SeededRandomSource(seed: 1),
            configuration: .init(parallelism: 2))
        let run = try await executor.run(plan, baseDirectory: "/tmp")
        #expect(run.state == .succeeded)
        let logs = try await store.logs(of: run.id, task: "flaky", attempt: nil).filter { $0.text.contains("failed") }
        #expect(logs.count == 1, "\(logs.map(\.text))")
        #expect(try await store.tasks(of: run.id).allSatisfy { $0.state == .succeeded })
        #expect(try await store.lease(of: run.id) == nil)
    }

    /// A chain of cached tasks (each reading the one before), then a task that does not cache.
    static func cachedChain() -> Pipeline {
        let policy = CachePolicy(expire: .seconds(3600))
        var tasks = [uses("c0", "mark", with: ["v": 0], cache: policy)]
        for index in 1..<6 {
            tasks.append(uses("c\(index)", "mark", needs: ["c\(index - 1)"],
                              with: ["v": .string("${{ tasks.c\(index - 1).outputs.v }}")], cache: policy))
        }
        tasks.append(uses("after", "mark", needs: ["c5"], with: ["v": "${{ tasks.c5.outputs.v }}"]))
        return Pipeline(name: "cached-chain", tasks: tasks)
    }

    @Test("a chain of cache hits needs no commit between its steps; a task that runs after it waits for its commit",
          arguments: [1, 4])
    func cacheHitsResolveWithoutCommits(parallelism: Int) async throws {
        let (timeline, plan, executor, first) = try await Self.runMarked(Self.cachedChain(), parallelism: parallelism)
        let filled = timeline.all.count

        let second = try await executor.run(plan, baseDirectory: "/tmp")
        #expect(second.state == .succeeded)
        let entries = timeline.all.dropFirst(filled)
        var stored: [String: TaskState] = [:]
        var commitsBeforeStart = 0, starts: [String] = []
        for entry in entries {
            switch entry {
            case .commit(let records):
                for record in records { stored[record.taskID] = record.state }
                if starts.isEmpty { commitsBeforeStart += 1 }
            case .start(let task):
                starts.append(task)
                #expect(stored["c5"] == .cached, "\(task) started while c5 was stored as \(stored["c5"]?.rawValue ?? "nothing")")
            }
        }
        #expect(starts == ["after"], "only the task that does not cache runs")
        #expect(commitsBeforeStart == 1, "the six hits are stored in one commit, before the task after them starts")
        let records = try await executor.store.tasks(of: second.id)
        for index in 0..<6 {
            #expect(records[task: "c\(index)"]?.state == .cached)
            #expect(records[task: "c\(index)"]?.outputs == ["v": 0])
            #expect(records[task: "c\(index)"]?.cacheNote?.hasPrefix("hit: stored by run \(first.id)") == true)
        }
        #expect(records[task: "after"]?.state == .succeeded)
    }

    @Test("a cache entry does not stand in for a task whose kind this process lacks")
    func cacheHitNeedsTheKind() async throws {
        let timeline = Timeline()
        let store = RecordingStore(timeline: timeline)
        let pipeline = Pipeline(name: "cached", tasks: [
            uses("only", "mark", with: ["v": 1], cache: CachePolicy(expire: .seconds(3600)))
        ])
        var kinds = TaskKindRegistry()
        kinds.register("mark") { $0.inputs }
        let filling = PipelineExecutor(
            store: store, kinds: kinds, clock: ManualClock(), random: SeededRandomSource(seed: 1))
        #expect(try await filling.run(Plan(pipeline), baseDirectory: "/tmp").state == .succeeded)

        let lacking = PipelineExecutor(
            store: store, kinds: TaskKindRegistry(), clock: ManualClock(), random: SeededRandomSource(seed: 2))
        let run = try await lacking.run(Plan(pipeline), baseDirectory: "/tmp")
        #expect(run.state == .failed)
        let record = try await store.tasks(of: run.id)[task: "only"]
        #expect(record?.state == .failed)
        #expect(record?.error?.contains("no task kind 'mark'") == true, "\(record?.error ?? "")")
    }

    @Test("cached tasks naming files past the loop's hashing budget look up in their attempts, and still hit")
    func largeNamedFilesLookUpInTheAttempt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let policy = CachePolicy(expire: .seconds(3600))
        var tasks: [TaskSpec] = []
        for index in 0..<3 {  // 3 MiB each: the first fits the 4 MiB budget, the others do not
            let file = folder.appendingPathComponent("part-\(index).bin")
            try Data(repeating: UInt8(index), count: 3 << 20).write(to: file)
            tasks.append(uses("read-\(index)", "mark", with: ["path": .string(file.path)], cache: policy))
        }
        let plan = try Plan(Pipeline(name: "large-files", tasks: tasks))
        let timeline = Timeline()
        let executor = Self.marking(timeline, parallelism: 4)
        #expect(try await executor.run(plan, baseDirectory: folder.path).state == .succeeded)
        let firstStarts = timeline.all.filter { if case .start = $0 { true } else { false } }.count
        #expect(firstStarts == 3)

        let again = try await executor.run(plan, baseDirectory: folder.path)
        #expect(again.state == .succeeded)
        let records = try await executor.store.tasks(of: again.id)
        #expect(records.allSatisfy { $0.state == .cached }, "\(records.map { "\($0.taskID): \($0.state)" })")
        #expect(timeline.all.filter { if case .start = $0 { true } else { false } }.count == firstStarts)

        try Data(repeating: 9, count: 3 << 20).write(to: folder.appendingPathComponent("part-2.bin"))
        let changed = try await executor.run(plan, baseDirectory: folder.path)
        let after = try await executor.store.tasks(of: changed.id)
        #expect(after[task: "read-2"]?.state == .succeeded, "a changed file is a miss")
        #expect(after[task: "read-0"]?.state == .cached)
    }
}

/// Which updates of a batch a store may leave unwritten: those a later unconditional update of the same task replaces.
@Suite("Superseded task updates")
struct SupersededUpdateTests {
    static func update(_ run: String, _ task: String, _ state: TaskState, expected: TaskState? = nil) -> TaskUpdate {
        TaskUpdate(
            runID: RunID(rawValue: run), record: TaskRecord(taskID: task, state: state, attempts: 1), expected: expected)
    }

    @Test("an unconditional update is superseded by the next one of its task when that one is unconditional too")
    func supersededUpdates() {
        let batch = StateBatch(tasks: [
            Self.update("r1", "a", .running),  // replaced by the next update of a
            Self.update("r1", "b", .running),  // the next update of b is conditional: kept
            Self.update("r2", "a", .running),  // same task id in another run: kept
            Self.update("r1", "a", .succeeded),
            Self.update("r1", "b", .succeeded, expected: .running),
            Self.update("r1", "c", .waiting, expected: .pending),  // conditional itself: kept
            Self.update("r1", "c", .succeeded),
        ])
        #expect(batch.supersededTaskUpdates == [true, false, false, false, false, false, false])
        #expect(StateBatch(tasks: [Self.update("r1", "a", .running)]).supersededTaskUpdates == [false])
        #expect(StateBatch().supersededTaskUpdates.isEmpty)
    }
}
