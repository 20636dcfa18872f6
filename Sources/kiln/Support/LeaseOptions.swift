import ArgumentParser
import PipelineModel

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
        func parse(_ text: String, _ option: String) throws -> Duration {
            do {
                let value = try DurationText.parse(text)
                guard value > .zero else { throw ValidationError("\(option) must be longer than zero") }
                return value
            } catch let error as DurationText.ParseError {
                throw ValidationError("\(option): \(error)")
            }
        }
        let beat = try parse(heartbeat, "--heartbeat")
        let span = try parse(lease, "--lease")
        guard beat < span else {
            throw ValidationError("--heartbeat (\(heartbeat)) must be shorter than --lease (\(lease)), e.g. 5s and 30s")
        }
        return (beat, span)
    }

    func validate() throws { _ = try durations() }
}
