import CommandTasks
import DeploymentTasks
import Foundation
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineTestRunner

/// A scratch folder holding a pipeline and its test file, with the kinds `kiln` has; removed when the last reference
/// goes.
final class Fixture {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-testrunner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let sandbox = SandboxConfiguration(kinds: { registry, artifacts in
        var kinds = TaskKindRegistry.builtIn
        kinds.registerMLKinds(registry: registry, readers: DataReaders(yaml: YAMLValues.parse))
        kinds.registerDeploymentKinds(
            registry: registry, artifacts: artifacts, legacyLedgerPath: nil, scoring: EvaluationScoring())
        return kinds
    }, milestone: DeploymentMilestones.event)

    static var kindNames: Set<String> {
        var kinds = TaskKindRegistry.builtIn
        kinds.registerMLKinds()
        return kinds.names.union(["register-model", "deploy", "approve", "rollback"])
    }

    /// Loads `pipeline` and the cases of its test files.
    func load(_ pipeline: String) throws -> (Plan, [PipelineTestCase]) {
        let plan = try PipelineFile.loadPlan(path: pipeline, knownKinds: Self.kindNames)
        return (plan, try PipelineTestFile.load(paths: PipelineTestFile.paths(for: pipeline), plan: plan))
    }

    func runner(_ plan: Plan) -> PipelineTestRunner {
        PipelineTestRunner(plan: plan, baseDirectory: folder.path, sandbox: Self.sandbox)
    }
}
