internal import GRDB
public import ModelRegistry
public import PipelineModel

/// A ``RegistryStore`` kept in the same SQLite database file as the runs (`<home>/kiln.db`).
///
/// ```swift
/// let path = SQLiteStateStore.defaultPath(home: home)
/// let registry = ModelRegistryService(store: try SQLiteRegistryStore(path: path))
/// try await registry.promote("fraud", version: 4, reason: "f1 0.93", actor: "cli", at: SystemClock().now)
/// ```
///
/// Registering (which assigns the next version number) and moving an alias (with its compare-and-set and its
/// history record) each run in one `IMMEDIATE` transaction, so several processes sharing the file get distinct,
/// consecutive version numbers and never lose an alias move; a deployment's commit (the alias move, the deployment
/// record and the intent's state) is one such transaction too. The file settings (WAL, `synchronous=NORMAL`, writes
/// that wait for another process's lock) and the migrations are those of ``SQLiteStateStore``: either store can open a file
/// first, and each brings the whole schema up to date (tables `models`, `model_versions`, `aliases`,
/// `alias_history`, from migration `v2-registry`; `deployments` and `deployment_intents`, from `v4-deployments`).
public final class SQLiteRegistryStore: RegistryStore {
    /// The connection (file: a WAL pool; memory: a serial queue).
    let writer: any DatabaseWriter
    /// The database's scheduler wake-ups (`nil` in memory): metric pushes and alias moves are posted.
    let wakeups: LocalWakeFile?

    /// Opens the database at `path`, creating the file and its parent folders when missing.
    ///
    /// - Parameters:
    ///   - path: The database file (``SQLiteStateStore/defaultPath(home:)`` for kiln's), or `":memory:"`.
    /// - Throws: An error when the folder cannot be created, the file cannot be opened as an SQLite database,
    ///   or the schema cannot be migrated (for example, a database written by a newer `kiln`).
    public convenience init(path: String) throws {
        self.init(writer: try StoreDatabase.open(path: path))
    }

    /// Uses the connection of `stateStore`: one process, one pool, one file (or the same in-memory database).
    ///
    /// - Parameters:
    ///   - stateStore: An open state store; the registry's tables are already migrated in its database.
    public convenience init(sharingDatabaseOf stateStore: SQLiteStateStore) {
        self.init(writer: stateStore.writer)
    }

    private init(writer: any DatabaseWriter) {
        self.writer = writer
        self.wakeups = (writer as? DatabasePool).map { LocalWakeFile(databasePath: $0.path) }
    }

    /// A new, empty registry that lives in memory and disappears with the value: for tests.
    ///
    /// - Returns: The store.
    /// - Throws: An error when SQLite cannot open the in-memory database (practically never).
    public static func inMemory() throws -> SQLiteRegistryStore {
        SQLiteRegistryStore(writer: try StoreDatabase.open(path: ":memory:"))
    }

    /// Registers `new` as its model's next version in one `IMMEDIATE` transaction, or returns the version
    /// registered earlier with `idempotencyKey`.
    ///
    /// - Parameters:
    ///   - new: What to register.
    ///   - idempotencyKey: Identifies the registration (`"<run id>/<task id>"`).
    ///   - at: The registration time.
    /// - Returns: The stored version.
    /// - Throws: ``RegistryError`` when `new` is invalid or the key belongs to another model; a database error.
    @discardableResult
    public func register(_ new: NewVersion, idempotencyKey: String, at: Timestamp) async throws -> ModelVersion {
        try await insertVersion(new, idempotencyKey: idempotencyKey, at: at)
    }

    /// Every model, sorted by name, with its versions, aliases and history.
    ///
    /// - Returns: The models.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func models() async throws -> [RegisteredModel] {
        try await readModels(named: nil)
    }

    /// The model `name`, or `nil` when it is not registered.
    ///
    /// - Parameters:
    ///   - name: The model's name.
    /// - Returns: The model with its versions, aliases and history.
    /// - Throws: ``StoredValueError`` when a stored row cannot be read; a database error.
    public func model(named name: String) async throws -> RegisteredModel? {
        try await readModels(named: name).first
    }

    /// Version `number` of `model`, or `nil` when either is unknown.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - number: The version number.
    /// - Returns: The version.
    /// - Throws: ``StoredValueError`` when the stored row cannot be read; a database error.
    public func version(model: String, number: Int) async throws -> ModelVersion? {
        try await readVersion(model: model, number: number)
    }

    /// Moves (or removes) an alias and records the move in one `IMMEDIATE` transaction.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - alias: The alias name.
    ///   - to: The version to point at, or `nil` to remove the alias.
    ///   - expectedFrom: `nil`, or the version (`.some(nil)`: none) the alias must point at now.
    ///   - reason: Why, if given.
    ///   - actor: Who moves it.
    ///   - at: The time.
    /// - Returns: The change (not recorded when the alias already pointed at `to`).
    /// - Throws: ``RegistryError`` for invalid or unknown names, unknown versions and compare-and-set conflicts
    ///   (nothing is written); a database error.
    @discardableResult
    public func moveAlias(
        model: String, alias: String, to: Int?, expectedFrom: Int??, reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange {
        try await writeAliasMove(
            AliasChange(model: model, alias: alias, from: nil, to: to, at: at, reason: reason, actor: actor),
            expectedFrom: expectedFrom)
    }

    /// Every alias move of `model`, oldest first; empty for an unknown model.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    /// - Returns: The history.
    /// - Throws: A database error.
    public func aliasHistory(model: String) async throws -> [AliasChange] {
        try await readHistory(model: model)
    }
}
