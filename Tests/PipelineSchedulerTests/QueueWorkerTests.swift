import Logging
import PipelineEngine
import PipelineModel
import PipelineScheduler
import PipelineTesting
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// `kiln worker`'s loop in process, on the in-memory queue and store.
@Suite("Queue worker in process")
struct QueueWorkerTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test("the attempts of a new run read its pipeline snapshot once, however many start together")
    func oneSnapshotReadPerRun() async throws {
        let ownerStore = InMemoryStateStore()
        let queue = InMemoryTaskQueue()
        var kinds = TaskKindRegistry()
        kinds.register("value") { _ in ["ok": true] }
        let owner = PipelineExecutor(store: ownerStore, kinds: kinds, configuration: .init(parallelism: 100), queue: queue)
        let plan = try Plan(Pipeline(name: "wide", tasks: (0..<48).map { TaskSpec(id: "t\($0)", action: .uses("value", with: [:])) }))
        let worker = QueueWorker(
            queue: queue, executor: PipelineExecutor(store: ownerStore, kinds: kinds), clock: SystemClock(), reaper: nil,
            configuration: .init(name: "w1", concurrency: 16), logger: Self.logger)
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                let before = ownerStore.runReadCount
                let run = try await owner.run(plan, baseDirectory: "/tmp")
                #expect(run.state == .succeeded)
                #expect(ownerStore.runReadCount - before == 1, "run(_:) was read \(ownerStore.runReadCount - before) times")
                shutdown.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }
}
