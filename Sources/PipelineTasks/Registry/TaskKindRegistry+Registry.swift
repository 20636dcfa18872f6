public import ModelRegistry
public import PipelineEngine

extension TaskKindRegistry {
    /// The names ``registerModelKinds(registry:artifacts:ledger:scoring:)`` adds.
    public static let modelKindNames: Set<String> = ["register-model", "deploy", "approve", "rollback"]

    /// Adds the registry kinds: `register-model`, `deploy`, `approve`, `rollback`.
    ///
    /// - Parameters:
    ///   - registry: The model registry.
    ///   - artifacts: Where model files are.
    ///   - ledger: Where export paths are remembered, for rollbacks.
    ///   - scoring: Scores models for champion/challenger gates.
    public mutating func registerModelKinds(
        registry: ModelRegistryService, artifacts: any ArtifactStore, ledger: DeploymentLedger?, scoring: (any ModelScoring)?
    ) {
        let deployer = Deployer(registry: registry, artifacts: artifacts, ledger: ledger)
        register(RegisterModelTaskKind(registry: registry))
        register(DeployTaskKind(deployer: deployer, scoring: scoring))
        register(ApproveTaskKind())
        register(RollbackTaskKind(deployer: deployer))
    }
}
