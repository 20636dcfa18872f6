public import PipelineEngine
public import PipelineModel

/// What the evaluator needs to know about a pipeline's runs.
public struct RunHistory: Sendable, Hashable {
    /// When the newest run of the pipeline (any trigger) was created, if any.
    public var lastRunStart: Timestamp?
    /// How many runs of the pipeline are unfinished (`queued`, `running` or `waiting`).
    public var activeRuns: Int

    /// Creates a history.
    public init(lastRunStart: Timestamp? = nil, activeRuns: Int = 0) {
        self.lastRunStart = lastRunStart
        self.activeRuns = activeRuns
    }

    /// Reads the history of `pipeline` from a state store (the newest 200 runs).
    public static func read(pipeline: String, from store: any StateStore) async throws -> RunHistory {
        let runs = try await store.runs(pipeline: pipeline, limit: 200)
        return RunHistory(
            lastRunStart: runs.map(\.createdAt).max(), activeRuns: runs.filter { !$0.state.isFinished }.count)
    }
}
