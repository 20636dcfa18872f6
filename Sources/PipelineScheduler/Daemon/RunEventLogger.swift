public import Logging
public import PipelineEngine
import PipelineModel

/// Logs one line per state change at info level — a run starting or finishing, a task changing state, a retry
/// being scheduled — with the run, task and state as metadata, so the daemon's log tells what happened when.
public struct RunEventLogger: RunEventSink {
    let logger: Logger

    /// Logs through `logger`.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Logs the event (log lines of tasks are not repeated: they are in the store).
    public func receive(_ event: RunEvent) {
        // The metadata of a task's change is built before the call: not at all when info lines are not logged.
        guard logger.logLevel <= .info else { return }
        switch event {
        case .runStarted(let run):
            logger.info("Run state changed", metadata: [
                "run.id": "\(run.id)", "pipeline.name": "\(run.pipeline)", "run.state": "\(run.state.rawValue)",
            ])
        case .taskChanged(let id, let task):
            var metadata: Logger.Metadata = [
                "run.id": "\(id)", "task.id": "\(task.taskID)", "task.state": "\(task.state.rawValue)",
                "task.attempts": "\(task.attempts)",
            ]
            if let error = task.error { metadata["error.message"] = "\(error)" }
            logger.info("Task state changed", metadata: metadata)
        case .retryScheduled(let id, let task, let attempt, let at, let error):
            logger.info("Task retry scheduled", metadata: [
                "run.id": "\(id)", "task.id": "\(task)", "task.next_attempt": "\(attempt)", "task.retry_at": "\(at.iso8601)",
                "error.message": "\(error)",
            ])
        case .runFinished(let run):
            var metadata: Logger.Metadata = [
                "run.id": "\(run.id)", "pipeline.name": "\(run.pipeline)", "run.state": "\(run.state.rawValue)",
            ]
            if let error = run.error { metadata["error.message"] = "\(error)" }
            logger.info("Run state changed", metadata: metadata)
        case .log:
            break
        }
    }
}
