import ArgumentParser
import DeploymentTasks
import Foundation
import ModelRegistry
import PipelineEngine
import PipelineStoreSQLite
import PipelineTestRunner
import Reproduction
import ServiceLifecycle

/// `kiln reproduce MODEL@VERSION|MODEL@ALIAS`: rebuild a registered version in a throwaway home and compare.
struct ReproduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce", _superCommandName: "kiln",
        abstract: "Rebuild a registered model version from its run and prove it is the same.",
        discussion: """
            Re-executes the tasks that built the version from the run's stored pipeline snapshot and params, in a \
            throwaway home (nothing reaches the registry, exports or notifications), and compares every task's \
            outputs and the model file with the recorded ones.
            Exit codes: 0 identical, 1 a divergence (explained), 2 unknown model, version or alias.
            """)

    @Argument(help: ArgumentHelp("The version: MODEL@VERSION or MODEL@ALIAS.", valueName: "model@version"))
    var version: String

    @Flag(help: "For tasks whose input files changed, use their recorded outputs (when still kept).")
    var useRecordedInputs = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var home: HomeOptions

    func run() async throws {
        // The work runs under the CLI's signal handling: the first SIGINT/SIGTERM cancels the rebuild, which stops
        // its tasks and removes the sandbox on the way out (exit 130).
        let command = self
        let work = WorkService { () async throws -> ReproductionReport? in try await command.reproduce() }
        try await Lifecycle.run(
            [.init(service: work, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "reproduce")],
            interruptMessage: "\ninterrupted: stopping kiln reproduce and removing its sandbox (Ctrl-C again to quit at once)",
            logger: Lifecycle.logger, beforeForcedExit: { Sandbox.removeAll() })
        guard let report = try work.value() else {
            Terminal.err("kiln reproduce: interrupted; nothing was compared")
            throw ExitCode(130)
        }
        Terminal.out(json ? Terminal.json(report.json) : report.text)
        if !report.identical { throw ExitCode(1) }
    }

    /// The report, or `nil` once interrupted.
    private func reproduce() async throws -> ReproductionReport? {
        try await reportingRegistryErrors { () async throws -> ReproductionReport? in
            let stores = try await home.openStores()
            let reproducer = Reproducer(
                registry: ModelRegistryService(store: stores.registry), states: stores.state,
                artifacts: try home.artifactStore, home: home.directory,
                sandbox: SandboxConfiguration(
                    kinds: { registry, artifacts in
                        KindCatalog.kinds(registry: registry, artifacts: artifacts, legacyLedgerPath: nil)
                    },
                    milestone: DeploymentMilestones.event, environment: Execution.environment))
            do {
                let clock = ContinuousClock()
                let began = clock.now
                var report = try await reproducer.reproduce(version, useRecordedInputs: useRecordedInputs)
                let elapsed = began.duration(to: clock.now)
                report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                return report
            } catch where Task.isCancelled {
                return nil
            } catch let error as ReproductionError {
                if case .badReference = error { throw CLIError(error.description, exitCode: 2) }
                throw CLIError(error.description, exitCode: 1)
            }
        }
    }
}
