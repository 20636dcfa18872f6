import Synchronization

/// Where attempts, timers and log writers drop messages for the executor's loop.
///
/// Messages pile up while the loop is busy and are drained together, so one store transaction covers every
/// change that arrived meanwhile (group commit).
final class Inbox<Message: Sendable>: Sendable {
    private struct State {
        var messages: [Message] = []
        var signalled = false
    }

    private let state = Mutex(State())
    private let signals: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The wake-up signals; make one iterator per loop and pass it to ``next(_:)``.
    func makeWaiter() -> AsyncStream<Void>.Iterator { signals.makeAsyncIterator() }

    /// Adds a message and wakes the loop if it is waiting.
    func post(_ message: Message) {
        let wake = state.withLock { state -> Bool in
            state.messages.append(message)
            defer { state.signalled = true }
            return !state.signalled
        }
        if wake { continuation.yield() }
    }

    /// Waits until at least one message arrived, then returns every message posted so far.
    /// Returns `nil` when the calling task is cancelled.
    func next(_ iterator: inout AsyncStream<Void>.Iterator) async -> [Message]? {
        while true {
            let pending = state.withLock { state -> [Message] in
                defer {
                    state.messages.removeAll(keepingCapacity: true)
                    state.signalled = false
                }
                return state.messages
            }
            if !pending.isEmpty { return pending }
            guard await iterator.next() != nil, !Task.isCancelled else { return nil }
        }
    }

    /// Returns whatever is waiting without suspending.
    func drain() -> [Message] {
        state.withLock { state in
            defer {
                state.messages.removeAll(keepingCapacity: true)
                state.signalled = false
            }
            return state.messages
        }
    }
}
