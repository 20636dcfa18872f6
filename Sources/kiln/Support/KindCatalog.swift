import CommandTasks
import DeploymentTasks
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineFile
import SQLiteData

/// Every task kind `kiln` runs, assembled in one place: the built-in command kinds, the ML kinds, and the
/// registry and deployment kinds. Names come from the kinds themselves.
enum KindCatalog {
    /// How the ML kinds read YAML config files and SQL databases, and the data limits (``DataLimitsSetting``).
    static let readers = DataReaders(yaml: YAMLValues.parse, sql: SQLiteQuery.frame, limits: DataLimitsSetting.current)

    /// The kinds, with the registry and artifacts of one home.
    static func kinds(
        registry: ModelRegistryService, artifacts: any ArtifactStore, legacyLedgerPath: String?,
        runs: (any StateStore)? = nil, home: String? = nil
    ) -> TaskKindRegistry {
        var kinds = TaskKindRegistry.builtIn
        var readers = readers
        readers.home = home  // `current: predictions:NAME` of the drift kind
        kinds.registerMLKinds(registry: registry, readers: readers, runs: runs)
        kinds.registerDeploymentKinds(
            registry: registry, artifacts: artifacts, legacyLedgerPath: legacyLedgerPath, scoring: EvaluationScoring())
        return kinds
    }

    /// The kinds on the command's registry and state store (one database, opened once per command) and `home`'s
    /// artifacts; the state store lets the ML kinds read a registered version's lineage.
    static func kinds(home: HomeOptions, registry: any RegistryStore, runs: any StateStore) throws -> TaskKindRegistry {
        try kinds(registry: ModelRegistryService(store: registry),
              artifacts: try home.artifactStore, legacyLedgerPath: home.legacyDeploymentLedgerPath, runs: runs,
              home: home.directory)
    }

    /// The name of every kind, for checking pipeline files without opening a home: the built-in and ML kinds
    /// assembled without a registry (cheap values), and the deployment kinds' names (they need a registry to be
    /// built; a test checks those names match the kinds).
    static let names: Set<String> = {
        var kinds = TaskKindRegistry.builtIn
        kinds.registerMLKinds(readers: readers)
        return kinds.names.union(TaskKindRegistry.deploymentKindNames)
    }()
}
