import Foundation
import Logging
import ModelRegistry
import PipelineEngine
import PipelineModel
import DeploymentTasks
import PipelineTesting
import Synchronization
import Testing

/// Crash consistency of deployments: a crash after each step, then recovery; concurrent deployments; the gate's
/// production version; the import of a legacy `deployments.json`.
@Suite struct DeploymentRecoveryTests {
    let store = InMemoryRegistryStore()
    let registry: ModelRegistryService
    let clock = ManualClock()
    let folder: String
    /// Removes `folder` when the test's instance of the suite goes.
    let scratch: ScratchFolder
    let artifacts: LocalArtifactStore
    /// The bytes of each registered version's model file.
    let bytes: [Int: Data] = [1: Data("model one".utf8), 2: Data("model two, longer".utf8), 3: Data("model 3".utf8)]

    init() async throws {
        registry = ModelRegistryService(store: store)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-recovery-\(UUID().uuidString)").path
        scratch = ScratchFolder(folder)
        try FileManager.default.createDirectory(atPath: folder + "/serving", withIntermediateDirectories: true)
        artifacts = LocalArtifactStore(root: folder + "/artifacts")
        for version in 1...3 {
            let file = folder + "/model-\(version).bin"
            try bytes[version]!.write(to: URL(fileURLWithPath: file))
            let artifact = try await artifacts.put(file: file)
            try await registry.register(
                NewVersion(model: "fraud", metrics: ["f1": 0.8 + Double(version) / 100], artifact: artifact,
                           dataFingerprint: "sha256:data", runID: "run-\(version)", pipeline: "nightly", task: "register"),
                idempotencyKey: "run-\(version)/register", at: clock.now)
        }
    }

    var exported: String { folder + "/serving/model.bin" }

    func deployer(crashingAfter step: DeploymentStep? = nil) -> Deployer {
        var deployer = Deployer(registry: registry, artifacts: artifacts, legacyLedgerPath: folder + "/deployments.json")
        deployer.crashPoint = step
        return deployer
    }

    @discardableResult
    func deploy(
        _ version: Int, with deployer: Deployer? = nil, hook: () async throws -> Void = {}
    ) async throws -> AliasChange {
        try await (deployer ?? self.deployer()).deploy(
            model: "fraud", version: version, alias: "production", exportPath: exported, hook: hook, reason: nil,
            actor: "test", at: clock.now)
    }

    /// The outcome of deploying `version`.
    func attempt(_ version: Int) async -> Result<AliasChange, any Error> {
        do {
            return .success(try await deploy(version))
        } catch {
            return .failure(error)
        }
    }

    /// The exported file holds the production version's bytes (or is absent without one), no intent is left, and the
    /// serving folder holds nothing but the exported file.
    func expectConsistent(production expected: Int?, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let production = try await registry.model("fraud").production
        #expect(production == expected, "production", sourceLocation: sourceLocation)
        let file = FileManager.default.contents(atPath: exported)
        #expect(file == expected.flatMap { bytes[$0] }, "the exported file's bytes", sourceLocation: sourceLocation)
        #expect(try await store.deploymentIntents() == [], "intents left", sourceLocation: sourceLocation)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/serving").filter { $0 != "model.bin" }
        #expect(leftovers == [], "leftover files", sourceLocation: sourceLocation)
        if let expected {
            #expect(try await store.deployment(model: "fraud", alias: "production")?.version == expected, sourceLocation: sourceLocation)
        }
    }

    static let steps = DeploymentStep.allCases

    @Test("a crash after each step of a redeployment, then recovery: the file and production agree, nothing is left over",
          arguments: steps)
    func crashDuringRedeployment(step: DeploymentStep) async throws {
        try await deploy(1)
        let hookRan = Mutex(false)
        await #expect(throws: SimulatedCrash(step: step)) {
            try await deploy(2, with: deployer(crashingAfter: step), hook: { hookRan.withLock { $0 = true } })
        }
        #expect(hookRan.withLock { $0 } == (step == .hookRan || step == .aliasCommitted))
        let intents = try await store.deploymentIntents()
        #expect(intents.map(\.state) == [step == .aliasCommitted ? .committed : .pending])
        let lines = try await deployer().recover(at: clock.now)
        #expect(lines.count == 1)
        #expect(lines.first?.contains(step == .aliasCommitted ? "after the alias moved" : "before the alias moved") == true)
        try await expectConsistent(production: step == .aliasCommitted ? 2 : 1)
        // Recovery is done: running it again changes nothing, and the next deployment goes through.
        #expect(try await deployer().recover(at: clock.now) == [])
        try await deploy(3)
        try await expectConsistent(production: 3)
    }

    @Test("a crash after each step of a first deployment (no file before), then recovery", arguments: steps)
    func crashDuringFirstDeployment(step: DeploymentStep) async throws {
        await #expect(throws: SimulatedCrash(step: step)) { try await deploy(1, with: deployer(crashingAfter: step)) }
        try await deployer().recover(at: clock.now)
        try await expectConsistent(production: step == .aliasCommitted ? 1 : nil)
    }

    @Test("a crash in a rollback after each step, then recovery", arguments: steps)
    func crashDuringRollback(step: DeploymentStep) async throws {
        try await deploy(1)
        try await deploy(2)
        await #expect(throws: SimulatedCrash(step: step)) {
            try await deployer(crashingAfter: step).rollback(
                model: "fraud", alias: "production", to: nil, reason: nil, actor: "cli", at: clock.now)
        }
        try await deployer().recover(at: clock.now)
        try await expectConsistent(production: step == .aliasCommitted ? 1 : 2)
    }

    @Test("an abandoned deployment is recovered before the next one, which then succeeds")
    func recoveredBeforeNextDeployment() async throws {
        try await deploy(1)
        await #expect(throws: SimulatedCrash(step: .fileSwapped)) { try await deploy(2, with: deployer(crashingAfter: .fileSwapped)) }
        #expect(FileManager.default.contents(atPath: exported) == bytes[2])  // the crash left file and alias apart
        try await deploy(3)
        try await expectConsistent(production: 3)
    }

    @Test("a deployment whose process is gone is recovered; one whose process runs is left alone and blocks with a clear error")
    func ownerLiveness() async throws {
        try await deploy(1)
        await #expect(throws: SimulatedCrash(step: .hookRan)) { try await deploy(2, with: deployer(crashingAfter: .hookRan)) }
        let intent = try #require(try await store.deploymentIntents().first)
        // Hand the intent to a live process (the test runner's parent): recovery must not touch it.
        let living = DeploymentOwner(pid: getppid(), processStart: nil)
        _ = try await store.takeOverDeployment(id: intent.id, from: intent.owner, to: living)
        #expect(try await deployer().recover(at: clock.now) == [])
        let error = await #expect(throws: RegistryError.self) { try await deploy(3) }
        #expect(error?.description == "alias 'production' of model 'fraud' is being deployed already (to version 2, by test in "
            + "process \(getppid()), since \(clock.now.iso8601)); deployments of one alias or one file run one at a time: "
            + "wait for it to finish and try again")
        #expect(FileManager.default.contents(atPath: exported) == bytes[2])
        // Now the owner is a process that has ended.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/sh")
        ended.arguments = ["-c", "exit 0"]
        try ended.run()
        ended.waitUntilExit()
        _ = try await store.takeOverDeployment(
            id: intent.id, from: living, to: DeploymentOwner(pid: ended.processIdentifier, processStart: nil))
        #expect(try await deployer().recover(at: clock.now).count == 1)
        try await expectConsistent(production: 1)
    }

    @Test("two deployments of one model at once: one wins, the other fails naming it, and the file matches production")
    func concurrentDeployments() async throws {
        try await deploy(1)
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
        async let first = deploy(2, hook: {
            startedSignal.yield()
            for await _ in release { break }
        })
        for await _ in started { break }
        // The first deployment holds the intent and has swapped its file in; the second one must not interleave.
        let error = await #expect(throws: RegistryError.self) { try await deploy(3) }
        guard case .deploymentInProgress(let model, let alias, let holder) = error else {
            Issue.record("expected deploymentInProgress, got \(String(describing: error))")
            releaseSignal.yield()
            _ = try await first
            return
        }
        #expect(model == "fraud" && alias == "production" && holder.to == 2 && holder.actor == "test")
        #expect(error?.description.contains("is being deployed already (to version 2, by test in process \(getpid())") == true)
        releaseSignal.yield()
        #expect(try await first.to == 2)
        try await expectConsistent(production: 2)
    }

    @Test("two deployments racing without a pause: one wins, the other fails cleanly, file and production agree")
    func racingDeployments() async throws {
        try await deploy(1)
        async let second = attempt(2)
        async let third = attempt(3)
        let results = await [second, third]
        let winners = results.compactMap { try? $0.get().to }
        #expect(winners.count >= 1)
        for case .failure(let error) in results {
            switch error as? RegistryError {
            case .deploymentInProgress?, .aliasConflict?: break
            default: Issue.record("unexpected error \(error)")
            }
        }
        let production = try #require(try await registry.model("fraud").production)
        #expect(winners.contains(production))
        try await expectConsistent(production: production)
    }

    @Test("a failing hook or a production move during the hook puts the old file back and leaves production")
    func failuresBeforeTheCommitUndo() async throws {
        try await deploy(1)
        await #expect(throws: DeploymentError.self) { try await deploy(2, hook: { throw DeploymentError("hook failed") }) }
        try await expectConsistent(production: 1)
        // Another process moves production (without the deployer) while the hook runs: the commit's compare-and-set fails.
        await #expect(throws: RegistryError.aliasConflict(model: "fraud", alias: "production", expected: 1, actual: 3)) {
            try await deploy(2, hook: {
                try await store.moveAlias(
                    model: "fraud", alias: "production", to: 3, expectedFrom: .some(1), reason: nil, actor: "other",
                    at: clock.now)
            })
        }
        #expect(FileManager.default.contents(atPath: exported) == bytes[1])
        #expect(try await store.deploymentIntents() == [])
        #expect(try await registry.model("fraud").production == 3)
    }

    @Test("the gate's production version is the one the alias move expects: a deployment in between fails the deploy cleanly")
    func championComparedVersionIsExpected() async throws {
        try await deploy(1)
        let dataFile = folder + "/test.csv"
        try "x,y\n1,0\n".write(toFile: dataFile, atomically: true, encoding: .utf8)
        let data = try await artifacts.put(file: dataFile)
        let candidate = try await registry.resolve("fraud@2").artifact
        let moving = MovingScoring(candidate: candidate) {
            // Another deployment finishes while the gate scores the models.
            try await deploy(3)
        }
        let kind = DeployTaskKind(deployer: deployer(), scoring: moving)
        let context = TaskContext(
            runID: RunID(rawValue: "20261129-143000-abc123"), pipeline: "nightly", taskID: "deploy", attempt: 1,
            action: .uses("deploy"),
            inputs: [
                "name": "fraud", "version": 2, "export_to": .string(exported),
                "gate": ["champion": ["metric": "f1", "data": .string(data), "label": "y"]],
            ],
            workingDirectory: folder, clock: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            artifacts: artifacts, log: { _, _ in })
        await #expect(throws: RegistryError.aliasConflict(model: "fraud", alias: "production", expected: 1, actual: 3)) {
            try await kind.run(context)
        }
        #expect(moving.calls.withLock { $0 } >= 1)
        try await expectConsistent(production: 3)
    }

    @Test("a legacy deployments.json is imported once and renamed, and rollbacks restore the file it names")
    func legacyLedgerImport() async throws {
        // As an older version left it: production moved 1 → 2, the file holds version 2, its path in deployments.json.
        try await registry.promote("fraud", version: 1, actor: "cli", at: clock.now)
        try await registry.promote("fraud", version: 2, actor: "cli", at: clock.now)
        try bytes[2]!.write(to: URL(fileURLWithPath: exported))
        let ledger = folder + "/deployments.json"
        try #"{"fraud/production": "\#(exported)"}"#.write(toFile: ledger, atomically: true, encoding: .utf8)

        // An older version's crash leftover: reported, not deleted (which file matches cannot be told any more).
        let previous = exported + ".kiln-previous-4242"
        try bytes[1]!.write(to: URL(fileURLWithPath: previous))

        let lines = try await deployer().recover(at: clock.now)
        #expect(lines == [
            "\(previous) was left by an interrupted deployment of an older version: it holds the file \(exported) had "
                + "before; compare it with `kiln models show fraud` and delete it",
            "imported 1 export path from \(ledger) into the registry (renamed it to \(ledger).imported)",
        ])
        try FileManager.default.removeItem(atPath: previous)
        #expect(!FileManager.default.fileExists(atPath: ledger))
        #expect(FileManager.default.fileExists(atPath: ledger + ".imported"))
        #expect(try await store.deployment(model: "fraud", alias: "production")?.exportPath == exported)
        #expect(try await deployer().recover(at: clock.now) == [])

        try await deployer().rollback(model: "fraud", alias: "production", to: nil, reason: nil, actor: "cli", at: clock.now)
        try await expectConsistent(production: 1)
    }

    @Test("a legacy deployments.json that is not JSON is a clear error")
    func legacyLedgerInvalid() async throws {
        let ledger = folder + "/deployments.json"
        try "{not json".write(toFile: ledger, atomically: true, encoding: .utf8)
        let error = await #expect(throws: DeploymentError.self) { try await deployer().recover(at: clock.now) }
        #expect(error?.message.hasPrefix("the deployment ledger \(ledger) is not valid JSON") == true)
        #expect(error?.message.contains("fix it") == true)
    }

    @Test("promoting without an export path moves the recorded file along")
    func recordedExportPathFollowsLaterMoves() async throws {
        try await deploy(1)
        try await deployer().deploy(
            model: "fraud", version: 2, alias: "production", exportPath: nil, hook: {}, reason: nil, actor: "cli",
            at: clock.now)
        try await expectConsistent(production: 2)
    }
}

/// Scores the candidate above production, running `during` at the first call (while the gate is deciding).
final class MovingScoring: ModelScoring {
    let candidate: String
    let during: @Sendable () async throws -> Void
    let calls = Mutex(0)

    init(candidate: String, during: @escaping @Sendable () async throws -> Void) {
        self.candidate = candidate
        self.during = during
    }

    func metrics(model: String, data: String, label: String, context: TaskContext) async throws -> [String: Double] {
        let first = calls.withLock { count in
            count += 1
            return count == 1
        }
        if first { try await during() }
        return ["f1": model == candidate ? 0.95 : 0.9]
    }
}
