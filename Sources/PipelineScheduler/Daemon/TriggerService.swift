public import Logging
public import PipelineEngine
import PipelineModel
public import ServiceLifecycle

/// Evaluates every watched pipeline's triggers once per tick and launches the runs that fire, until graceful
/// shutdown. Time comes from the injected clock.
public struct TriggerService: Service {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Time between evaluations. Default: 30 seconds.
        public var tick: Duration

        /// Creates a configuration.
        public init(tick: Duration = .seconds(30)) {
            precondition(tick > .zero, "tick must be longer than zero.")
            self.tick = tick
        }
    }

    let catalog: any PipelineCatalog
    let coordinator: TriggerCoordinator
    let clock: any PipelineClock
    let configuration: Configuration
    let logger: Logger
    let verdicts: TriggerVerdicts?

    /// Creates the service.
    ///
    /// - Parameter verdicts: Where each tick's decisions are recorded, for the HTTP API and dashboard.
    public init(
        catalog: any PipelineCatalog, coordinator: TriggerCoordinator, clock: any PipelineClock,
        configuration: Configuration = Configuration(), logger: Logger, verdicts: TriggerVerdicts? = nil
    ) {
        self.verdicts = verdicts
        self.catalog = catalog
        self.coordinator = coordinator
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    /// Ticks until graceful shutdown (or cancellation).
    public func run() async throws {
        logger.info("Trigger service started", metadata: ["tick": "\(configuration.tick)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now
            let decisions = await coordinator.tick(await catalog.pipelines(), at: now)
            verdicts?.record(decisions, at: now)
            do {
                try await cancelWhenGracefulShutdown { [clock, configuration] in
                    try await clock.sleep(until: now.adding(configuration.tick))
                }
            } catch is CancellationError {
                break
            }
        }
        logger.info("Trigger service stopped")
    }
}
