import Foundation
import PipelineModel
import CommandTasks
import DeploymentTasks
import MLTasks
import Testing

/// How `predict` and `evaluate` read their `model:` input.
@Suite("Model sources")
struct ModelSourceTests {
    @Test("NAME@ALIAS and NAME@VERSION are registry references; sha256:…, paths and existing files are not")
    func classifies() async throws {
        try await withTemporaryDirectory { directory in
            #expect(ModelSource.isRegistryReference("recommendation@production", workingDirectory: directory))
            #expect(ModelSource.isRegistryReference("recommendation@3", workingDirectory: directory))
            #expect(!ModelSource.isRegistryReference("sha256:abc", workingDirectory: directory))
            #expect(!ModelSource.isRegistryReference("models/model.json", workingDirectory: directory))
            FileManager.default.createFile(atPath: directory + "/odd@name.json", contents: Data("{}".utf8))
            #expect(!ModelSource.isRegistryReference("odd@name.json", workingDirectory: directory))
        }
    }

    @Test("predict with a registry reference and no registry fails saying so")
    func noRegistry() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            await #expect {
                _ = try await sandbox.runKind(PredictTaskKind(), ["model": "recommendation@production", "data": "x.csv"])
            } throws: { error in
                "\(error)".contains("'recommendation@production' is a registry reference but this process has no model registry")
            }
        }
    }
}
