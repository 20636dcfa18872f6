import PipelineEngine
import Testing

/// The wake-up pollers sleep on: a wait ends when woken or at its limit, never before the limit unless woken, even
/// when a timer armed for an earlier wait fires during it. (Real time: the lower bounds are the waits' limits, tens
/// of milliseconds; the upper ones, minutes, only tell an ended wait from one left to its ten-minute limit, as the
/// tests running alongside can hold this process up for many seconds.)
@Suite struct WakeSignalTests {
    /// How long `body` took.
    static func timed(_ body: () async -> Void) async -> Duration {
        let start = ContinuousClock.now
        await body()
        return ContinuousClock.now - start
    }

    @Test("a wake-up before the wait ends the next wait at once, and only that one")
    func pendingWake() async {
        let signal = WakeSignal()
        signal.wake()
        signal.wake()
        #expect(await Self.timed { await signal.wait(upTo: .seconds(600)) } < .seconds(300))
        #expect(await Self.timed { await signal.wait(upTo: .milliseconds(30)) } >= .milliseconds(30))
    }

    /// Waits on `signal` for up to `limit`, woken after `delay`.
    static func wait(_ signal: WakeSignal, upTo limit: Duration, wokenAfter delay: Duration) async {
        async let wait: Void = signal.wait(upTo: limit)
        try? await Task.sleep(for: delay)
        signal.wake()
        await wait
    }

    @Test("a wake-up ends a wait under way")
    func wakeEndsTheWait() async {
        let signal = WakeSignal()
        let waited = await Self.timed { await Self.wait(signal, upTo: .seconds(600), wokenAfter: .milliseconds(20)) }
        #expect(waited < .seconds(300))
    }

    @Test("a wait shorter than a sleeping timer's arms its own; a longer one outlasts an earlier timer")
    func timersAreShared() async {
        let signal = WakeSignal()
        // A wait woken early leaves its ten-minute timer sleeping: a 40 ms wait after it still ends at 40 ms.
        await Self.wait(signal, upTo: .seconds(600), wokenAfter: .milliseconds(10))
        let short = await Self.timed { await signal.wait(upTo: .milliseconds(40)) }
        #expect(short >= .milliseconds(40) && short < .seconds(300))
        // A 20 ms wait woken early leaves its timer to fire during the next, 150 ms wait: that wait goes on to 150 ms.
        await Self.wait(signal, upTo: .milliseconds(20), wokenAfter: .milliseconds(5))
        let longer = await Self.timed { await signal.wait(upTo: .milliseconds(150)) }
        #expect(longer >= .milliseconds(150) && longer < .seconds(300))
    }
}
