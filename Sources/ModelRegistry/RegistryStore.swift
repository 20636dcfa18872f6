public import PipelineModel

/// Where models, their versions, aliases and alias history are kept: the port every registry backend implements.
///
/// Reads of unknown names return `nil` or nothing; writes check names and references and throw ``RegistryError``.
/// Backends must pass `RegistryStoreConformance` (in `PipelineTesting`).
///
/// ```swift
/// let version = try await store.register(new, idempotencyKey: "\(runID)/\(taskID)", at: clock.now)
/// try await store.moveAlias(
///     model: "fraud", alias: "production", to: version.version, expectedFrom: .some(previous),
///     reason: "f1 0.91 > 0.88", actor: "run \(runID)/deploy", at: clock.now)
/// ```
public protocol RegistryStore: Sendable {
    /// Registers `new` as the next version of its model (creating the model with version 1), atomically.
    ///
    /// When a version with `idempotencyKey` exists, nothing is written and that version is returned, so a
    /// resumed run that registers again gets the version it registered before. The engine passes
    /// `"<run id>/<task id>"`.
    ///
    /// - Parameters:
    ///   - new: What to register.
    ///   - idempotencyKey: Identifies the registration; one key registers at most one version.
    ///   - at: The registration time, from the caller's clock.
    /// - Returns: The new version, or the one registered earlier with `idempotencyKey`.
    /// - Throws: The errors of ``NewVersion/validate()``; ``RegistryError/idempotencyKeyReused(key:existing:requested:)``
    ///   when the key registered a version of another model.
    @discardableResult
    func register(_ new: NewVersion, idempotencyKey: String, at: Timestamp) async throws -> ModelVersion

    /// Every model, sorted by name, with its versions, aliases and history.
    func models() async throws -> [RegisteredModel]

    /// The model `name`, or `nil` when it is not registered.
    func model(named name: String) async throws -> RegisteredModel?

    /// Version `number` of `model`, or `nil` when either is unknown.
    func version(model: String, number: Int) async throws -> ModelVersion?

    /// Points `alias` of `model` at version `to` (or removes it when `to` is `nil`) and records the move, atomically.
    ///
    /// Moving an alias to the version it already points at changes and records nothing; the returned change
    /// then has equal `from` and `to`.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - alias: The alias name (see ``RegistryNames``).
    ///   - to: The version to point at, or `nil` to remove the alias.
    ///   - expectedFrom: `nil` to move unconditionally; otherwise the version (or `.some(nil)`: no version) the alias
    ///     must point at now — a compare-and-set that detects another process's move.
    ///   - reason: Why, if given.
    ///   - actor: Who moves it (`cli`, `run <run id>/<task id>`).
    ///   - at: The time, from the caller's clock.
    /// - Returns: The recorded change.
    /// - Throws: ``RegistryError/invalidAliasName(_:)``, ``RegistryError/unknownModel(_:)``,
    ///   ``RegistryError/unknownVersion(model:version:latest:)``, ``RegistryError/unknownAlias(model:alias:aliases:)``
    ///   (removing an alias that does not exist), ``RegistryError/aliasConflict(model:alias:expected:actual:)``;
    ///   nothing is written when it throws.
    @discardableResult
    func moveAlias(
        model: String, alias: String, to: Int?, expectedFrom: Int??, reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange

    /// Every move of every alias of `model`, oldest first; empty for an unknown model.
    func aliasHistory(model: String) async throws -> [AliasChange]

    // MARK: Deployments (write-ahead intents and export records)

    /// Records `intent` (in state ``DeploymentIntent/State-swift.enum/pending``) before a deployment touches any file.
    ///
    /// The check and the insert are one atomic step: at most one intent exists per model and alias and per export
    /// path, so deployments of one alias or one file are serialized.
    ///
    /// - Parameters:
    ///   - intent: The deployment about to start.
    /// - Throws: ``RegistryError/invalidAliasName(_:)``, ``RegistryError/unknownModel(_:)``,
    ///   ``RegistryError/unknownVersion(model:version:latest:)`` (for `intent.to`);
    ///   ``RegistryError/aliasConflict(model:alias:expected:actual:)`` when the alias no longer points at `intent.from`;
    ///   ``RegistryError/deploymentInProgress(model:alias:holder:)`` when another intent holds the alias or the export
    ///   path. Nothing is written when it throws.
    func beginDeployment(_ intent: DeploymentIntent) async throws

    /// Every deployment intent, oldest first.
    func deploymentIntents() async throws -> [DeploymentIntent]

    /// Hands the intent `id` to `owner` when its owner is still `expected` (a compare-and-set), so that of several
    /// processes recovering an abandoned deployment only one acts on its files.
    ///
    /// - Parameters:
    ///   - id: The intent.
    ///   - expected: The owner it must have now.
    ///   - owner: The new owner.
    /// - Returns: The intent with its new owner, or `nil` when it is gone or has another owner.
    func takeOverDeployment(id: String, from expected: DeploymentOwner, to owner: DeploymentOwner) async throws
        -> DeploymentIntent?

    /// In one transaction: moves the alias from `intent.from` to `intent.to` (compare-and-set, recorded in the
    /// history like ``moveAlias(model:alias:to:expectedFrom:reason:actor:at:)``), writes the ``DeploymentRecord`` of
    /// `intent.exportPath` (when it has one), and marks the intent ``DeploymentIntent/State-swift.enum/committed``.
    ///
    /// - Parameters:
    ///   - intent: The intent as begun (its `id` and `owner` must match the stored one, which must be pending).
    ///   - reason: Why, for the alias history.
    ///   - at: The time of the move.
    /// - Returns: The recorded change (equal `from` and `to` when the alias already pointed at `intent.to`).
    /// - Throws: ``RegistryError/deploymentLost(model:alias:)`` when the intent is gone, committed or owned by another
    ///   process; ``RegistryError/aliasConflict(model:alias:expected:actual:)`` when the alias moved meanwhile.
    ///   Nothing is written when it throws.
    @discardableResult
    func commitDeployment(_ intent: DeploymentIntent, reason: String?, at: Timestamp) async throws -> AliasChange

    /// Deletes the intent `id` once its files are settled; nothing happens when it is gone.
    func endDeployment(id: String) async throws

    /// Where `alias` of `model` is exported, or `nil` when it never was.
    func deployment(model: String, alias: String) async throws -> DeploymentRecord?

    /// Adds `records` for the model and alias pairs that have none yet (an import of older files; existing records win).
    ///
    /// - Returns: How many records were added.
    @discardableResult
    func importDeployments(_ records: [DeploymentRecord]) async throws -> Int
}
