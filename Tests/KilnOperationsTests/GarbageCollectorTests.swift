import Foundation
import KilnOperations
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineTesting
import Testing

/// `kiln gc`'s rules on the in-memory stores and a local artifact folder, with manual time.
@Suite struct GarbageCollectorTests {
    /// A home: runs of every kind, a registered version, a cache entry and their artifacts.
    struct Home {
        let store = InMemoryStateStore()
        let registry = InMemoryRegistryStore()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-gc-\(UUID().uuidString)").path
        let clock: ManualClock
        var artifacts: LocalArtifactStore { LocalArtifactStore(root: root) }
        var collector: GarbageCollector {
            GarbageCollector(store: store, registry: registry, artifacts: artifacts, clock: clock)
        }
        /// Named artifacts: `dataset` (training data of the registered version), `model`, `old` (output of an old
        /// run nothing needs), `unfinished` (output of a running run), `cached` (in an unexpired cache entry),
        /// `expired` (in an expired one) and `orphan` (named by nothing).
        var references: [String: String] = [:]

        init() async throws {
            // Artifacts get the file system's time; the clock is 60 days later, so they are all old.
            clock = ManualClock(now: Timestamp(nanosecondsSince1970: Int64(Date().timeIntervalSince1970 * 1e9))
                .adding(.seconds(60 * 86_400)))
            for name in ["dataset", "model", "old", "unfinished", "cached", "expired", "orphan"] {
                let source = root + "-\(name)"
                try Data("content of \(name)".utf8).write(to: URL(fileURLWithPath: source))
                references[name] = try await artifacts.put(file: source)
                try FileManager.default.removeItem(atPath: source)
            }
            try await run("registered", .succeeded, daysAgo: 40, outputs: ["data": references["dataset"]!])
            try await run("unreferenced", .succeeded, daysAgo: 40, outputs: ["data": references["old"]!], logs: 2)
            try await run("failed", .failed, daysAgo: 35, outputs: [:])
            try await run("running", .running, daysAgo: 50, outputs: ["data": references["unfinished"]!])
            try await run("waiting", .waiting, daysAgo: 50, outputs: [:])
            try await run("recent", .succeeded, daysAgo: 1, outputs: [:])
            _ = try await registry.register(
                NewVersion(
                    model: "churn", artifact: references["model"]!, dataFingerprint: references["dataset"]!,
                    runID: "registered", pipeline: "train", task: "register"),
                idempotencyKey: "registered/register", at: daysAgo(40))
            try await store.commit(StateBatch(cache: [
                CacheEntry(key: "k1", pipeline: "train", taskID: "extract", runID: RunID(rawValue: "unreferenced"),
                           outputs: ["data": .string(references["cached"]!)], createdAt: daysAgo(40), expiresAt: nil),
                CacheEntry(key: "k2", pipeline: "train", taskID: "split", runID: RunID(rawValue: "unreferenced"),
                           outputs: ["data": .string(references["expired"]!)], createdAt: daysAgo(40), expiresAt: daysAgo(10)),
            ]))
        }

        func daysAgo(_ days: Int64) -> Timestamp { clock.now.adding(.zero - .seconds(days * 86_400)) }

        func run(_ id: String, _ state: RunState, daysAgo days: Int64, outputs: [String: String], logs: Int = 0) async throws {
            let record = RunRecord(
                id: RunID(rawValue: id), pipeline: "train", state: state, params: [:],
                snapshot: Pipeline(name: "train", tasks: [TaskSpec(id: "extract", action: .uses("noop", with: [:]))]),
                baseDirectory: "/", createdAt: daysAgo(days + 1), startedAt: daysAgo(days + 1),
                finishedAt: state.isFinished ? daysAgo(days) : nil)
            let task = TaskRecord(
                taskID: "extract", state: state == .running ? .running : .succeeded, attempts: 1,
                outputs: outputs.mapValues { .string($0) })
            try await store.createRun(record, tasks: [task])
            let lines = (0..<logs).map {
                LogLine(runID: RunID(rawValue: id), taskID: "extract", attempt: 1, stream: .stdout, text: "line \($0)", at: daysAgo(days))
            }
            if !lines.isEmpty { try await store.commit(StateBatch(logs: lines)) }
        }

        func kept() async throws -> Set<String> {
            Set(try await artifacts.list().map { reference in references.first { $0.value == reference.reference }!.key })
        }
    }

    @Test("old runs and artifacts nothing needs go; registered lineage, cache, unfinished and recent runs stay")
    func collects() async throws {
        let home = try await Home()
        defer { try? FileManager.default.removeItem(atPath: home.root) }

        let preview = try await home.collector.collect(keep: .seconds(30 * 86_400), dryRun: true)
        #expect(preview.dryRun)
        #expect(preview.runs.map(\.id.rawValue) == ["unreferenced", "failed"])
        #expect(preview.deletion == RunDeletion(runs: 2, tasks: 2, logLines: 2))
        #expect(Set(preview.artifacts.map(\.reference)) == [home.references["old"]!, home.references["expired"]!,
                                                             home.references["orphan"]!])
        #expect(preview.bytesFreed == Int64("content of old".utf8.count + "content of expired".utf8.count
                                            + "content of orphan".utf8.count))
        #expect(preview.keptForVersions == 1)
        #expect(try await home.kept().count == 7, "a dry run deletes no artifact")
        #expect(try await home.store.run(RunID(rawValue: "unreferenced")) != nil, "a dry run deletes no run")

        let report = try await home.collector.collect(keep: .seconds(30 * 86_400), dryRun: false)
        #expect(report.deletion == RunDeletion(runs: 2, tasks: 2, logLines: 2))
        #expect(try await home.kept() == ["dataset", "model", "unfinished", "cached"])
        for id in ["unreferenced", "failed"] {
            #expect(try await home.store.run(RunID(rawValue: id)) == nil)
            #expect(try await home.store.logs(of: RunID(rawValue: id), task: nil, attempt: nil).isEmpty)
        }
        for id in ["registered", "running", "waiting", "recent"] {
            #expect(try await home.store.run(RunID(rawValue: id)) != nil, "run \(id) stays")
        }
        // The version's lineage (its run and tasks) is still there for `kiln reproduce`.
        #expect(try await home.store.tasks(of: RunID(rawValue: "registered")).first?.outputs?["data"]
                == .string(home.references["dataset"]!))

        let again = try await home.collector.collect(keep: .seconds(30 * 86_400), dryRun: false)
        #expect(again.runs.isEmpty && again.artifacts.isEmpty, "a second pass finds nothing")
    }

    @Test("an artifact stored within the retention stays even when nothing names it yet")
    func freshArtifactsStay() async throws {
        let home = try await Home()
        defer { try? FileManager.default.removeItem(atPath: home.root) }
        let report = try await home.collector.collect(keep: .seconds(61 * 86_400), dryRun: false)
        #expect(report.artifacts.isEmpty && report.runs.isEmpty)
        #expect(try await home.kept().count == 7)
    }

    @Test("serve's daily pass runs a day after the start and then every day, on the injected clock")
    func daily() async throws {
        let home = try await Home()
        defer { try? FileManager.default.removeItem(atPath: home.root) }
        let reports = Reports()
        let started = home.clock.now
        let task = Task {
            await home.collector.runPeriodically(keep: .seconds(30 * 86_400), every: .seconds(86_400)) { result in
                await reports.append(try? result.get())
            }
        }
        await home.clock.waitForSleepers(1)
        #expect(home.clock.nextDeadline == started.adding(.seconds(86_400)))
        #expect(await reports.count == 0)
        home.clock.advance(by: .seconds(86_400))
        await home.clock.waitForSleepers(1)
        #expect(await reports.count == 1)
        #expect(await reports.last??.deletion.runs == 2)
        #expect(home.clock.nextDeadline == started.adding(.seconds(2 * 86_400)))
        task.cancel()
        await task.value
    }

    actor Reports {
        var items: [GarbageCollector.Report?] = []
        var count: Int { items.count }
        var last: GarbageCollector.Report?? { items.last }
        func append(_ report: GarbageCollector.Report?) { items.append(report) }
    }
}
