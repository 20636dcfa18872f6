import ArgumentParser
import Foundation
import KilnOperations
import PipelineEngine
import PipelineModel

/// `kiln gc`: removes run records, logs and artifacts past retention that nothing still references.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", _superCommandName: "kiln",
        abstract: "Remove old runs, their logs and artifacts that no model version, cache entry or unfinished run needs.",
        discussion: """
            A finished run that ended more than --keep ago goes with its task records and logs, unless a registered \
            model version came from it. An artifact goes when it was stored more than --keep ago and no run that \
            stays, no registered version and no cache entry that has not expired names it. Queued, running and \
            waiting runs are never touched. Works on every store (--store) and artifact location (--artifacts).
            """)

    @Option(help: ArgumentHelp("Keep what is younger than this (30d, 12h, …).", valueName: "duration"))
    var keep = "30d"

    @Flag(help: "Print what would be removed and the bytes freed, and remove nothing.")
    var dryRun = false

    @OptionGroup var home: HomeOptions

    func run() async throws {
        try await reportingErrors {
            let retention = try ServeCommand.duration(keep, option: "--keep")
            let stores = try await home.openStores()
            let collector = GarbageCollector(
                store: stores.state, registry: stores.registry, artifacts: try home.artifactStore, clock: SystemClock())
            let report = try await collector.collect(keep: retention, dryRun: dryRun)
            if dryRun {
                for run in report.runs {
                    Terminal.out("would remove run \(run.id.rawValue) (\(run.pipeline), \(run.state.rawValue), ended "
                        + "\(run.finishedAt.iso8601), \(run.tasks) tasks, \(run.logLines) log lines)")
                }
                for artifact in report.artifacts {
                    Terminal.out("would remove artifact \(artifact.reference) (\(Self.bytes(artifact.size)), stored "
                        + "\(artifact.modifiedAt.iso8601))")
                }
            }
            Terminal.out(Self.summary(report))
        }
    }

    /// One line: what was (or would be) removed, and what stayed.
    static func summary(_ report: GarbageCollector.Report) -> String {
        let verb = report.dryRun ? "would remove" : "removed"
        var line = "\(verb) \(report.deletion.runs) run\(report.deletion.runs == 1 ? "" : "s") "
            + "(\(report.deletion.tasks) task records, \(report.deletion.logLines) log lines) and "
            + "\(report.artifacts.count) artifact\(report.artifacts.count == 1 ? "" : "s") "
            + "(\(bytes(report.bytesFreed)) freed) older than \(report.cutoff.iso8601)"
        line += "; kept \(report.artifactsKept) artifact\(report.artifactsKept == 1 ? "" : "s")"
        if report.keptForVersions > 0 {
            line += " and \(report.keptForVersions) old run\(report.keptForVersions == 1 ? "" : "s") of registered versions"
        }
        return line
    }

    /// `1.5 MB`-style sizes (powers of 1000, as `du --si`).
    static func bytes(_ count: Int64) -> String {
        if count < 1000 { return "\(count) B" }
        var value = Double(count)
        for unit in ["kB", "MB", "GB", "TB"] {
            value /= 1000
            if value < 1000 || unit == "TB" {
                return (value < 10 ? String(format: "%.1f", value) : String(Int(value.rounded()))) + " " + unit
            }
        }
        return "\(count) B"
    }
}
