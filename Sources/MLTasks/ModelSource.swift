import Foundation
public import ModelRegistry
public import PipelineEngine
import PipelineModel

/// Where `predict` and `evaluate` find the model their `model:` input names: an artifact reference (`sha256:…`),
/// a model file path, or a registry reference (`NAME@ALIAS`, `NAME@VERSION`) resolved to that version's artifact.
///
/// ```swift
/// let source = ModelSource(registry: registry)
/// let loaded = try await source.load("recommendation@production", artifacts: store, workingDirectory: ".", kind: "predict")
/// // loaded.version == "recommendation@3"
/// ```
public struct ModelSource: Sendable {
    /// The registry registry references resolve in; `nil` makes them an error.
    public let registry: ModelRegistryService?

    /// Creates a source.
    /// - Parameters:
    ///   - registry: The model registry, or `nil` when the process has none.
    public init(registry: ModelRegistryService?) {
        self.registry = registry
    }

    /// A model file and, when it came from the registry, its version (`NAME@N`).
    public struct Loaded: Sendable {
        /// The model file.
        public var file: ModelFile
        /// `NAME@N` when the model was a registry reference, else `nil`.
        public var version: String?
    }

    /// Whether `reference` reads as a registry reference: not `sha256:…`, not an existing file, and
    /// `NAME@ALIAS` or `NAME@VERSION`.
    public static func isRegistryReference(_ reference: String, workingDirectory: String) -> Bool {
        guard !reference.hasPrefix("sha256:"), reference.contains("@") else { return false }
        if FileManager.default.fileExists(atPath: Datasets.resolve(reference, workingDirectory: workingDirectory)) {
            return false
        }
        return (try? ModelReference(parsing: reference)) != nil
    }

    /// Loads the model `reference` names.
    /// - Parameters:
    ///   - reference: `sha256:…`, a path, or `NAME@ALIAS` / `NAME@VERSION`.
    ///   - artifacts: The artifact store.
    ///   - workingDirectory: Base of relative paths.
    ///   - kind: The task kind, for messages.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func load(
        _ reference: String, artifacts: (any ArtifactStore)?, workingDirectory: String, kind: String
    ) async throws -> Loaded {
        guard Self.isRegistryReference(reference, workingDirectory: workingDirectory) else {
            let file = try await ModelEvaluation.loadModel(reference, artifacts: artifacts, workingDirectory: workingDirectory,
                                                     kind: kind)
            return Loaded(file: file, version: nil)
        }
        guard let registry else {
            throw TaskFailure("\(kind): model '\(reference)' is a registry reference but this process has no model "
                + "registry; run it with kiln (which opens the home's registry) or pass a model file")
        }
        let version: ModelVersion
        do {
            version = try await registry.resolve(reference)
        } catch {
            throw TaskFailure("\(kind): model '\(reference)': \(error)")
        }
        let file = try await ModelEvaluation.loadModel(version.artifact, artifacts: artifacts,
                                                 workingDirectory: workingDirectory, kind: kind)
        return Loaded(file: file, version: version.reference)
    }
}
