public import ModelRegistry
public import PipelineModel
import Synchronization

/// A ``RegistryStore`` that keeps everything in memory: for tests of pipelines that register and promote models.
///
/// It checks and numbers versions, applies compare-and-set alias moves and records history exactly like the
/// SQLite store, and passes the same ``RegistryStoreConformance`` suite.
public final class InMemoryRegistryStore: RegistryStore, MetricStore {
    private struct State {
        var models: [String: RegisteredModel] = [:]
        var keys: [String: (model: String, version: Int)] = [:]
        var metrics: [MetricSample] = []
    }

    private let state = Mutex(State())

    /// An empty registry.
    public init() {}

    /// Registers `new` as its model's next version, or returns the version registered with `idempotencyKey`.
    @discardableResult
    public func register(_ new: NewVersion, idempotencyKey: String, at: Timestamp) async throws -> ModelVersion {
        try new.validate()
        return try state.withLock { state in
            if let existing = state.keys[idempotencyKey] {
                guard existing.model == new.model, let version = state.models[existing.model]?.version(existing.version)
                else {
                    throw RegistryError.idempotencyKeyReused(
                        key: idempotencyKey, existing: existing.model, requested: new.model)
                }
                return version
            }
            var model = state.models[new.model] ?? RegisteredModel(name: new.model, versions: [], aliases: [:], history: [])
            let version = ModelVersion(new, version: (model.latest?.version ?? 0) + 1, createdAt: at)
            model.versions.append(version)
            state.models[new.model] = model
            state.keys[idempotencyKey] = (new.model, version.version)
            return version
        }
    }

    /// Every model, sorted by name.
    public func models() async throws -> [RegisteredModel] {
        state.withLock { state in state.models.values.sorted { $0.name < $1.name } }
    }

    /// The model `name`, if registered.
    public func model(named name: String) async throws -> RegisteredModel? {
        state.withLock { $0.models[name] }
    }

    /// Version `number` of `model`, if both exist.
    public func version(model: String, number: Int) async throws -> ModelVersion? {
        state.withLock { $0.models[model]?.version(number) }
    }

    /// Moves (or removes) an alias and records the move, after checking names, the target and `expectedFrom`.
    @discardableResult
    public func moveAlias(
        model name: String, alias: String, to target: Int?, expectedFrom: Int??, reason: String?, actor: String,
        at: Timestamp
    ) async throws -> AliasChange {
        try RegistryNames.checkAliasName(alias)
        return try state.withLock { state in
            guard var model = state.models[name] else { throw RegistryError.unknownModel(name) }
            if let target, model.version(target) == nil {
                throw RegistryError.unknownVersion(model: name, version: target, latest: model.latest?.version ?? 0)
            }
            let current = model.aliases[alias]
            if let expectedFrom, expectedFrom != current {
                throw RegistryError.aliasConflict(model: name, alias: alias, expected: expectedFrom, actual: current)
            }
            if target == nil, current == nil {
                throw RegistryError.unknownAlias(model: name, alias: alias, aliases: model.aliases.keys.sorted())
            }
            let change = AliasChange(model: name, alias: alias, from: current, to: target, at: at, reason: reason, actor: actor)
            guard current != target else { return change }
            model.aliases[alias] = target
            model.history.append(change)
            state.models[name] = model
            return change
        }
    }

    /// Every alias move of `model`, oldest first.
    public func aliasHistory(model: String) async throws -> [AliasChange] {
        state.withLock { $0.models[model]?.history ?? [] }
    }

    /// Appends samples.
    public func pushMetrics(_ samples: [MetricSample]) async throws {
        state.withLock { $0.metrics.append(contentsOf: samples) }
    }

    /// Samples of one metric in a time range, oldest first.
    public func metricSamples(
        model: String, version: Int?, metric: String, from: Timestamp, through: Timestamp
    ) async throws -> [MetricSample] {
        state.withLock { state in
            state.metrics.enumerated().filter { _, sample in
                sample.model == model && sample.metric == metric && sample.at >= from && sample.at <= through
                    && (version == nil || sample.version == version)
            }.sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
    }
}
