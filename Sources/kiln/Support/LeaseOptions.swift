import ArgumentParser

/// How often a command that executes runs renews its lease on them, and how long a lease lasts without renewal
/// (`--heartbeat`, `--lease`), shared by every command that executes runs.
struct LeaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How often the lease on a run being executed is renewed.", valueName: "duration"))
    var heartbeat = "5s"

    @Option(help: ArgumentHelp(
        "How long the lease holds without renewal; then another process may take the run.", valueName: "duration"))
    var lease = "30s"

    /// The two durations, checked.
    func durations() throws -> (heartbeat: Duration, lease: Duration) {
        let beat = try ServeCommand.duration(heartbeat, option: "--heartbeat")
        let span = try ServeCommand.duration(lease, option: "--lease")
        guard beat < span else {
            throw ValidationError("--heartbeat (\(heartbeat)) must be shorter than --lease (\(lease)), e.g. 5s and 30s")
        }
        return (beat, span)
    }

    func validate() throws { _ = try durations() }
}
