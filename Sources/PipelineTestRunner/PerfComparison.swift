import Foundation

/// One task's figures on full data next to its baseline, and the regressions beyond the tolerance.
public struct PerfComparison: Sendable, Hashable {
    /// The task.
    public var task: String
    /// This run's figures.
    public var current: PerfBaseline.Entry
    /// The baseline's, when the task has one.
    public var baseline: PerfBaseline.Entry?
    /// Each regression as a sentence naming the task and both figures; empty when within the tolerance.
    public var regressions: [String]

    /// Time differences below this many seconds are noise, never regressions (100 ms: tasks of tens of
    /// milliseconds vary by more than their own time on a loaded machine).
    public static let timeFloor = 0.1
    /// Memory differences below this many bytes are noise, never regressions (8 MiB).
    public static let memoryFloor = 8 << 20

    /// Compares measured figures with a baseline.
    ///
    /// A task regresses when its time is above baseline × (1 + tolerance) and more than ``timeFloor`` above it, or
    /// its peak memory is above baseline × (1 + tolerance) and more than ``memoryFloor`` above it.
    /// - Parameters:
    ///   - measurements: This run's figures by task, in `order`.
    ///   - baseline: The reference.
    ///   - tolerance: The allowed relative increase (0.2 for 20 %).
    ///   - order: Task ids in the pipeline's order.
    public static func compare(
        _ measurements: [String: TaskMeasurement], with baseline: PerfBaseline?, tolerance: Double, order: [String]
    ) -> [PerfComparison] {
        order.compactMap { task in
            guard let measured = measurements[task] else { return nil }
            let current = PerfBaseline.Entry(seconds: measured.seconds, peakBytes: measured.peakBytes)
            let reference = baseline?.tasks[task]
            var regressions: [String] = []
            if let reference {
                let limit = reference.seconds * (1 + tolerance)
                if current.seconds > limit, current.seconds - reference.seconds > timeFloor {
                    regressions.append("\(task): time \(seconds(current.seconds)) vs baseline \(seconds(reference.seconds)) "
                        + "(\(percent(current.seconds, reference.seconds)), tolerance \(Int((tolerance * 100).rounded())) %)")
                }
                if let now = current.peakBytes, let before = reference.peakBytes,
                    Double(now) > Double(before) * (1 + tolerance), now - before > memoryFloor
                {
                    regressions.append("\(task): peak memory \(bytes(now)) vs baseline \(bytes(before)) "
                        + "(\(percent(Double(now), Double(before))), tolerance \(Int((tolerance * 100).rounded())) %)")
                }
            }
            return PerfComparison(task: task, current: current, baseline: reference, regressions: regressions)
        }
    }

    /// Reads `--tolerance`: `20%` or `0.2`.
    public static func tolerance(parsing text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value >= 0, value.isFinite else { return nil }
            return value / 100
        }
        guard let value = Double(trimmed), value >= 0, value.isFinite else { return nil }
        return value
    }

    /// `1.23 s`.
    public static func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }

    /// `81.3 MiB`.
    public static func bytes(_ value: Int) -> String { String(format: "%.1f MiB", Double(value) / 1_048_576) }

    private static func percent(_ now: Double, _ before: Double) -> String {
        before > 0 ? String(format: "%+.0f %%", (now / before - 1) * 100) : "new"
    }
}
