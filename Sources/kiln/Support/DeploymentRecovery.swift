import DeploymentTasks
import ModelRegistry
import PipelineModel

/// Recovery of deployments a crash interrupted, at the start of the commands that carry on after one
/// (`kiln resume`, `kiln serve`), before any run continues.
enum DeploymentRecovery {
    /// Makes every exported file agree with its alias again and removes leftover files (``Deployer/recover(at:)``),
    /// printing what it repaired on stderr. A failure is reported and does not stop the command: the deployment
    /// kinds recover again before they deploy, and fail their task with the reason.
    ///
    /// - Parameters:
    ///   - home: The home whose registry, artifacts and legacy `deployments.json` are used.
    ///   - registry: The command's open registry store.
    static func run(home: HomeOptions, registry: any RegistryStore) async {
        do {
            report(try await home.deployer(registry: registry).recover(at: SystemClock().now))
        } catch {
            Terminal.err("kiln: could not recover an interrupted deployment: \(error)")
        }
    }

    /// Prints each recovery line on stderr.
    static func report(_ lines: [String]) {
        for line in lines { Terminal.err("kiln: recovered: \(line)") }
    }
}
