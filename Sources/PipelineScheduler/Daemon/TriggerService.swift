public import Logging
public import PipelineEngine
public import PipelineModel
public import ServiceLifecycle

/// Evaluates every watched pipeline's triggers once per tick, and at once when a ``SchedulerSignal`` arrives (a metric
/// push, a promotion, a queued or ended run), and launches the runs that fire, until graceful shutdown. Time comes
/// from the injected clock.
///
/// Of several services sharing one store, one evaluates at a time: each evaluation first claims (or renews) the
/// store's right to evaluate triggers (``TriggerStateStore/claimTriggerEvaluation(by:at:until:)``); the others stand
/// by, claim at every tick and once the holder's lease would lapse, and take over when it has. A graceful stop gives
/// the right up, so a standby takes over at its next look.
public struct TriggerService: Service, CustomStringConvertible {
    /// The service's name. (Its fields include the process environment, which the service group's debug log
    /// lines would otherwise print whole, secrets included.)
    public var description: String { "TriggerService" }

    /// Tunables.
    public struct Configuration: Sendable {
        /// Time between evaluations. Default: 30 seconds.
        public var tick: Duration
        /// How long the right to evaluate lasts without renewal (it is renewed before and after every evaluation):
        /// how long standbys wait after the holder died. Default: three ticks, at least 60 seconds.
        public var lease: Duration

        /// Creates a configuration.
        public init(tick: Duration = .seconds(30), lease: Duration? = nil) {
            precondition(tick > .zero, "tick must be longer than zero.")
            self.tick = tick
            self.lease = lease ?? max(tick * 3, .seconds(60))
            precondition(self.lease > .zero, "lease must be longer than zero.")
        }
    }

    let catalog: any PipelineCatalog
    let coordinator: TriggerCoordinator
    let clock: any PipelineClock
    let configuration: Configuration
    let logger: Logger
    let verdicts: TriggerVerdicts?
    let owner: RunOwner
    let wakeups: (any SchedulerSignalSource)?

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - verdicts: Where each evaluation's decisions are recorded, for the HTTP API and dashboard.
    ///   - owner: This process, as the holder of the right to evaluate triggers.
    ///   - wakeups: Signals that start an evaluation before the next tick; `nil` keeps to the ticks.
    public init(
        catalog: any PipelineCatalog, coordinator: TriggerCoordinator, clock: any PipelineClock,
        configuration: Configuration = Configuration(), logger: Logger, verdicts: TriggerVerdicts? = nil,
        owner: RunOwner = .current(label: "kiln serve"), wakeups: (any SchedulerSignalSource)? = nil
    ) {
        self.verdicts = verdicts
        self.catalog = catalog
        self.coordinator = coordinator
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.owner = owner
        self.wakeups = wakeups
    }

    /// Evaluates until graceful shutdown (or cancellation).
    public func run() async throws {
        logger.info("Trigger service started", metadata: ["tick": "\(configuration.tick)"])
        let doorbell = Doorbell()
        let listener = wakeups.map { source in
            Task { [logger] in
                for await signal in source.signals() {
                    logger.debug("Scheduler signal", metadata: ["signal": "\(signal.rawValue)"])
                    doorbell.ring()
                }
            }
        }
        defer { listener?.cancel() }
        var nextTick = clock.now
        var standingBy: RunOwner?
        var cause = "start"
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now
            if now >= nextTick { nextTick = now.adding(configuration.tick) }
            var wakeAt = nextTick
            switch await claim(at: now) {
            case .some(let lease) where lease.owner == owner:
                if standingBy != nil {
                    logger.notice("Evaluating triggers: the previous holder stopped", metadata: ["previous": "\(standingBy!)"])
                    standingBy = nil
                }
                let decisions = await coordinator.tick(await catalog.pipelines(), at: now)
                verdicts?.record(decisions, at: now)
                logger.debug("Triggers evaluated", metadata: ["pipelines": "\(decisions.count)", "cause": "\(cause)"])
                _ = await claim(at: clock.now)
            case .some(let lease):
                if standingBy != lease.owner {
                    logger.notice(
                        "Standing by: another process evaluates triggers on this store",
                        metadata: ["holder": "\(lease.owner)", "lease.expires": "\(lease.expiresAt.iso8601)"])
                    standingBy = lease.owner
                }
                wakeAt = min(nextTick, lease.expiresAt)
            case .none:
                break
            }
            do {
                let woken = try await cancelWhenGracefulShutdown { [clock, wakeAt] in
                    let woken = await doorbell.wait(until: wakeAt, clock: clock)
                    try Task.checkCancellation()
                    return woken
                }
                cause = woken ? "signal" : "tick"
            } catch is CancellationError {
                break
            }
        }
        try? await coordinator.states.releaseTriggerEvaluation(by: owner)
        logger.info("Trigger service stopped")
    }

    /// Claims or renews the right to evaluate; `nil` (logged) when the store cannot be reached.
    private func claim(at now: Timestamp) async -> TriggerEvaluationLease? {
        do {
            return try await coordinator.states.claimTriggerEvaluation(
                by: owner, at: now, until: now.adding(configuration.lease))
        } catch {
            logger.error("Cannot claim the right to evaluate triggers", metadata: ["error.message": "\(error)"])
            return nil
        }
    }
}
