public import PipelineModel

/// The registry's operations on top of a ``RegistryStore``: promote, roll back, and resolve references.
///
/// ```swift
/// let registry = ModelRegistryService(store: store)
/// try await registry.promote("fraud", version: 4, reason: "f1 0.93", actor: "cli", at: clock.now)
/// try await registry.rollback("fraud", reason: "alerts on 4", actor: "cli", at: clock.now)   // back to 3
/// let serving = try await registry.resolve("fraud@production")
/// ```
public struct ModelRegistryService: Sendable {
    /// Where the registry is kept.
    public let store: any RegistryStore

    /// Creates the service on `store`.
    ///
    /// - Parameters:
    ///   - store: The registry's store.
    public init(store: any RegistryStore) {
        self.store = store
    }

    /// Registers `new` as its model's next version; see ``RegistryStore/register(_:idempotencyKey:at:)``.
    ///
    /// - Parameters:
    ///   - new: What to register.
    ///   - idempotencyKey: `"<run id>/<task id>"` for a pipeline task: a resumed run gets its earlier version back.
    ///   - at: The registration time.
    /// - Returns: The registered version.
    /// - Throws: ``RegistryError`` when `new` is invalid or the key belongs to another model.
    @discardableResult
    public func register(_ new: NewVersion, idempotencyKey: String, at: Timestamp) async throws -> ModelVersion {
        try await store.register(new, idempotencyKey: idempotencyKey, at: at)
    }

    /// The model `name`.
    ///
    /// - Parameters:
    ///   - name: The model's name.
    /// - Returns: The model with its versions, aliases and history.
    /// - Throws: ``RegistryError/unknownModel(_:)`` when it is not registered.
    public func model(_ name: String) async throws -> RegisteredModel {
        guard let model = try await store.model(named: name) else { throw RegistryError.unknownModel(name) }
        return model
    }

    /// Points `alias` (by default `production`) of `model` at `version`, recording who did it and why.
    ///
    /// Promoting the version the alias already points at changes and records nothing.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - version: The version to serve.
    ///   - alias: The alias to move.
    ///   - reason: Why, for the audit history.
    ///   - actor: Who promotes (`cli`, `run <run id>/<task id>`).
    ///   - at: The time, from the caller's clock.
    /// - Returns: The recorded change (with the version the alias left).
    /// - Throws: ``RegistryError`` when the model, version or alias name is unknown or invalid.
    @discardableResult
    public func promote(
        _ model: String, version: Int, alias: String = RegistryNames.production, reason: String? = nil,
        actor: String, at: Timestamp
    ) async throws -> AliasChange {
        try RegistryNames.checkAliasName(alias)
        let registered = try await self.model(model)
        guard registered.version(version) != nil else {
            throw RegistryError.unknownVersion(model: model, version: version, latest: registered.latest?.version ?? 0)
        }
        return try await store.moveAlias(
            model: model, alias: alias, to: version, expectedFrom: nil, reason: reason, actor: actor, at: at)
    }

    /// Moves `alias` (by default `production`) of `model` back: to `version`, or, without one, to the version it
    /// pointed at before its last move.
    ///
    /// A rollback is a move like any other, so a second rollback without a target undoes the first. The move is a
    /// compare-and-set on the version the alias pointed at when the rollback read it.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - alias: The alias to move back.
    ///   - version: The version to restore, or `nil` for the one before the last move.
    ///   - reason: Why; without one, the history says `rolled back from version N`.
    ///   - actor: Who rolls back.
    ///   - at: The time, from the caller's clock.
    /// - Returns: The recorded change.
    /// - Throws: ``RegistryError/neverMoved(model:alias:)`` or ``RegistryError/noPreviousVersion(model:alias:current:)``
    ///   when there is nothing to restore; ``RegistryError/aliasConflict(model:alias:expected:actual:)`` when another
    ///   process moved the alias meanwhile; ``RegistryError`` for unknown names and versions.
    @discardableResult
    public func rollback(
        _ model: String, alias: String = RegistryNames.production, to version: Int? = nil, reason: String? = nil,
        actor: String, at: Timestamp
    ) async throws -> AliasChange {
        let plan = try await rollbackPlan(model, alias: alias, to: version, reason: reason)
        return try await store.moveAlias(
            model: model, alias: alias, to: plan.target, expectedFrom: .some(plan.current), reason: plan.reason,
            actor: actor, at: at)
    }

    /// What ``rollback(_:alias:to:reason:actor:at:)`` would do, without doing it: the version the alias points at
    /// now, the version it would move to, and the reason it would record.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - alias: The alias to move back.
    ///   - version: The version to restore, or `nil` for the one before the last move.
    ///   - reason: Why; without one, `rolled back from version N`.
    /// - Returns: The current version (the compare-and-set's expectation), the target and the reason.
    /// - Throws: The errors of ``rollback(_:alias:to:reason:actor:at:)`` that come before the move.
    public func rollbackPlan(
        _ model: String, alias: String = RegistryNames.production, to version: Int? = nil, reason: String? = nil
    ) async throws -> (current: Int?, target: Int, reason: String) {
        try RegistryNames.checkAliasName(alias)
        let registered = try await self.model(model)
        let current = registered.aliases[alias]
        let target: Int
        if let version {
            guard registered.version(version) != nil else {
                throw RegistryError.unknownVersion(model: model, version: version, latest: registered.latest?.version ?? 0)
            }
            target = version
        } else {
            guard let last = registered.history.last(where: { $0.alias == alias }) else {
                throw RegistryError.neverMoved(model: model, alias: alias)
            }
            guard let previous = last.from else {
                throw RegistryError.noPreviousVersion(model: model, alias: alias, current: current)
            }
            target = previous
        }
        return (current, target, reason ?? current.map { "rolled back from version \($0)" } ?? "rolled back")
    }

    /// The version `reference` names: `NAME` (its `production` version), `NAME@ALIAS` or `NAME@VERSION`.
    ///
    /// - Parameters:
    ///   - reference: The reference text, as a pipeline's `model:` input or the CLI takes it.
    /// - Returns: The version.
    /// - Throws: ``RegistryError/invalidReference(_:)`` for malformed text; ``RegistryError/unknownModel(_:)``,
    ///   ``RegistryError/unknownAlias(model:alias:aliases:)`` or ``RegistryError/unknownVersion(model:version:latest:)``.
    public func resolve(_ reference: String) async throws -> ModelVersion {
        try await resolve(ModelReference(parsing: reference))
    }

    /// The version `reference` names.
    ///
    /// - Parameters:
    ///   - reference: A parsed reference.
    /// - Returns: The version.
    /// - Throws: ``RegistryError`` when the model, alias or version does not exist.
    public func resolve(_ reference: ModelReference) async throws -> ModelVersion {
        let registered = try await model(reference.model)
        let number: Int
        switch reference.selector {
        case .version(let version): number = version
        case .alias(let alias):
            guard let target = registered.aliases[alias] else {
                throw RegistryError.unknownAlias(
                    model: reference.model, alias: alias, aliases: registered.aliases.keys.sorted())
            }
            number = target
        }
        guard let version = registered.version(number) else {
            throw RegistryError.unknownVersion(
                model: reference.model, version: number, latest: registered.latest?.version ?? 0)
        }
        return version
    }
}
