import Dispatch
import Foundation
import Testing

@testable import PipelineModel

@Suite struct DiscardTests {
    /// Signals when it is freed, and on which thread.
    final class Tracked: @unchecked Sendable {
        let freed: DispatchSemaphore
        let onThread: UnsafeMutablePointer<pthread_t?>
        init(_ freed: DispatchSemaphore, onThread: UnsafeMutablePointer<pthread_t?>) {
            self.freed = freed
            self.onThread = onThread
        }
        deinit {
            onThread.pointee = pthread_self()
            freed.signal()
        }
    }

    @Test("a value handed over is freed on another thread; below the threshold, at once on the caller's")
    func frees() {
        let thread = UnsafeMutablePointer<pthread_t?>.allocate(capacity: 1)
        defer { thread.deallocate() }
        let caller = pthread_self()

        thread.pointee = nil
        let background = DispatchSemaphore(value: 0)
        Discard.inBackground([Tracked(background, onThread: thread)], tasks: Discard.threshold)
        #expect(background.wait(timeout: .now() + 10) == .success)
        #expect(thread.pointee.map { pthread_equal($0, caller) == 0 } == true, "freed on the caller's thread")

        thread.pointee = nil
        let inPlace = DispatchSemaphore(value: 0)
        Discard.inBackground(Tracked(inPlace, onThread: thread), tasks: Discard.threshold - 1)
        #expect(inPlace.wait(timeout: .now()) == .success)  // already freed: no wait
        #expect(thread.pointee.map { pthread_equal($0, caller) != 0 } == true)
    }
}
