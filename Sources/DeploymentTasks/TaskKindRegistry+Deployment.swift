public import ModelRegistry
public import PipelineEngine
import PipelineModel

extension TaskKindRegistry {
    /// The names of the kinds ``registerDeploymentKinds(registry:artifacts:legacyLedgerPath:scoring:)`` adds, for
    /// checking pipeline files without a registry.
    public static let deploymentKindNames: Set<String> = [
        RegisterModelTaskKind.kindName, DeployTaskKind.kindName, ApproveTaskKind.kindName, RollbackTaskKind.kindName,
    ]

    /// Adds the registry and deployment kinds: `register-model`, `deploy`, `approve`, `rollback`
    /// (reference: docs/deployment.md).
    ///
    /// - Parameters:
    ///   - registry: The model registry.
    ///   - artifacts: Where model files are.
    ///   - legacyLedgerPath: A `deployments.json` of an older version to import into the registry once, or `nil`.
    ///   - scoring: Scores models for champion/challenger gates (``EvaluationScoring`` with the ML kinds).
    public mutating func registerDeploymentKinds(
        registry: ModelRegistryService, artifacts: any ArtifactStore, legacyLedgerPath: String?,
        scoring: (any ModelScoring)?
    ) {
        let deployer = Deployer(registry: registry, artifacts: artifacts, legacyLedgerPath: legacyLedgerPath)
        register(RegisterModelTaskKind(registry: registry))
        register(DeployTaskKind(deployer: deployer, scoring: scoring))
        register(ApproveTaskKind())
        register(RollbackTaskKind(deployer: deployer))
    }
}
