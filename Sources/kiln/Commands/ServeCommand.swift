import ArgumentParser
import Foundation
import Logging
import PipelineEngine
import PipelineModel
import PipelineScheduler
import KilnHTTP
import MLTasks
import KilnOperations
import DeploymentTasks
import Notifications
import ServiceLifecycle

/// `kiln serve [FILES_OR_DIRS…]`: the daemon — evaluates triggers every tick and runs what fires.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", _superCommandName: "kiln",
        abstract: "Watch pipeline files, start runs when their triggers fire, and resume unfinished runs.",
        discussion: """
            Files are re-read when they change; an invalid file is reported (as by kiln validate) and its last good \
            version stays in use. SIGTERM or SIGINT stops starting runs, lets running ones finish for --grace, then \
            hands them over: tasks that kiln worker processes run go on, tasks run here are stopped, and the next \
            kiln serve on the store resumes the runs and waits for the workers' tasks. Logs go to stderr.
            """)

    @Argument(help: ArgumentHelp("Pipeline files or folders of them (default: the current folder).", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Time between trigger evaluations, e.g. 30s, 200ms.", valueName: "duration"))
    var tick = "30s"

    @Option(help: ArgumentHelp("How long running runs may go on after a shutdown signal.", valueName: "duration"))
    var grace = "30s"

    @Option(help: "Tasks that may run at the same time within a run (default: number of cores; 10000 with --no-local-workers).")
    var parallelism: Int?

    @Flag(help: ArgumentHelp(
        "Execute no task here: plan runs and hand every attempt to kiln worker processes on the same store.",
        discussion: "A task with runs_on: labels waits until a worker with all of them claims it."))
    var noLocalWorkers = false

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel = "info"

    @Option(help: ArgumentHelp(
        "Serve the HTTP API on HOST:PORT, or 'off'.",
        discussion: "Default 127.0.0.1:8080 (if that port is taken, serve goes on without HTTP and says so). A non-loopback address needs a token.",
        valueName: "host:port"))
    var http: String?

    @Option(help: ArgumentHelp(
        "File holding the API token that state-changing requests must send (default: the KILN_TOKEN variable).",
        valueName: "file"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("Which requests need the token: writes (default) or all.", valueName: "scope"))
    var auth = "writes"

    @Option(help: ArgumentHelp(
        "Share of predicted rows logged under HOME/predictions/MODEL/ (0 to 1; 0 turns the log and feedback off).",
        valueName: "rate"))
    var predictionSampleRate = 1.0

    @Option(help: ArgumentHelp("Rows per prediction log file.", valueName: "rows"))
    var predictionLogRows = 10_000

    @Option(help: ArgumentHelp("Prediction (and labelled) log files kept per model; older ones are deleted.", valueName: "count"))
    var predictionLogFiles = 20

    @Option(help: ArgumentHelp(
        "Run `kiln gc --keep DURATION` once a day (first one a day after the start); default: never.",
        valueName: "duration"))
    var gcKeep: String?

    @OptionGroup var home: HomeOptions
    @OptionGroup var lease: LeaseOptions

    func run() async throws {
        let (tickDuration, graceDuration, retention) = try await reportingErrors {
            (try Self.duration(tick, option: "--tick"), try Self.duration(grace, option: "--grace"),
             try gcKeep.map { try Self.duration($0, option: "--gc-keep") })
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let parallelism, parallelism < 1 { throw ValidationError("--parallelism must be at least 1") }
        guard predictionSampleRate.isFinite, (0...1).contains(predictionSampleRate) else {
            throw ValidationError("--prediction-sample-rate must be a number from 0 to 1, got \(predictionSampleRate)")
        }
        guard predictionLogRows > 0, predictionLogFiles > 0 else {
            throw ValidationError("--prediction-log-rows and --prediction-log-files must be at least 1")
        }
        let (heartbeat, leaseDuration) = try lease.durations()
        let server = try await reportingErrors { try HTTPSetting.server(http: http, tokenFile: tokenFile, auth: auth) }
        try await reportingErrors {
            let logger = StderrLog.logger(label: "kiln.serve", level: level)
            let wiring = try await TriggerWiring(home: home)
            await DeploymentRecovery.run(home: home, registry: wiring.registry)
            let clock = SystemClock()
            let dispatcher = NotificationDispatcher(milestone: DeploymentMilestones.event)
            let observed = ServeMetrics.prometheus()
            let metrics = observed.metrics
            var taskQueue: (any TaskQueue)?
            if noLocalWorkers {
                guard let found = wiring.stores.queue else {
                    throw CLIError("--no-local-workers: the store \(home.storeName) has no task queue", exitCode: 2)
                }
                taskQueue = found
            }
            let executor = PipelineExecutor(
                store: MeasuredStateStore(wiring.store, metrics: metrics), kinds: try KindCatalog.kinds(home: home, registry: wiring.registry, runs: wiring.store),
                clock: clock, events: RunEventFanOut([dispatcher, metrics, RunEventLogger(logger: logger)]),
                artifacts: try home.artifactStore,
                configuration: .init(
                    parallelism: parallelism ?? (noLocalWorkers ? 10_000 : nil), environment: Execution.environment,
                    owner: .current(label: "kiln serve"), heartbeat: heartbeat, leaseDuration: leaseDuration),
                logger: logger, queue: taskQueue, workerQueue: wiring.stores.queue)
            let queue = RunQueue(executor: executor)
            let catalog = FilePipelineCatalog(arguments: paths)
            let watched = await catalog.pipelines()
            Terminal.err("kiln serve: watching \(watched.count) pipeline\(watched.count == 1 ? "" : "s") in \(home.directory); tick \(tick)"
                + (noLocalWorkers ? "; tasks run on kiln worker processes only" : ""))
            let tolerance = max(Duration.seconds(120), tickDuration * 2)
            let coordinator = TriggerCoordinator(
                evaluator: TriggerEvaluator(configuration: .init(onTimeTolerance: tolerance)), states: wiring.store,
                runs: wiring.store, inputs: wiring.inputs, launcher: queue, logger: logger)
            let verdicts = TriggerVerdicts(observe: { metrics.record($0) })
            let triggers = TriggerService(
                catalog: catalog, coordinator: coordinator, clock: clock, configuration: .init(tick: tickDuration),
                logger: logger, verdicts: verdicts, owner: .current(label: "kiln serve"), wakeups: wiring.signals)
            let runner = RunQueueService(
                executor: executor, queue: queue, clock: clock,
                configuration: .init(poll: min(tickDuration, .seconds(1)), grace: graceDuration), logger: logger,
                wakeups: wiring.signals)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let server {
                let predictions = HTTPSetting.predictions(
                    home: home, wiring: wiring, clock: clock,
                    log: predictionSampleRate == 0 ? nil : PredictionLog.Configuration(
                        home: home.directory, sampleRate: predictionSampleRate, rowsPerFile: predictionLogRows,
                        filesKept: predictionLogFiles))
                var backend = try HTTPSetting.backend(
                    home: home, wiring: wiring, executor: executor, queue: queue, catalog: catalog, clock: clock,
                    verdicts: verdicts,
                    prometheus: (observed.registry, { [queue] in metrics.recordQueueDepth(queue.depth) }))
                backend.predictions = predictions
                services.append(.init(
                    service: PredictionMaintenance(service: predictions, clock: clock, interval: .seconds(1), logger: logger),
                    successTerminationBehavior: .ignore, serviceName: "prediction maintenance"))
                services.append(.init(
                    service: HTTPService(server: server.configuration, explicit: server.explicit, backend: backend, logger: logger),
                    successTerminationBehavior: .ignore, serviceName: "http"))
            }
            if let retention {
                let collector = GarbageCollector(
                    store: wiring.store, registry: wiring.registry, artifacts: try home.artifactStore, clock: clock)
                services.append(.init(
                    service: RetentionService(collector: collector, keep: retention, interval: .seconds(86_400)),
                    successTerminationBehavior: .ignore, serviceName: "retention"))
            }
            try await Lifecycle.run(
                services + [
                    .init(service: triggers, successTerminationBehavior: .ignore, serviceName: "triggers"),
                    .init(service: runner, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "runs"),
                    .init(
                        service: NotificationService(
                            dispatcher: dispatcher, environment: Execution.environment, store: wiring.store, clock: clock,
                            logger: logger, report: { Terminal.err($0) }, observe: { metrics.recordDelivery(succeeded: $0.ok) }),
                        successTerminationBehavior: .ignore, serviceName: "notifications"),
                ],
                interruptMessage: "kiln serve: stopping: no new runs; running ones get \(grace) to finish "
                    + "(signal again to quit at once)",
                logger: logger)
            Terminal.err("kiln serve: stopped")
        }
    }

    /// Parses a duration option (at most 100 years, longer than zero); a bad one is a usage error (exit 2).
    static func duration(_ text: String, option: String) throws -> Duration {
        let value: Duration
        do {
            value = try DurationText.parse(text)
        } catch {
            throw usageError("\(option): \(error)")
        }
        guard value > .zero else { throw usageError("\(option) must be longer than zero, e.g. \(option) 30s") }
        return value
    }
}
