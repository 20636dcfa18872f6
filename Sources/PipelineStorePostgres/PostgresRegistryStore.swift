internal import Logging
public import ModelRegistry
public import PipelineModel
import PipelineScheduler
internal import PostgresNIO

/// A ``RegistryStore`` (and ``MetricStore``) kept in a PostgreSQL database, beside a ``PostgresStateStore``'s tables.
///
/// ```swift
/// let database = try await PostgresStoreDatabase.open(PostgresStoreConfiguration(url: url))
/// let registry = ModelRegistryService(store: PostgresRegistryStore(database: database))
/// try await registry.promote("fraud", version: 4, reason: "f1 0.93", actor: "cli", at: SystemClock().now)
/// ```
///
/// Every write that reads before it writes (registering, which picks the next version number; moving an alias, with
/// its compare-and-set and history record; beginning and committing a deployment) first locks the model's row in
/// `models` (`SELECT … FOR UPDATE`), so writers of one model run one after the other, as SQLite's `IMMEDIATE`
/// transactions do, while writers of different models do not wait for each other. A deployment's commit (the alias
/// move, the deployment record and the intent's state) is one transaction. Reads of whole models run in one
/// `REPEATABLE READ` snapshot.
public final class PostgresRegistryStore: RegistryStore {
    /// The database and its pool.
    public let database: PostgresStoreDatabase

    /// A registry on an open database (which may be shared with a ``PostgresStateStore``).
    ///
    /// - Parameters:
    ///   - database: The open, migrated database.
    public init(database: PostgresStoreDatabase) {
        self.database = database
    }

    var logger: Logger { database.logger }

    /// Registers `new` as its model's next version, or returns the version registered earlier with `idempotencyKey`.
    ///
    /// - Returns: The stored version.
    /// - Throws: ``RegistryError`` when `new` is invalid or the key belongs to another model; ``PostgresStoreError``.
    @discardableResult
    public func register(_ new: NewVersion, idempotencyKey: String, at: Timestamp) async throws -> ModelVersion {
        try new.validate()
        let logger = logger
        let values = Self.VersionValues(new, idempotencyKey: idempotencyKey, at: at)
        return try await database.transaction("register a version of \(new.model)") { connection in
            if let existing = try await Self.version(withKey: idempotencyKey, connection, logger) {
                return try Self.checkSameModel(existing, new: new, key: idempotencyKey)
            }
            try await connection.run(
                "INSERT INTO models (name, created_at) VALUES (\(new.model), \(at.nanosecondsSince1970)) ON CONFLICT (name) DO NOTHING",
                logger: logger)
            try await connection.run("SELECT 1 FROM models WHERE name = \(new.model) FOR UPDATE", logger: logger)
            let next = try await connection.rows(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = \(new.model)", logger: logger
            ).first?.decode(Int.self) ?? 1
            let inserted = try await connection.count(Self.insertVersion(values, version: next), logger: logger)
            if inserted == 0, let existing = try await Self.version(withKey: idempotencyKey, connection, logger) {
                // Another process registered with this key meanwhile (and committed): the first one wins.
                return try Self.checkSameModel(existing, new: new, key: idempotencyKey)
            }
            return ModelVersion(new, version: next, createdAt: at)
        }
    }

    /// Every model, sorted by name, with its versions, aliases and history.
    /// - Throws: ``PostgresStoreError``.
    public func models() async throws -> [RegisteredModel] {
        try await readModels(named: nil)
    }

    /// The model `name` with its versions, aliases and history, or `nil` when it is not registered.
    /// - Throws: ``PostgresStoreError``.
    public func model(named name: String) async throws -> RegisteredModel? {
        try await readModels(named: name).first
    }

    /// Version `number` of `model`, or `nil` when either is unknown.
    /// - Throws: ``PostgresStoreError``.
    public func version(model: String, number: Int) async throws -> ModelVersion? {
        try await database.rows(
            "read version \(number) of \(model)",
            "SELECT \(unescaped: Self.versionColumns) FROM model_versions WHERE model = \(model) AND version = \(number)"
        ).first.map(Self.modelVersion(from:))
    }

    /// Moves (or removes) an alias and records the move in one transaction.
    ///
    /// - Returns: The change (not recorded when the alias already pointed at `to`).
    /// - Throws: ``RegistryError`` for invalid or unknown names, unknown versions and compare-and-set conflicts
    ///   (nothing is written); ``PostgresStoreError``.
    @discardableResult
    public func moveAlias(
        model: String, alias: String, to: Int?, expectedFrom: Int??, reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange {
        try RegistryNames.checkAliasName(alias)
        let change = AliasChange(model: model, alias: alias, from: nil, to: to, at: at, reason: reason, actor: actor)
        let logger = logger
        let signal = database.notify(.promotion)
        return try await database.transaction("move alias \(alias) of \(model)") { connection in
            let moved = try await Self.applyAliasMove(change, expectedFrom: expectedFrom, connection, logger)
            try await connection.run(signal, logger: logger)
            return moved
        }
    }

    /// Every alias move of `model`, oldest first; empty for an unknown model.
    /// - Throws: ``PostgresStoreError``.
    public func aliasHistory(model: String) async throws -> [AliasChange] {
        try await database.rows(
            "read the alias history of \(model)",
            "SELECT \(unescaped: Self.historyColumns) FROM alias_history WHERE model = \(model) ORDER BY seq"
        ).map(Self.aliasChange(from:))
    }

    // MARK: Inside transactions

    static func checkSameModel(_ existing: ModelVersion, new: NewVersion, key: String) throws -> ModelVersion {
        guard existing.model == new.model else {
            throw RegistryError.idempotencyKeyReused(key: key, existing: existing.model, requested: new.model)
        }
        return existing
    }

    static func version(withKey key: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> ModelVersion? {
        try await connection.rows(
            "SELECT \(unescaped: versionColumns) FROM model_versions WHERE idempotency_key = \(key)", logger: logger
        ).first.map(modelVersion(from:))
    }

    /// Locks `model`'s row (until the transaction ends) and throws ``RegistryError/unknownModel(_:)`` or
    /// ``RegistryError/unknownVersion(model:version:latest:)`` unless the model exists and (when given) has `version`.
    static func lockAndCheck(model: String, version: Int?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard try await connection.count("SELECT 1 FROM models WHERE name = \(model) FOR UPDATE", logger: logger) > 0 else {
            throw RegistryError.unknownModel(model)
        }
        guard let version else { return }
        let latest = try await connection.rows(
            """
            SELECT COALESCE(MAX(version), 0), COALESCE(BOOL_OR(version = \(version)), false)
            FROM model_versions WHERE model = \(model)
            """, logger: logger
        ).first?.decode((Int, Bool).self) ?? (0, false)
        if !latest.1 { throw RegistryError.unknownVersion(model: model, version: version, latest: latest.0) }
    }

    /// The version `alias` of `model` points at.
    static func aliasTarget(model: String, alias: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int? {
        try await connection.rows(
            "SELECT version FROM aliases WHERE model = \(model) AND alias = \(alias)", logger: logger
        ).first?.decode(Int.self)
    }

    /// Checks and applies the move `change` inside the caller's transaction (its `from` is read there), recording it.
    static func applyAliasMove(
        _ change: AliasChange, expectedFrom: Int??, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> AliasChange {
        let (model, alias, target) = (change.model, change.alias, change.to)
        try await lockAndCheck(model: model, version: target, connection, logger)
        let current = try await aliasTarget(model: model, alias: alias, connection, logger)
        if let expectedFrom, expectedFrom != current {
            throw RegistryError.aliasConflict(model: model, alias: alias, expected: expectedFrom, actual: current)
        }
        if target == nil, current == nil {
            let aliases = try await connection.rows(
                "SELECT alias FROM aliases WHERE model = \(model) ORDER BY alias", logger: logger
            ).map { try $0.decode(String.self) }
            throw RegistryError.unknownAlias(model: model, alias: alias, aliases: aliases)
        }
        var recorded = change
        recorded.from = current
        guard current != target else { return recorded }
        if let target {
            try await connection.run(
                """
                INSERT INTO aliases (model, alias, version, updated_at) VALUES (\(model), \(alias), \(target), \(change.at.nanosecondsSince1970))
                ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
                """, logger: logger)
        } else {
            try await connection.run("DELETE FROM aliases WHERE model = \(model) AND alias = \(alias)", logger: logger)
        }
        try await connection.run(
            """
            INSERT INTO alias_history (\(unescaped: historyColumns)) VALUES (\(model), \(alias), \(recorded.from),
                \(recorded.to), \(change.at.nanosecondsSince1970), \(change.reason), \(change.actor))
            """, logger: logger)
        return recorded
    }
}
