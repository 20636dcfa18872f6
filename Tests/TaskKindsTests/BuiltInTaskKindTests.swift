import PipelineEngine
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import ModelRegistry
import PipelineTesting
import Testing

@Suite("Built-in task kinds")
struct BuiltInTaskKindTests {
    @Test("deploymentKindNames lists exactly the kinds registerDeploymentKinds adds (kiln validate checks uses: with it)")
    func deploymentKindNamesMatchTheKinds() {
        var kinds = TaskKindRegistry()
        kinds.registerDeploymentKinds(
            registry: ModelRegistryService(store: InMemoryRegistryStore()), artifacts: LocalArtifactStore(root: "/"),
            legacyLedgerPath: nil, scoring: nil)
        #expect(kinds.names == TaskKindRegistry.deploymentKindNames)
        #expect(!kinds.names.isEmpty)
    }

    @Test("noop returns its inputs as outputs")
    func noopEchoesInputs() async throws {
        let inputs: [String: JSONValue] = ["rows": 120, "path": "data.csv", "nested": ["a": [1, 2]]]
        #expect(try await NoopTaskKind().run(makeContext(.uses("noop"), inputs: inputs)) == inputs)
        #expect(try await NoopTaskKind().run(makeContext(.uses("noop"))) == [:])
    }

    @Test("fail fails its first `times` attempts, then returns its other inputs")
    func failThenSucceed() async throws {
        let inputs: [String: JSONValue] = ["times": 2, "model": "m.bin"]
        let kind = FailTaskKind()
        for attempt in 1...2 {
            let message = await failureMessage { try await kind.run(makeContext(.uses("fail"), inputs: inputs, attempt: attempt)) }
            #expect(message == "failing on purpose: attempt \(attempt) of the first 2")
        }
        #expect(try await kind.run(makeContext(.uses("fail"), inputs: inputs, attempt: 3)) == ["model": "m.bin"])
    }

    @Test("fail fails only the first attempt by default")
    func failDefaultsToOnce() async throws {
        let kind = FailTaskKind()
        #expect(await failureMessage { try await kind.run(makeContext(.uses("fail"))) } == "failing on purpose: attempt 1 of the first 1")
        #expect(try await kind.run(makeContext(.uses("fail"), attempt: 2)) == [:])
    }

    @Test("fail with times 0 always succeeds")
    func failZeroTimes() async throws {
        #expect(try await FailTaskKind().run(makeContext(.uses("fail"), inputs: ["times": 0, "x": 1])) == ["x": 1])
    }

    @Test("fail uses the message input as its failure message")
    func failMessage() async throws {
        let inputs: [String: JSONValue] = ["message": "GPU fell off the bus"]
        #expect(await failureMessage { try await FailTaskKind().run(makeContext(.uses("fail"), inputs: inputs)) } == "GPU fell off the bus")
        #expect(try await FailTaskKind().run(makeContext(.uses("fail"), inputs: inputs, attempt: 2)) == [:])
    }

    @Test("fail rejects a times input that is not a whole number", arguments: [JSONValue.string("2"), -1, 1.5])
    func failRejectsBadTimes(times: JSONValue) async throws {
        let message = await failureMessage { try await FailTaskKind().run(makeContext(.uses("fail"), inputs: ["times": times], attempt: 5)) }
        #expect(message == "input 'times' of the fail kind must be a whole number of at least 0")
    }

    @Test("the built-in registry has noop, fail and the command runner")
    func builtInRegistry() {
        let registry = TaskKindRegistry.builtIn
        #expect(registry.names == ["noop", "fail"])
        #expect(registry.kind(named: "noop") is NoopTaskKind)
        #expect(registry.kind(named: "fail") is FailTaskKind)
        #expect(registry.commandRunner?.name == "command")
        #expect(registry.commandRunner is CommandTaskKind)
    }
}
