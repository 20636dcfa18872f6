import ArgumentParser
import DeploymentTasks
import Foundation
import KilnHTTP
import KilnOperations
import Logging
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineModel
import PipelineScheduler
import Prometheus
import ServiceLifecycle

/// `kiln serve`'s HTTP options turned into a server, and the API's backend wired to the daemon.
enum HTTPSetting {
    /// The default listening address.
    static let defaultAddress = "127.0.0.1:8080"

    /// The server to start, or `nil` for `--http off`; `explicit` when the address was asked for.
    static func server(http: String?, tokenFile: String?, auth: String) throws
        -> (configuration: KilnHTTPServer, explicit: Bool)?
    {
        if http == "off" { return nil }
        guard let scope = AuthScope(rawValue: auth) else {
            throw usageError("--auth must be writes or all, got '\(auth)'")
        }
        let token: String?
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw usageError("--token-file: cannot read \(tokenFile); give a file holding the token on one line")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = Execution.variable("KILN_TOKEN").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        do {
            let address = try KilnHTTPServer.Address.parse(http ?? defaultAddress)
            return (try KilnHTTPServer(address: address, token: token, auth: scope), http != nil)
        } catch let error as KilnHTTPError {
            throw usageError(error.description)
        }
    }

    /// The API's backend: the operations shared with the CLI, and the daemon's queue to start, continue and cancel runs.
    static func backend(
        home: HomeOptions, wiring: TriggerWiring, executor: PipelineExecutor, queue: RunQueue, catalog: any PipelineCatalog,
        clock: any PipelineClock, verdicts: TriggerVerdicts,
        prometheus: (registry: PrometheusCollectorRegistry, refresh: @Sendable () -> Void)
    ) throws -> KilnAPIBackend {
        let operations = try Operations.make(home: home, wiring: wiring, clock: clock)
        return KilnAPIBackend(
            operations: operations, catalog: catalog,
            startRun: { watched, params, trigger in
                try await wiring.recordDataBaseline(watched.pipeline, baseDirectory: watched.baseDirectory, at: clock.now)
                let run = try await executor.createRun(
                    watched.plan, params: params, baseDirectory: watched.baseDirectory, trigger: trigger)
                queue.enqueue(run.id)
                return run.id
            },
            continueRun: { queue.enqueue($0) },
            cancelRun: { queue.cancel($0) },
            version: Kiln.configuration.version, verdicts: verdicts, prometheus: prometheus)
    }
}

extension HTTPSetting {
    /// Online scoring for the API: the served versions follow their aliases in the home's registry (loaded with
    /// their model file and the fitted transforms of their run), and predictions are logged under the home.
    static func predictions(
        home: HomeOptions, wiring: TriggerWiring, clock: any PipelineClock, log: PredictionLog.Configuration?
    ) -> PredictionService {
        let artifacts = wiring.artifacts
        let runs = wiring.store
        let models = ServedModels(registry: ModelRegistryService(store: wiring.registry)) { version in
            let file = try ModelFile.load(path: try await artifacts.localPath(for: version.artifact))
            let transforms = try await LineageFeatures.transforms(for: version, runs: runs, artifacts: artifacts)
            return ServedModel(version: version, file: file, transforms: transforms)
        }
        return PredictionService(models: models, log: log.map(PredictionLog.init(configuration:)), clock: clock)
    }
}

/// Runs the HTTP server beside the daemon; when the default port is taken, says so and lets the daemon go on.
struct HTTPService: Service, CustomStringConvertible {
    /// The service's name. (Its fields include the process environment, which the service group's debug log
    /// lines would otherwise print whole, secrets included.)
    var description: String { "HTTPService" }

    let server: KilnHTTPServer
    let explicit: Bool
    let backend: KilnAPIBackend
    let logger: Logger

    func run() async throws {
        let application = server.application(backend: backend, logger: logger) { url in
            Terminal.err("kiln serve: HTTP API on \(url) (description: \(url)openapi.json)")
        }
        do {
            try await application.run()
        } catch {
            guard !Task.isCancelled else { throw error }
            let reason = "\(error)".contains("Address already in use") ? "the port is taken" : "\(error)"
            guard !explicit else {
                throw CLIError(
                    "cannot listen on \(server.address): \(reason); pass another --http HOST:PORT, or --http off", exitCode: 2)
            }
            Terminal.err("kiln serve: no HTTP API: cannot listen on \(server.address) (\(reason)); pass --http HOST:PORT to choose another")
            try? await gracefulShutdown()
        }
    }
}
