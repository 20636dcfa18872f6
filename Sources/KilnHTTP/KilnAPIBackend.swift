public import KilnOperations
public import MLTasks
public import PipelineModel
public import PipelineScheduler
public import Prometheus

/// What the HTTP API acts on: the operations shared with the command line, the watched pipelines, and the daemon's
/// hooks to start, continue and cancel runs.
public struct KilnAPIBackend: Sendable {
    /// Reads and state changes shared with the command line.
    public var operations: KilnOperations
    /// The pipelines `kiln serve` watches.
    public var catalog: any PipelineCatalog
    /// Creates a run of a watched pipeline with params and a trigger, and hands it to the daemon to execute.
    public var startRun: @Sendable (WatchedPipeline, [String: JSONValue], JSONValue) async throws -> RunID
    /// Hands an existing run to the daemon to continue (after a decision, or to resume it).
    public var continueRun: @Sendable (RunID) async -> Void
    /// Asks the daemon to cancel a run it executes; `false` when it does not execute that run.
    public var cancelRun: @Sendable (RunID) async -> Bool
    /// The Kiln version, for `/openapi.json`.
    public var version: String
    /// The trigger service's latest decisions, if a trigger service runs.
    public var verdicts: TriggerVerdicts?
    /// What `/metrics` exposes, if anything: the registry the daemon's metrics are in, and a hook that brings
    /// gauges up to date before each scrape.
    public var prometheus: (registry: PrometheusCollectorRegistry, refresh: @Sendable () -> Void)?
    /// Online scoring and feedback (`/v1/models/NAME/predict`, `/feedback`), or `nil`: those routes answer 404.
    public var predictions: PredictionService?

    /// Creates a backend.
    public init(
        operations: KilnOperations, catalog: any PipelineCatalog,
        startRun: @escaping @Sendable (WatchedPipeline, [String: JSONValue], JSONValue) async throws -> RunID,
        continueRun: @escaping @Sendable (RunID) async -> Void,
        cancelRun: @escaping @Sendable (RunID) async -> Bool,
        version: String, verdicts: TriggerVerdicts? = nil,
        prometheus: (registry: PrometheusCollectorRegistry, refresh: @Sendable () -> Void)? = nil,
        predictions: PredictionService? = nil
    ) {
        self.predictions = predictions
        self.prometheus = prometheus
        self.verdicts = verdicts
        self.operations = operations
        self.catalog = catalog
        self.startRun = startRun
        self.continueRun = continueRun
        self.cancelRun = cancelRun
        self.version = version
    }
}
