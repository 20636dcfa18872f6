public import ModelRegistry
public import PipelineEngine
public import PipelineModel

/// The JSON forms the command line's `--json` output and the HTTP API share (beside ``RunDocument`` and
/// ``RegistryDocument``), so both print the same fields.
public enum Documents {
    /// A run in a list: `id`, `pipeline`, `state`, `created_at`, `started_at`, `finished_at`.
    public static func runSummary(_ run: RunRecord) -> [String: JSONValue] {
        [
            "id": .string(run.id.rawValue), "pipeline": .string(run.pipeline), "state": .string(run.state.rawValue),
            "created_at": .string(run.createdAt.iso8601),
            "started_at": run.startedAt.map { .string($0.iso8601) } ?? .null,
            "finished_at": run.finishedAt.map { .string($0.iso8601) } ?? .null,
        ]
    }

    /// A cache entry: `key`, `pipeline`, `task`, `run`, `created_at`, `expires_at`, `outputs`.
    public static func cacheEntry(_ entry: CacheEntry) -> JSONValue {
        [
            "key": .string(entry.key), "pipeline": .string(entry.pipeline), "task": .string(entry.taskID),
            "run": .string(entry.runID.rawValue), "created_at": .string(entry.createdAt.iso8601),
            "expires_at": entry.expiresAt.map { .string($0.iso8601) } ?? .null, "outputs": .object(entry.outputs),
        ]
    }

    /// An alias move with its model and whether it changed anything.
    public static func aliasChange(_ change: AliasChange) -> JSONValue {
        var document = RegistryDocument.change(change).objectValue ?? [:]
        document["model"] = .string(change.model)
        document["changed"] = .bool(change.from != change.to)
        return .object(document)
    }
}
