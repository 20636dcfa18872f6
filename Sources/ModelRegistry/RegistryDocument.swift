public import PipelineModel

/// The JSON forms of registry values that `kiln models … --json` prints (and an API would serve).
///
/// Keys are snake_case and stable; times are ISO 8601 UTC with milliseconds; absent optional values are `null`.
public enum RegistryDocument {
    /// `{"name", "created_at", "latest_version", "production_version", "version_count", "aliases"}`.
    ///
    /// - Parameters:
    ///   - model: The model.
    /// - Returns: The summary one line of `kiln models` shows.
    public static func summary(_ model: RegisteredModel) -> JSONValue {
        [
            "name": .string(model.name),
            "created_at": model.createdAt.map { .string($0.iso8601) } ?? .null,
            "latest_version": model.latest.map { .number(Double($0.version)) } ?? .null,
            "production_version": model.production.map { .number(Double($0)) } ?? .null,
            "version_count": .number(Double(model.versions.count)),
            "aliases": aliases(model.aliases),
        ]
    }

    /// `{"name", "versions": [...], "aliases": {"production": 3}, "alias_history": [...]}`.
    ///
    /// - Parameters:
    ///   - model: The model.
    /// - Returns: Everything the registry knows about it.
    public static func model(_ model: RegisteredModel) -> JSONValue {
        [
            "name": .string(model.name),
            "versions": .array(model.versions.map { version($0, aliases: model.aliases(of: $0.version)) }),
            "aliases": aliases(model.aliases),
            "alias_history": .array(model.history.map(change)),
        ]
    }

    /// `{"version", "metrics", "params", "artifact", "data_fingerprint", "run", "pipeline", "task", "code_version",
    /// "upstream": [{"name", "version"}], "created_at", "aliases"}`.
    ///
    /// - Parameters:
    ///   - version: The version.
    ///   - aliases: The aliases that point at it.
    /// - Returns: The version's document.
    public static func version(_ version: ModelVersion, aliases: [String] = []) -> JSONValue {
        [
            "model": .string(version.model),
            "version": .number(Double(version.version)),
            "metrics": .object(version.metrics.mapValues(JSONValue.number)),
            "params": .object(version.params),
            "artifact": .string(version.artifact),
            "data_fingerprint": .string(version.dataFingerprint),
            "run": .string(version.runID),
            "pipeline": .string(version.pipeline),
            "task": .string(version.task),
            "code_version": version.codeVersion.map(JSONValue.string) ?? .null,
            "upstream": .array(version.upstream.map { ["name": .string($0.name), "version": .number(Double($0.version))] }),
            "created_at": .string(version.createdAt.iso8601),
            "aliases": .array(aliases.map(JSONValue.string)),
        ]
    }

    /// `{"alias", "from", "to", "at", "reason", "actor"}`; `from` and `to` are `null` when there was or is no version.
    ///
    /// - Parameters:
    ///   - change: The alias move.
    /// - Returns: The history entry's document.
    public static func change(_ change: AliasChange) -> JSONValue {
        [
            "alias": .string(change.alias),
            "from": change.from.map { .number(Double($0)) } ?? .null,
            "to": change.to.map { .number(Double($0)) } ?? .null,
            "at": .string(change.at.iso8601),
            "reason": change.reason.map(JSONValue.string) ?? .null,
            "actor": .string(change.actor),
        ]
    }

    private static func aliases(_ aliases: [String: Int]) -> JSONValue {
        .object(aliases.mapValues { .number(Double($0)) })
    }
}
