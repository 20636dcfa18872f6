internal import Logging
public import ModelRegistry
public import PipelineModel
import PipelineScheduler
internal import PostgresNIO

// Deployment intents and export records (tables `deployment_intents` and `deployments`). Writes that check before
// they write lock the model's row first (PostgresRegistryStore.lockAndCheck); the unique constraints on
// (model, alias) and export_path settle races between models.
extension PostgresRegistryStore {
    /// `deployment_intents` columns, in insert and select order.
    static let intentColumns = """
        id, model, alias, from_version, to_version, export_path, staged_path, backup_path, had_previous_file, \
        owner_pid, owner_start, actor, started_at, state
        """

    /// `deployments` columns, in insert and select order.
    static let deploymentColumns = "model, alias, export_path, version, at, actor"

    /// Records a pending intent after checking names, the target version, other intents and the alias, in one
    /// transaction.
    ///
    /// - Throws: ``RegistryError`` (invalid or unknown names, unknown version, another deployment in progress, an alias
    ///   that moved); ``PostgresStoreError``. Nothing is written when it throws.
    public func beginDeployment(_ intent: DeploymentIntent) async throws {
        try RegistryNames.checkAliasName(intent.alias)
        let logger = logger
        let insert: PostgresQuery = """
            INSERT INTO deployment_intents (\(unescaped: Self.intentColumns)) VALUES (\(intent.id), \(intent.model),
                \(intent.alias), \(intent.from), \(intent.to), \(intent.exportPath), \(intent.stagedPath),
                \(intent.backupPath), \(intent.hadPreviousFile), \(Int64(intent.owner.pid)), \(intent.owner.processStart),
                \(intent.actor), \(intent.startedAt.nanosecondsSince1970), \(DeploymentIntent.State.pending.rawValue))
            ON CONFLICT DO NOTHING
            RETURNING id
            """
        try await database.transaction("begin deploying \(intent.model)@\(intent.alias)") { connection in
            try await Self.lockAndCheck(model: intent.model, version: intent.to, connection, logger)
            try await Self.throwIfHeld(intent, connection, logger)
            let current = try await Self.aliasTarget(model: intent.model, alias: intent.alias, connection, logger)
            guard current == intent.from else {
                throw RegistryError.aliasConflict(
                    model: intent.model, alias: intent.alias, expected: intent.from, actual: current)
            }
            guard try await connection.count(insert, logger: logger) > 0 else {
                // An intent of another model for the same export path was committed meanwhile.
                try await Self.throwIfHeld(intent, connection, logger)
                throw RegistryError.deploymentInProgress(model: intent.model, alias: intent.alias, holder: intent)
            }
        }
    }

    /// Throws ``RegistryError/deploymentInProgress(model:alias:holder:)`` when an intent holds `intent`'s alias, export
    /// path or id.
    private static func throwIfHeld(_ intent: DeploymentIntent, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let holder = try await connection.rows(
            """
            SELECT \(unescaped: intentColumns) FROM deployment_intents
            WHERE (model = \(intent.model) AND alias = \(intent.alias)) OR export_path = \(intent.exportPath) OR id = \(intent.id)
            ORDER BY started_at, seq LIMIT 1
            """, logger: logger)
        if let row = holder.first {
            throw RegistryError.deploymentInProgress(model: intent.model, alias: intent.alias, holder: try Self.intent(from: row))
        }
    }

    /// Every intent, oldest first.
    /// - Throws: ``PostgresStoreError``.
    public func deploymentIntents() async throws -> [DeploymentIntent] {
        try await database.rows(
            "list deployment intents", "SELECT \(unescaped: Self.intentColumns) FROM deployment_intents ORDER BY started_at, seq"
        ).map(Self.intent(from:))
    }

    /// Hands the intent `id` to `owner` when its owner is `expected` (compare-and-set).
    ///
    /// - Returns: The updated intent, or `nil` when it is gone or owned by another process.
    /// - Throws: ``PostgresStoreError``.
    public func takeOverDeployment(
        id: String, from expected: DeploymentOwner, to owner: DeploymentOwner
    ) async throws -> DeploymentIntent? {
        try await database.rows(
            "take over deployment \(id)",
            """
            UPDATE deployment_intents SET owner_pid = \(Int64(owner.pid)), owner_start = \(owner.processStart)
            WHERE id = \(id) AND owner_pid = \(Int64(expected.pid)) AND owner_start IS NOT DISTINCT FROM \(expected.processStart)
            RETURNING \(unescaped: Self.intentColumns)
            """
        ).first.map(Self.intent(from:))
    }

    /// Moves the alias, writes the deployment record and marks the intent committed in one transaction.
    ///
    /// - Returns: The recorded change.
    /// - Throws: ``RegistryError/deploymentLost(model:alias:)``, ``RegistryError/aliasConflict(model:alias:expected:actual:)``;
    ///   ``PostgresStoreError``. Nothing is written when it throws.
    @discardableResult
    public func commitDeployment(_ intent: DeploymentIntent, reason: String?, at: Timestamp) async throws -> AliasChange {
        let logger = logger
        let signal = database.notify(.promotion)
        return try await database.transaction("commit deploying \(intent.model)@\(intent.alias)") { connection in
            guard
                let row = try await connection.rows(
                    "SELECT \(unescaped: Self.intentColumns) FROM deployment_intents WHERE id = \(intent.id) FOR UPDATE",
                    logger: logger
                ).first,
                case let stored = try Self.intent(from: row), stored.owner == intent.owner, stored.state == .pending
            else { throw RegistryError.deploymentLost(model: intent.model, alias: intent.alias) }
            let change = try await Self.applyAliasMove(
                AliasChange(
                    model: stored.model, alias: stored.alias, from: nil, to: stored.to, at: at, reason: reason,
                    actor: stored.actor),
                expectedFrom: .some(stored.from), connection, logger)
            if let path = stored.exportPath {
                try await connection.run(
                    """
                    INSERT INTO deployments (\(unescaped: Self.deploymentColumns)) VALUES (\(stored.model), \(stored.alias),
                        \(path), \(stored.to), \(at.nanosecondsSince1970), \(stored.actor))
                    ON CONFLICT (model, alias) DO UPDATE SET export_path = excluded.export_path, version = excluded.version,
                        at = excluded.at, actor = excluded.actor
                    """, logger: logger)
            }
            try await connection.run(
                "UPDATE deployment_intents SET state = \(DeploymentIntent.State.committed.rawValue) WHERE id = \(stored.id)",
                logger: logger)
            try await connection.run(signal, logger: logger)
            return change
        }
    }

    /// Deletes the intent `id` (nothing when it is gone).
    /// - Throws: ``PostgresStoreError``.
    public func endDeployment(id: String) async throws {
        _ = try await database.rows("end deployment \(id)", "DELETE FROM deployment_intents WHERE id = \(id)")
    }

    /// Where `alias` of `model` is exported, or `nil`.
    /// - Throws: ``PostgresStoreError``.
    public func deployment(model: String, alias: String) async throws -> DeploymentRecord? {
        try await database.rows(
            "read the deployment of \(model)@\(alias)",
            "SELECT \(unescaped: Self.deploymentColumns) FROM deployments WHERE model = \(model) AND alias = \(alias)"
        ).first.map(Self.deploymentRecord(from:))
    }

    /// Adds the records whose model and alias have none, in one transaction.
    /// - Returns: How many were added.
    /// - Throws: ``PostgresStoreError``.
    @discardableResult
    public func importDeployments(_ records: [DeploymentRecord]) async throws -> Int {
        let inserts: [PostgresQuery] = records.map { record in
            """
            INSERT INTO deployments (\(unescaped: Self.deploymentColumns)) VALUES (\(record.model), \(record.alias),
                \(record.exportPath), \(record.version), \(record.at.nanosecondsSince1970), \(record.actor))
            ON CONFLICT DO NOTHING RETURNING model
            """
        }
        let logger = logger
        return try await database.transaction("import deployment records") { connection in
            var added = 0
            for insert in inserts { added += try await connection.count(insert, logger: logger) }
            return added
        }
    }

    /// An intent from a row of ``intentColumns``.
    static func intent(from row: PostgresRow) throws -> DeploymentIntent {
        let cells = row.makeRandomAccess()
        let stateText = try cells[13].decode(String.self)
        guard let state = DeploymentIntent.State(rawValue: stateText) else {
            throw PostgresStoreError.unreadable(
                column: "deployment_intents.state", value: stateText, reason: "not a known deployment intent state")
        }
        return DeploymentIntent(
            id: try cells[0].decode(String.self),
            model: try cells[1].decode(String.self),
            alias: try cells[2].decode(String.self),
            from: try cells[3].decode(Int?.self),
            to: try cells[4].decode(Int.self),
            exportPath: try cells[5].decode(String?.self),
            stagedPath: try cells[6].decode(String?.self),
            backupPath: try cells[7].decode(String?.self),
            hadPreviousFile: try cells[8].decode(Bool.self),
            owner: DeploymentOwner(pid: Int32(truncatingIfNeeded: try cells[9].decode(Int64.self)), processStart: try cells[10].decode(Int64?.self)),
            actor: try cells[11].decode(String.self),
            startedAt: Timestamp(nanosecondsSince1970: try cells[12].decode(Int64.self)),
            state: state)
    }

    /// A record from a row of ``deploymentColumns``.
    static func deploymentRecord(from row: PostgresRow) throws -> DeploymentRecord {
        let cells = row.makeRandomAccess()
        return DeploymentRecord(
            model: try cells[0].decode(String.self),
            alias: try cells[1].decode(String.self),
            exportPath: try cells[2].decode(String.self),
            version: try cells[3].decode(Int?.self),
            at: Timestamp(nanosecondsSince1970: try cells[4].decode(Int64.self)),
            actor: try cells[5].decode(String.self))
    }
}
