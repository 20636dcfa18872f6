import Dispatch
import Testing

@testable import PipelineModel

@Suite struct DiscardTests {
    /// Signals when it is freed.
    final class Tracked: @unchecked Sendable {
        let freed: DispatchSemaphore
        init(_ freed: DispatchSemaphore) { self.freed = freed }
        deinit { freed.signal() }
    }

    @Test("a value handed over is freed on the background queue; below the threshold, at once")
    func frees() {
        let background = DispatchSemaphore(value: 0)
        Discard.inBackground([Tracked(background)], when: true)
        #expect(background.wait(timeout: .now() + 10) == .success)

        let inPlace = DispatchSemaphore(value: 0)
        Discard.inBackground(Tracked(inPlace), when: false)
        #expect(inPlace.wait(timeout: .now()) == .success)  // already freed: no wait
    }
}
