internal import GRDB
import PipelineScheduler
public import ModelRegistry
public import PipelineModel

// Deployment intents and export records (tables `deployment_intents` and `deployments`, migration `v4-deployments`).
// Every write is one IMMEDIATE transaction: the checks read what the write then changes.
extension SQLiteRegistryStore {
    /// `deployment_intents` columns, in argument and select order.
    static let intentColumns = """
        id, model, alias, from_version, to_version, export_path, staged_path, backup_path, had_previous_file, \
        owner_pid, owner_start, actor, started_at, state
        """

    /// `deployments` columns, in argument and select order.
    static let deploymentColumns = "model, alias, export_path, version, at, actor"

    private static let selectHolderSQL = """
        SELECT \(intentColumns) FROM deployment_intents
        WHERE (model = ?1 AND alias = ?2) OR (?3 IS NOT NULL AND export_path = ?3) OR id = ?4
        ORDER BY started_at, rowid LIMIT 1
        """
    private static let insertIntentSQL =
        "INSERT INTO deployment_intents (\(intentColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    private static let upsertDeploymentSQL = """
        INSERT INTO deployments (\(deploymentColumns)) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (model, alias) DO UPDATE SET
            export_path = excluded.export_path, version = excluded.version, at = excluded.at, actor = excluded.actor
        """

    /// Records a pending intent after checking names, the target version, other intents and the alias, in one
    /// `IMMEDIATE` transaction.
    ///
    /// - Parameters:
    ///   - intent: The deployment about to start.
    /// - Throws: ``RegistryError`` (invalid or unknown names, unknown version, another deployment in progress, an alias
    ///   that moved); a database error. Nothing is written when it throws.
    public func beginDeployment(_ intent: DeploymentIntent) async throws {
        try RegistryNames.checkAliasName(intent.alias)
        var pending = intent
        pending.state = .pending
        let arguments = Self.arguments(for: pending)
        try await immediateTransaction { db in
            try Self.checkExists(db, model: intent.model, version: intent.to)
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: Self.selectHolderSQL),
                arguments: [intent.model, intent.alias, intent.exportPath, intent.id])
            {
                throw RegistryError.deploymentInProgress(
                    model: intent.model, alias: intent.alias, holder: try Self.intent(from: row))
            }
            let current = try Self.aliasTarget(db, model: intent.model, alias: intent.alias)
            guard current == intent.from else {
                throw RegistryError.aliasConflict(
                    model: intent.model, alias: intent.alias, expected: intent.from, actual: current)
            }
            try db.cachedStatement(sql: Self.insertIntentSQL).execute(arguments: arguments)
        }
    }

    /// Every intent, oldest first.
    ///
    /// - Returns: The intents.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func deploymentIntents() async throws -> [DeploymentIntent] {
        try await writer.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.intentColumns) FROM deployment_intents ORDER BY started_at, rowid")
            ).map(Self.intent(from:))
        }
    }

    /// Hands the intent `id` to `owner` when its owner is `expected` (compare-and-set).
    ///
    /// - Parameters:
    ///   - id: The intent.
    ///   - expected: Its owner now.
    ///   - owner: The new owner.
    /// - Returns: The updated intent, or `nil` when it is gone or owned by another process.
    /// - Throws: A database error.
    public func takeOverDeployment(
        id: String, from expected: DeploymentOwner, to owner: DeploymentOwner
    ) async throws -> DeploymentIntent? {
        try await immediateTransaction { db in
            try db.cachedStatement(
                sql: """
                    UPDATE deployment_intents SET owner_pid = ?, owner_start = ?
                    WHERE id = ? AND owner_pid = ? AND owner_start IS ?
                    """
            ).execute(arguments: [owner.pid, owner.processStart, id, expected.pid, expected.processStart])
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.intentColumns) FROM deployment_intents WHERE id = ?"),
                arguments: [id]
            ).map(Self.intent(from:))
        }
    }

    /// Moves the alias, writes the deployment record and marks the intent committed in one `IMMEDIATE` transaction.
    ///
    /// - Parameters:
    ///   - intent: The intent as begun.
    ///   - reason: Why, for the alias history.
    ///   - at: The time of the move.
    /// - Returns: The recorded change.
    /// - Throws: ``RegistryError/deploymentLost(model:alias:)``, ``RegistryError/aliasConflict(model:alias:expected:actual:)``;
    ///   a database error. Nothing is written when it throws.
    @discardableResult
    public func commitDeployment(_ intent: DeploymentIntent, reason: String?, at: Timestamp) async throws -> AliasChange {
        defer { wakeups?.post(.promotion) }
        return try await immediateTransaction { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT \(Self.intentColumns) FROM deployment_intents WHERE id = ?"),
                    arguments: [intent.id]),
                case let stored = try Self.intent(from: row), stored.owner == intent.owner, stored.state == .pending
            else { throw RegistryError.deploymentLost(model: intent.model, alias: intent.alias) }
            let change = try Self.applyAliasMove(
                db,
                AliasChange(
                    model: stored.model, alias: stored.alias, from: nil, to: stored.to, at: at, reason: reason,
                    actor: stored.actor),
                expectedFrom: .some(stored.from))
            if let path = stored.exportPath {
                try db.cachedStatement(sql: Self.upsertDeploymentSQL).execute(arguments: [
                    stored.model, stored.alias, path, stored.to, at.nanosecondsSince1970, stored.actor,
                ])
            }
            try db.cachedStatement(sql: "UPDATE deployment_intents SET state = ? WHERE id = ?")
                .execute(arguments: [DeploymentIntent.State.committed.rawValue, stored.id])
            return change
        }
    }

    /// Deletes the intent `id` (nothing when it is gone).
    ///
    /// - Parameters:
    ///   - id: The intent.
    /// - Throws: A database error.
    public func endDeployment(id: String) async throws {
        try await writer.writeRetryingWhileBusy { db in
            try db.cachedStatement(sql: "DELETE FROM deployment_intents WHERE id = ?").execute(arguments: [id])
        }
    }

    /// Where `alias` of `model` is exported.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - alias: The alias.
    /// - Returns: The record, or `nil`.
    /// - Throws: A database error.
    public func deployment(model: String, alias: String) async throws -> DeploymentRecord? {
        try await writer.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.deploymentColumns) FROM deployments WHERE model = ? AND alias = ?"),
                arguments: [model, alias]
            ).map(Self.deploymentRecord(from:))
        }
    }

    /// Adds the records whose model and alias have none, in one transaction.
    ///
    /// - Parameters:
    ///   - records: The records to import.
    /// - Returns: How many were added.
    /// - Throws: A database error.
    @discardableResult
    public func importDeployments(_ records: [DeploymentRecord]) async throws -> Int {
        try await immediateTransaction { db in
            var added = 0
            let insert = try db.cachedStatement(
                sql: "INSERT INTO deployments (\(Self.deploymentColumns)) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
            for record in records {
                try insert.execute(arguments: [
                    record.model, record.alias, record.exportPath, record.version, record.at.nanosecondsSince1970,
                    record.actor,
                ])
                added += db.changesCount
            }
            return added
        }
    }

    /// The arguments for the ``intentColumns``.
    static func arguments(for intent: DeploymentIntent) -> StatementArguments {
        [
            intent.id, intent.model, intent.alias, intent.from, intent.to, intent.exportPath, intent.stagedPath,
            intent.backupPath, intent.hadPreviousFile, intent.owner.pid, intent.owner.processStart, intent.actor,
            intent.startedAt.nanosecondsSince1970, intent.state.rawValue,
        ]
    }

    /// An intent from a row of ``intentColumns``.
    static func intent(from row: Row) throws -> DeploymentIntent {
        let stateText: String = try row.decode(atIndex: 13)
        guard let state = DeploymentIntent.State(rawValue: stateText) else {
            throw StoredValueError(
                column: "deployment_intents.state", value: stateText, reason: "not a known deployment intent state")
        }
        return DeploymentIntent(
            id: try row.decode(atIndex: 0),
            model: try row.decode(atIndex: 1),
            alias: try row.decode(atIndex: 2),
            from: try row.decode(atIndex: 3),
            to: try row.decode(atIndex: 4),
            exportPath: try row.decode(atIndex: 5),
            stagedPath: try row.decode(atIndex: 6),
            backupPath: try row.decode(atIndex: 7),
            hadPreviousFile: try row.decode(atIndex: 8),
            owner: DeploymentOwner(pid: try row.decode(atIndex: 9), processStart: try row.decode(atIndex: 10)),
            actor: try row.decode(atIndex: 11),
            startedAt: Timestamp(nanosecondsSince1970: try row.decode(atIndex: 12)),
            state: state)
    }

    /// A record from a row of ``deploymentColumns``.
    static func deploymentRecord(from row: Row) throws -> DeploymentRecord {
        DeploymentRecord(
            model: try row.decode(atIndex: 0),
            alias: try row.decode(atIndex: 1),
            exportPath: try row.decode(atIndex: 2),
            version: try row.decode(atIndex: 3),
            at: Timestamp(nanosecondsSince1970: try row.decode(atIndex: 4)),
            actor: try row.decode(atIndex: 5))
    }
}
