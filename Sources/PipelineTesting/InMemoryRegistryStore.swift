public import ModelRegistry
public import PipelineModel
import Synchronization

/// A ``RegistryStore`` that keeps everything in memory: for tests of pipelines that register and promote models.
///
/// It checks and numbers versions, applies compare-and-set alias moves and records history, and keeps deployment
/// intents and records exactly like the SQLite store, and passes the same ``RegistryStoreConformance`` suite.
public final class InMemoryRegistryStore: RegistryStore, MetricStore {
    private struct State {
        var models: [String: RegisteredModel] = [:]
        var keys: [String: (model: String, version: Int)] = [:]
        var metrics: [MetricSample] = []
        var intents: [DeploymentIntent] = []
        var deployments: [String: DeploymentRecord] = [:]
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
            try Self.move(
                &state, model: name, alias: alias, to: target, expectedFrom: expectedFrom, reason: reason, actor: actor,
                at: at)
        }
    }

    /// Checks and applies one alias move inside the lock.
    private static func move(
        _ state: inout State, model name: String, alias: String, to target: Int?, expectedFrom: Int??, reason: String?,
        actor: String, at: Timestamp
    ) throws -> AliasChange {
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

    /// Records a pending intent after the same checks as the SQLite store, in the same order.
    public func beginDeployment(_ intent: DeploymentIntent) async throws {
        try RegistryNames.checkAliasName(intent.alias)
        try state.withLock { state in
            guard let model = state.models[intent.model] else { throw RegistryError.unknownModel(intent.model) }
            guard model.version(intent.to) != nil else {
                throw RegistryError.unknownVersion(
                    model: intent.model, version: intent.to, latest: model.latest?.version ?? 0)
            }
            if let holder = state.intents.first(where: {
                ($0.model == intent.model && $0.alias == intent.alias)
                    || (intent.exportPath != nil && $0.exportPath == intent.exportPath) || $0.id == intent.id
            }) {
                throw RegistryError.deploymentInProgress(model: intent.model, alias: intent.alias, holder: holder)
            }
            let current = model.aliases[intent.alias]
            guard current == intent.from else {
                throw RegistryError.aliasConflict(
                    model: intent.model, alias: intent.alias, expected: intent.from, actual: current)
            }
            var pending = intent
            pending.state = .pending
            state.intents.append(pending)
        }
    }

    /// Every intent, oldest first.
    public func deploymentIntents() async throws -> [DeploymentIntent] {
        state.withLock { state in
            state.intents.enumerated().sorted { ($0.element.startedAt, $0.offset) < ($1.element.startedAt, $1.offset) }
                .map(\.element)
        }
    }

    /// Hands an intent to `owner` when its owner is `expected`.
    public func takeOverDeployment(
        id: String, from expected: DeploymentOwner, to owner: DeploymentOwner
    ) async throws -> DeploymentIntent? {
        state.withLock { state in
            guard let index = state.intents.firstIndex(where: { $0.id == id }), state.intents[index].owner == expected
            else { return nil }
            state.intents[index].owner = owner
            return state.intents[index]
        }
    }

    /// Moves the alias, writes the record and marks the intent committed, all or nothing.
    @discardableResult
    public func commitDeployment(_ intent: DeploymentIntent, reason: String?, at: Timestamp) async throws -> AliasChange {
        try state.withLock { state in
            guard let index = state.intents.firstIndex(where: { $0.id == intent.id }),
                state.intents[index].owner == intent.owner, state.intents[index].state == .pending
            else { throw RegistryError.deploymentLost(model: intent.model, alias: intent.alias) }
            let stored = state.intents[index]
            // `state` is only changed below once every check has passed.
            var next = state
            let change = try Self.move(
                &next, model: stored.model, alias: stored.alias, to: stored.to, expectedFrom: .some(stored.from),
                reason: reason, actor: stored.actor, at: at)
            if let path = stored.exportPath {
                next.deployments[Self.key(stored.model, stored.alias)] = DeploymentRecord(
                    model: stored.model, alias: stored.alias, exportPath: path, version: stored.to, at: at,
                    actor: stored.actor)
            }
            next.intents[index].state = .committed
            state = next
            return change
        }
    }

    /// Deletes an intent.
    public func endDeployment(id: String) async throws {
        state.withLock { state in state.intents.removeAll { $0.id == id } }
    }

    /// The export record of an alias.
    public func deployment(model: String, alias: String) async throws -> DeploymentRecord? {
        state.withLock { $0.deployments[Self.key(model, alias)] }
    }

    /// Adds records for aliases that have none.
    @discardableResult
    public func importDeployments(_ records: [DeploymentRecord]) async throws -> Int {
        state.withLock { state in
            var added = 0
            for record in records where state.deployments[Self.key(record.model, record.alias)] == nil {
                state.deployments[Self.key(record.model, record.alias)] = record
                added += 1
            }
            return added
        }
    }

    private static func key(_ model: String, _ alias: String) -> String { model + "\u{0}" + alias }

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
