public import Logging
public import PipelineEngine
public import PipelineModel
public import ServiceLifecycle

/// Delivers the `notify:` events a ``NotificationDispatcher`` queues, as a service: until graceful shutdown, after
/// which what is already queued is still sent. `kiln run` and `kiln serve` both run one beside their work.
public struct NotificationService: Service, CustomStringConvertible {
    /// The service's name. (Its fields include the process environment, which the service group's debug log
    /// lines would otherwise print whole, secrets included.)
    public var description: String { "NotificationService" }

    let dispatcher: NotificationDispatcher
    let environment: [String: String]
    let store: any StateStore
    let clock: any PipelineClock
    let logger: Logger
    let report: @Sendable (String) -> Void
    let observe: @Sendable (DeliveryRecord) -> Void

    /// Creates the service.
    /// - Parameters:
    ///   - dispatcher: Where the events come from.
    ///   - environment: What `${{ env.X }}` in notification rules reads (secrets are resolved only at send time).
    ///   - store: Where deliveries are recorded.
    ///   - clock: Times deliveries and retries.
    ///   - logger: Diagnostics.
    ///   - report: Told of deliveries that failed for good.
    ///   - observe: Told of every delivery's outcome (for metrics).
    public init(
        dispatcher: NotificationDispatcher, environment: [String: String], store: any StateStore,
        clock: any PipelineClock, logger: Logger, report: @escaping @Sendable (String) -> Void = { _ in },
        observe: @escaping @Sendable (DeliveryRecord) -> Void = { _ in }
    ) {
        self.observe = observe
        self.dispatcher = dispatcher
        self.environment = environment
        self.store = store
        self.clock = clock
        self.logger = logger
        self.report = report
    }

    /// Delivers until graceful shutdown, then sends what is queued and returns.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.deliver(
                environment: environment, store: store, logger: logger, clock: clock, report: report, observe: observe)
        } onGracefulShutdown: {
            dispatcher.finish()
        }
    }
}
