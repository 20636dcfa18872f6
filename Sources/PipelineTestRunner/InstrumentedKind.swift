import Foundation
import MLTasks
import PipelineEngine
import PipelineModel
import Synchronization
import Tabular

/// What every attempt in a sandbox reports to: whether attempts are running (virtual time moves only when none is),
/// what each task cost, and the sample that extract kinds apply.
final class SandboxProbe: Sendable {
    private struct State {
        var active = 0
        var epoch = 0
        var measurements: [String: TaskMeasurement] = [:]
    }

    private let state = Mutex(State())
    let sampler: MemorySampler?
    let sample: DataSample?
    let extractKinds: Set<String>

    init(sampler: MemorySampler?, sample: DataSample?, extractKinds: Set<String>) {
        self.sampler = sampler
        self.sample = sample
        self.extractKinds = extractKinds
    }

    /// Running attempts, and a counter that changes whenever one starts or ends.
    var activity: (active: Int, epoch: Int) { state.withLock { ($0.active, $0.epoch) } }

    /// Cost so far, by task id.
    var measurements: [String: TaskMeasurement] { state.withLock { $0.measurements } }

    func begin() {
        state.withLock {
            $0.active += 1
            $0.epoch += 1
        }
    }

    func end(task: String, seconds: Double, peak: Int?) {
        state.withLock { state in
            state.active -= 1
            state.epoch += 1
            var measurement = state.measurements[task] ?? TaskMeasurement(seconds: 0, peakBytes: nil, attempts: 0)
            measurement.seconds += seconds
            measurement.attempts += 1
            if let peak { measurement.peakBytes = max(measurement.peakBytes ?? 0, peak) }
            state.measurements[task] = measurement
        }
    }
}

/// A kind (or the command runner) as a sandbox runs it: timed, its memory sampled when asked, and for extract kinds
/// its `data` output replaced by a sample.
struct InstrumentedKind: TaskKind {
    let inner: any TaskKind
    let probe: SandboxProbe

    var name: String { inner.name }

    func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        probe.begin()
        let window = probe.sampler?.openWindow()
        let started = ContinuousClock.now
        var seconds: Double?
        // The attempt counts as running until this returns (sampling included): manual time must not move meanwhile.
        defer {
            let peak = window.flatMap { probe.sampler?.closeWindow($0) }
            probe.end(task: context.taskID, seconds: seconds ?? Self.seconds(since: started), peak: peak)
        }
        var inner = context
        if let window, let sampler = probe.sampler {
            inner = TaskContext(
                runID: context.runID, pipeline: context.pipeline, taskID: context.taskID, attempt: context.attempt,
                action: context.action, inputs: context.inputs, environment: context.environment,
                workingDirectory: context.workingDirectory, clock: context.clock, logger: context.logger,
                artifacts: context.artifacts, decision: context.decision,
                withheldEnvironment: context.withheldEnvironment, startedAt: context.startedAt,
                log: { stream, line in context.log(line, stream: stream) },
                process: { process in
                    sampler.follow(window, child: process?.pid)
                    context.recordProcess(process)
                },
                seed: { context.recordSeed($0) }, read: { context.recordRead($0) })
        }
        var outputs = try await self.inner.run(inner)
        seconds = Self.seconds(since: started)  // the task's own time, without the sampling below
        if let sample = probe.sample, probe.extractKinds.contains(name), case .uses = context.action {
            outputs = try await sampled(outputs, sample: sample, context: context)
        }
        return outputs
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Replaces the `data` output by a sample of it (and `rows` by the sample's size).
    private func sampled(
        _ outputs: [String: JSONValue], sample: DataSample, context: TaskContext
    ) async throws -> [String: JSONValue] {
        guard let reference = outputs["data"]?.stringValue else { return outputs }
        let what = "\(name) (sample)"
        let frame = try await Datasets.load(
            reference, artifacts: context.artifacts, workingDirectory: context.workingDirectory, what: what)
        let kept = try sample.apply(frame)
        var result = outputs
        result["data"] = .string(try await Datasets.store(kept, artifacts: context.artifacts, what: what))
        result["rows"] = .number(Double(kept.rowCount))
        context.log("kiln test: sampled \(kept.rowCount) of \(frame.rowCount) rows (--sample \(sample), seed \(sample.seed))")
        return result
    }
}

extension TaskKindRegistry {
    /// Every kind of `self`, and its command runner, wrapped to report to `probe`.
    func instrumented(_ probe: SandboxProbe) -> TaskKindRegistry {
        var wrapped = TaskKindRegistry()
        for name in names.sorted() {
            if let kind = kind(named: name) { wrapped.register(InstrumentedKind(inner: kind, probe: probe)) }
        }
        wrapped.commandRunner = commandRunner.map { InstrumentedKind(inner: $0, probe: probe) }
        wrapped.reaper = reaper
        return wrapped
    }
}
