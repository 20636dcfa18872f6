#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The engine's only source of time: retry delays, timeouts and cache expiry all go through it,
/// so tests swap in `ManualClock` (from `PipelineTesting`) and run "3 retries 5 minutes apart" in microseconds.
public protocol PipelineClock: Sendable {
    /// The current wall-clock time.
    var now: Timestamp { get }
    /// Suspends until `deadline` (returns at once when it has passed).
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: Timestamp) async throws
}

/// The real clock: the system's wall time, sleeping on the continuous clock.
public struct SystemClock: PipelineClock {
    /// Creates the system clock.
    public init() {}

    /// The current wall-clock time.
    public var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanosecondsSince1970: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// Sleeps until `deadline`.
    public func sleep(until deadline: Timestamp) async throws {
        let remaining = now.duration(to: deadline)
        if remaining > .zero { try await Task.sleep(for: remaining) }
    }
}

/// What kind of sleep the current task is taking, for clocks that tests drive.
public enum ClockSleep {
    /// Whether sleeps started now keep something alive rather than move work forward (a lease heartbeat).
    ///
    /// Test clocks leave such sleepers out of what a test waits for (`ManualClock.waitForSleepers`), so a
    /// heartbeat running beside a run never stands in for the retry timer the test is waiting on.
    @TaskLocal public static var isBackground = false
}
