import Foundation
import PipelineEngine
public import PipelineModel

/// The report of a smoke run (`kiln test --smoke`): each task's result and time, what the sandbox redirected, and the
/// notifications that were captured instead of sent.
public struct SmokeReport: Sendable {
    /// The run in the sandbox.
    public var result: SandboxRun
    /// The pipeline as declared (for the task order).
    public var pipeline: Pipeline
    /// What the sandbox changed so that nothing leaves it.
    public var redirections: [SandboxRedirection]
    /// The sample each extracted dataset was cut to.
    public var sample: DataSample

    /// Creates a report.
    public init(result: SandboxRun, pipeline: Pipeline, redirections: [SandboxRedirection], sample: DataSample) {
        self.result = result
        self.pipeline = pipeline
        self.redirections = redirections
        self.sample = sample
    }

    /// Whether the run succeeded (or parked waiting for an approval, which a smoke run cannot give).
    public var passed: Bool { result.run.state == .succeeded || result.run.state == .waiting }

    /// The report, one task per line in the pipeline's order, then redirections and notifications.
    public var lines: [String] {
        let width = max(16, (pipeline.tasks.map(\.id.count).max() ?? 0) + 2)
        var lines = ["smoke: \(pipeline.name) on a sample of every extracted dataset (--sample \(sample), seed \(sample.seed))"]
        for spec in pipeline.tasks {
            let record = result.task(spec.id)
            let state = record?.state.rawValue ?? "not run"
            let time = result.measurements[spec.id].map { CaseResult.format($0.seconds) } ?? "-"
            var line = "  " + spec.id.padding(toLength: width, withPad: " ", startingAt: 0)
                + state.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + time
            if let record, record.state == .failed || record.state == .skipped || record.state == .waiting,
                let error = record.error
            {
                // A multi-line error (validate lists every violation) is shown on this line, its lines joined.
                let text = error.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }.joined(separator: " ")
                line += "  " + (text.count > 300 ? String(text.prefix(300)) + " …" : text)
            }
            lines.append(line)
        }
        let total = result.measurements.values.reduce(0) { $0 + $1.seconds }
        lines.append("smoke: run \(result.run.state.rawValue); task time \(CaseResult.format(total))")
        if redirections.isEmpty {
            lines.append("redirected: nothing (no export_to or on_deploy)")
        } else {
            lines.append("redirected (nothing reaches production):")
            lines += redirections.map { "  \($0)" }
        }
        if result.notifications.isEmpty {
            lines.append("notifications: none would be sent")
        } else {
            lines.append("notifications (captured, not sent):")
            lines += result.notifications.map { "  \($0)" }
        }
        return lines
    }
}
