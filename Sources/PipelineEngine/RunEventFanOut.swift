/// Hands every run event to several sinks, in order (progress display, notifications, …).
public struct RunEventFanOut: RunEventSink {
    /// The sinks, called in this order.
    public let sinks: [any RunEventSink]

    /// Creates a fan-out to `sinks`.
    public init(_ sinks: [any RunEventSink]) { self.sinks = sinks }

    /// Passes `event` to every sink.
    public func receive(_ event: RunEvent) {
        for sink in sinks { sink.receive(event) }
    }
}
