public import PipelineModel

/// Something that happened in a run, published as it happens (after it is stored).
public enum RunEvent: Sendable {
    /// A run started or resumed.
    case runStarted(RunRecord)
    /// A task changed state (or started a new attempt).
    case taskChanged(RunID, TaskRecord)
    /// A task's attempt failed and a retry is scheduled.
    case retryScheduled(RunID, task: String, attempt: Int, at: Timestamp, error: String)
    /// A task wrote a log line.
    case log(LogLine)
    /// A run finished (succeeded, failed or cancelled).
    case runFinished(RunRecord)
}

/// Receives run events. Called synchronously on the engine's path: keep it fast and non-blocking.
public protocol RunEventSink: Sendable {
    /// Handles one event.
    func receive(_ event: RunEvent)
}
