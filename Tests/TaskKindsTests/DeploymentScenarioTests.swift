import Foundation
import ModelRegistry
import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import PipelineTesting
import Testing

/// The seed's deployment scenarios with the real engine, registry kinds, artifact store and a manual clock.
@Suite struct DeploymentScenarioTests {
    let store = InMemoryStateStore()
    let registry = ModelRegistryService(store: InMemoryRegistryStore())
    let clock = ManualClock()
    let folder: String
    /// Removes `folder` when the test's instance of the suite goes.
    let scratch: ScratchFolder
    let artifacts: LocalArtifactStore

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-deploy-\(UUID().uuidString)").path
        scratch = ScratchFolder(folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        artifacts = LocalArtifactStore(root: folder + "/artifacts")
    }

    var executor: PipelineExecutor {
        var kinds = TaskKindRegistry.builtIn
        kinds.registerDeploymentKinds(
            registry: registry, artifacts: artifacts, legacyLedgerPath: folder + "/deployments.json", scoring: nil)
        // A stand-in trainer: writes a model file whose content depends on its `weights` input.
        kinds.register("toy-train") { context in
            let path = context.workingDirectory + "/model-\(context.runID).json"
            try #"{"weights": \#(context.inputs["weights"]?.compactJSON ?? "0")}"#.write(toFile: path, atomically: true, encoding: .utf8)
            return ["model": .string(path), "f1": context.inputs["f1"] ?? 0.9]
        }
        return PipelineExecutor(store: store, kinds: kinds, clock: clock, artifacts: artifacts)
    }

    /// extract → train → register (if f1 > min) → deploy (gate f1 ≥ 0.85, export) → alert when not deployed.
    func pipeline(f1: Double, approval: String = "auto", extractFailures: Int = 0, onDeploy: [JSONValue]? = nil) throws -> Plan {
        var deployInputs: [String: JSONValue] = [
            "name": "fraud", "version": "${{ tasks.register.outputs.version }}",
            "gate": ["thresholds": ["f1 >= 0.85"]], "approval": .string(approval), "export_to": "serving/model.json",
        ]
        if let onDeploy { deployInputs["on_deploy"] = .array(onDeploy) }
        return try Plan(Pipeline(name: "fraud", params: ["min_f1": 0.5], tasks: [
            TaskSpec(id: "extract", action: .uses("fail", with: ["times": .number(Double(extractFailures)), "rows": 1000]),
                     retry: RetryPolicy(retries: 3, delay: .seconds(300))),
            TaskSpec(id: "train", needs: ["extract"], action: .uses("toy-train", with: ["f1": .number(f1), "weights": .number(f1)])),
            TaskSpec(id: "register", needs: ["train"], condition: "tasks.train.outputs.f1 > params.min_f1",
                     action: .uses("register-model", with: [
                        "name": "fraud", "model": "${{ tasks.train.outputs.model }}", "metrics": ["f1": "${{ tasks.train.outputs.f1 }}"],
                     ])),
            TaskSpec(id: "deploy", needs: ["register"], action: .uses("deploy", with: deployInputs)),
            TaskSpec(id: "alert", needs: ["deploy"], condition: "failure() || tasks.deploy.outputs.deployed == false",
                     action: .uses("noop", with: ["alerted": true])),
        ]), knownKinds: nil)
    }

    var exported: String { folder + "/serving/model.json" }

    func deployGoodModel() async throws {
        let run = try await executor.run(try pipeline(f1: 0.9), baseDirectory: folder)
        #expect(run.state == .succeeded)
        #expect(try await registry.resolve("fraud@production").version == 1)
    }

    @Test("a good model is registered, passes the gate, is exported and becomes production")
    func deploys() async throws {
        try await deployGoodModel()
        let latest = try #require(try await store.runs(pipeline: "fraud", limit: 1).first)
        let tasks = try await store.tasks(of: latest.id)
        let deploy = tasks.first { $0.taskID == "deploy" }
        #expect(deploy?.outputs?["deployed"] == true)
        #expect(deploy?.outputs?["reasons"] == ["f1 0.9 >= 0.85: pass"])
        #expect(tasks.first { $0.taskID == "alert" }?.state == .skipped)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == #"{"weights": 0.9}"#)
    }

    @Test("scenario 1: a transient source failure is retried 5 minutes apart and the run succeeds")
    func transientFailure() async throws {
        async let finished = executor.run(try pipeline(f1: 0.9, extractFailures: 2), baseDirectory: folder)
        for _ in 0..<2 {
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(300))
        }
        let run = try await finished
        #expect(run.state == .succeeded)
        #expect(try await store.tasks(of: run.id).first { $0.taskID == "extract" }?.attempts == 3)
        #expect(try await registry.resolve("fraud@production").version == 1)
    }

    @Test("scenario 2: the source fails on every attempt; production and its exported file stay as they were")
    func persistentFailure() async throws {
        try await deployGoodModel()
        let before = try Data(contentsOf: URL(fileURLWithPath: exported))
        async let finished = executor.run(try pipeline(f1: 0.95, extractFailures: 10), baseDirectory: folder)
        for _ in 0..<3 {
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(300))
        }
        let run = try await finished
        #expect(run.state == .failed)
        let tasks = try await store.tasks(of: run.id)
        #expect(tasks.first { $0.taskID == "extract" }?.attempts == 4)
        #expect(tasks.first { $0.taskID == "alert" }?.state == .succeeded)
        #expect(try await registry.resolve("fraud@production").version == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: exported)) == before)
    }

    @Test("scenario 3: a candidate below the gate is registered but not promoted; the alert branch runs")
    func belowGate() async throws {
        try await deployGoodModel()
        let run = try await executor.run(try pipeline(f1: 0.7), baseDirectory: folder)
        #expect(run.state == .succeeded)
        let tasks = try await store.tasks(of: run.id)
        #expect(tasks.first { $0.taskID == "deploy" }?.outputs?["deployed"] == false)
        #expect(tasks.first { $0.taskID == "deploy" }?.outputs?["reasons"] == ["f1 0.7 >= 0.85: fail"])
        #expect(tasks.first { $0.taskID == "alert" }?.state == .succeeded)
        #expect(try await registry.resolve("fraud@production").version == 1)
        #expect(try await registry.model("fraud").versions.count == 2)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == #"{"weights": 0.9}"#)
    }

    @Test("scenario 4: manual approval waits with no process held; approve deploys, reject leaves production")
    func manualApproval() async throws {
        try await deployGoodModel()
        let waiting = try await executor.run(try pipeline(f1: 0.95, approval: "manual"), baseDirectory: folder)
        #expect(waiting.state == .waiting)
        #expect(try await registry.resolve("fraud@production").version == 1)
        try await executor.decide(Decision(approved: true, reason: "ok", actor: "ana", at: clock.now), task: "deploy", of: waiting.id)
        #expect(try await executor.resume(waiting.id).state == .succeeded)
        #expect(try await registry.resolve("fraud@production").version == 2)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == #"{"weights": 0.95}"#)

        let second = try await executor.run(try pipeline(f1: 0.97, approval: "manual"), baseDirectory: folder)
        try await executor.decide(Decision(approved: false, reason: "not today", actor: "ana", at: clock.now), task: nil, of: second.id)
        let rejected = try await executor.resume(second.id)
        #expect(rejected.state == .succeeded)
        let deploy = try await store.tasks(of: second.id).first { $0.taskID == "deploy" }
        #expect(deploy?.outputs?["deployed"] == false)
        #expect(try await registry.resolve("fraud@production").version == 2)
    }

    @Test("scenario 5: killed between register and deploy, then resumed: exactly one new version, deployed once")
    func killedBetweenRegisterAndDeploy() async throws {
        let plan = try pipeline(f1: 0.9)
        let run = try await executor.run(plan, baseDirectory: folder)
        // Rewind the stored state to "deploy was running when the process died" and resume.
        var tasks = try await store.tasks(of: run.id)
        var deploy = try #require(tasks.first { $0.taskID == "deploy" })
        deploy.state = .running
        deploy.outputs = nil
        var alert = try #require(tasks.first { $0.taskID == "alert" })
        alert.state = .pending
        var record = try #require(try await store.run(run.id))
        record.state = .running
        try await store.commit(StateBatch(run: record, tasks: [
            TaskUpdate(runID: run.id, record: deploy, expected: nil), TaskUpdate(runID: run.id, record: alert, expected: nil),
        ]))
        #expect(try await executor.resume(run.id).state == .succeeded)
        tasks = try await store.tasks(of: run.id)
        #expect(try await registry.model("fraud").versions.count == 1)
        let history = try await registry.model("fraud").history.filter { $0.alias == "production" }
        #expect(history.count == 1)
        #expect(tasks.first { $0.taskID == "deploy" }?.outputs?["deployed"] == true)
    }

    @Test("a failing on_deploy hook leaves the alias and the exported file untouched and fails the run")
    func failingHook() async throws {
        try await deployGoodModel()
        let before = try Data(contentsOf: URL(fileURLWithPath: exported))
        let run = try await executor.run(try pipeline(f1: 0.96, onDeploy: ["sh", "-c", "exit 3"]), baseDirectory: folder)
        #expect(run.state == .failed)
        #expect(try await store.tasks(of: run.id).first { $0.taskID == "deploy" }?.error?.contains("on_deploy failed") == true)
        #expect(try await registry.resolve("fraud@production").version == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: exported)) == before)
    }

    @Test("rollback restores the previous version's alias and exported file")
    func rollback() async throws {
        try await deployGoodModel()
        #expect(try await executor.run(try pipeline(f1: 0.95), baseDirectory: folder).state == .succeeded)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == #"{"weights": 0.95}"#)
        let deployer = Deployer(registry: registry, artifacts: artifacts, legacyLedgerPath: folder + "/deployments.json")
        let change = try await deployer.rollback(model: "fraud", alias: "production", to: nil, reason: "alerts", actor: "cli", at: clock.now)
        #expect(change.to == 1)
        #expect(try String(contentsOfFile: exported, encoding: .utf8) == #"{"weights": 0.9}"#)
    }
}

/// A scratch folder removed when the last reference to it goes: suites are structs, which have no `deinit`.
final class ScratchFolder: Sendable {
    let path: String
    init(_ path: String) { self.path = path }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
