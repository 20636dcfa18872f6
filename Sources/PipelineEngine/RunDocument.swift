public import PipelineModel

/// The run document: the JSON form of a run that `kiln show --json`, `kiln run --json` and the API print.
///
/// Field names are a contract: `id`, `pipeline`, `state`, `params`, `trigger`, `idempotency_key` (the key of a
/// triggered run, else `null`), `created_at`, `started_at`, `finished_at`, `error`, and `tasks` (by id: `state`, `attempts`, `outputs`, `error`, `cache_key`, `cache`,
/// `started_at`, `finished_at`, `retry_at`, `deadline`, `decision`, `lineage` — ``TaskLineage``'s stored form, or
/// `null` — and, only while a `kiln worker` holds the task's attempt, `worker`: `{"name", "host", "pid"}`). Times are
/// ISO 8601 UTC strings or `null`.
public enum RunDocument {
    /// Builds the document of `run` with its `tasks`; `workers` are the workers holding its running tasks' attempts,
    /// by task id (``TaskQueue/workers(of:tasks:)``).
    public static func make(_ run: RunRecord, tasks: [TaskRecord], workers: [String: RunOwner] = [:]) -> JSONValue {
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.iso8601) } ?? .null }
        var taskMembers: [String: JSONValue] = [:]
        for task in tasks {
            var members: [String: JSONValue] = [
                "state": .string(task.state.rawValue),
                "attempts": .number(Double(task.attempts)),
                "outputs": task.outputs.map { .object($0) } ?? .null,
                "error": task.error.map(JSONValue.string) ?? .null,
                "cache_key": task.cacheKey.map(JSONValue.string) ?? .null,
                "cache": task.cacheNote.map(JSONValue.string) ?? .null,
                "started_at": time(task.startedAt),
                "finished_at": time(task.finishedAt),
                "retry_at": time(task.retryAt),
                "deadline": time(task.deadline),
                "decision": task.decision?.json ?? .null,
                "lineage": task.lineage?.json ?? .null,
            ]
            if let worker = workers[task.taskID] {
                members["worker"] = [
                    "name": .string(worker.label), "host": .string(worker.host), "pid": .number(Double(worker.pid)),
                ]
            }
            taskMembers[task.taskID] = .object(members)
        }
        return [
            "id": .string(run.id.rawValue),
            "pipeline": .string(run.pipeline),
            "state": .string(run.state.rawValue),
            "params": .object(run.params),
            "trigger": run.trigger ?? .null,
            "idempotency_key": run.idempotencyKey.map(JSONValue.string) ?? .null,
            "created_at": time(run.createdAt),
            "started_at": time(run.startedAt),
            "finished_at": time(run.finishedAt),
            "error": run.error.map(JSONValue.string) ?? .null,
            "tasks": .object(taskMembers),
        ]
    }
}
