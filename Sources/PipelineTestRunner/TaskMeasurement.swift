/// What a task cost in a sandboxed run: wall time over all its attempts and the peak memory seen while it ran.
public struct TaskMeasurement: Sendable, Hashable {
    /// Wall time of the task's attempts, in seconds (real time, even when the run's clock is manual).
    public var seconds: Double
    /// Peak resident memory while it ran, in bytes; `nil` when memory was not sampled (only `--perf` samples it).
    public var peakBytes: Int?
    /// How many attempts ran.
    public var attempts: Int

    /// Creates a measurement.
    public init(seconds: Double, peakBytes: Int? = nil, attempts: Int = 1) {
        self.seconds = seconds
        self.peakBytes = peakBytes
        self.attempts = attempts
    }
}
