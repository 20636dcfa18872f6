internal import GRDB
import PipelineScheduler
import ModelRegistry
import PipelineModel

// Write transactions: explicitly IMMEDIATE, so the write lock is taken before the first read and the version
// number or alias target read inside cannot change before the write. Values are encoded before the transaction.
extension SQLiteRegistryStore {
    private static let selectByKeySQL = "SELECT \(versionColumns) FROM model_versions WHERE idempotency_key = ?"
    private static let insertModelSQL = "INSERT INTO models (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"
    private static let nextVersionSQL = "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = ?"
    private static let insertVersionSQL =
        "INSERT INTO model_versions (\(insertVersionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    private static let upsertAliasSQL = """
        INSERT INTO aliases (model, alias, version, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
        """
    private static let insertHistorySQL = "INSERT INTO alias_history (\(historyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)"

    /// Registers `new`, or returns the version `idempotencyKey` registered before.
    func insertVersion(_ new: NewVersion, idempotencyKey: String, at: Timestamp) async throws -> ModelVersion {
        try new.validate()
        let arguments = Self.arguments(for: new, idempotencyKey: idempotencyKey, at: at)
        return try await immediateTransaction { db in
            if let row = try Row.fetchOne(db.cachedStatement(sql: Self.selectByKeySQL), arguments: [idempotencyKey]) {
                let existing = try Self.modelVersion(from: row)
                guard existing.model == new.model else {
                    throw RegistryError.idempotencyKeyReused(
                        key: idempotencyKey, existing: existing.model, requested: new.model)
                }
                return existing
            }
            try db.cachedStatement(sql: Self.insertModelSQL).execute(arguments: [new.model, at.nanosecondsSince1970])
            let next = try Int.fetchOne(db.cachedStatement(sql: Self.nextVersionSQL), arguments: [new.model]) ?? 1
            try db.cachedStatement(sql: Self.insertVersionSQL).execute(arguments: arguments + [next])
            return ModelVersion(new, version: next, createdAt: at)
        }
    }

    /// Checks and applies the move `change` (whose `from` is read inside the transaction), recording it.
    func writeAliasMove(_ change: AliasChange, expectedFrom: Int??) async throws -> AliasChange {
        try RegistryNames.checkAliasName(change.alias)
        let moved = try await immediateTransaction { db in try Self.applyAliasMove(db, change, expectedFrom: expectedFrom) }
        wakeups?.post(.promotion)
        return moved
    }

    /// Throws ``RegistryError/unknownModel(_:)`` or ``RegistryError/unknownVersion(model:version:latest:)`` unless
    /// `model` exists and (when given) has version `version`.
    static func checkExists(_ db: Database, model: String, version: Int?) throws {
        let modelExists = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM models WHERE name = ?"), arguments: [model]) ?? false
        guard modelExists else { throw RegistryError.unknownModel(model) }
        guard let version else { return }
        let exists = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM model_versions WHERE model = ? AND version = ?"),
            arguments: [model, version]) ?? false
        if !exists {
            let latest = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE model = ?"),
                arguments: [model]) ?? 0
            throw RegistryError.unknownVersion(model: model, version: version, latest: latest)
        }
    }

    /// The version `alias` of `model` points at, read inside the caller's transaction.
    static func aliasTarget(_ db: Database, model: String, alias: String) throws -> Int? {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT version FROM aliases WHERE model = ? AND alias = ?"), arguments: [model, alias])
    }

    /// Checks and applies the move `change` inside the caller's transaction (its `from` is read there), recording it.
    static func applyAliasMove(_ db: Database, _ change: AliasChange, expectedFrom: Int??) throws -> AliasChange {
        let (model, alias, target) = (change.model, change.alias, change.to)
        try checkExists(db, model: model, version: target)
        let current = try aliasTarget(db, model: model, alias: alias)
        if let expectedFrom, expectedFrom != current {
            throw RegistryError.aliasConflict(model: model, alias: alias, expected: expectedFrom, actual: current)
        }
        if target == nil, current == nil {
            let aliases = try String.fetchAll(
                db.cachedStatement(sql: "SELECT alias FROM aliases WHERE model = ? ORDER BY alias"),
                arguments: [model])
            throw RegistryError.unknownAlias(model: model, alias: alias, aliases: aliases)
        }
        var recorded = change
        recorded.from = current
        guard current != target else { return recorded }
        if let target {
            try db.cachedStatement(sql: upsertAliasSQL)
                .execute(arguments: [model, alias, target, change.at.nanosecondsSince1970])
        } else {
            try db.cachedStatement(sql: "DELETE FROM aliases WHERE model = ? AND alias = ?")
                .execute(arguments: [model, alias])
        }
        try db.cachedStatement(sql: insertHistorySQL).execute(arguments: arguments(for: recorded))
        return recorded
    }

    /// Runs `body` in one `IMMEDIATE` transaction, committed when it returns and rolled back when it throws.
    func immediateTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.writeWithoutTransactionRetryingWhileBusy { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }
}
