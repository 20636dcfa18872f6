import Foundation
public import ModelRegistry
public import PipelineEngine
public import PipelineModel

/// Moves a model alias together with its exported file, all or nothing, even across a crash.
///
/// A deployment is write-ahead: the deployer first records a ``DeploymentIntent`` in the registry (which also
/// serializes deployments of one alias and of one file), then stages the new file beside the export path and syncs
/// it, swaps it in with one rename (keeping the old file as a hard link at the recorded backup path), runs the
/// `on_deploy` hook, and then, in **one** registry transaction, moves the alias (compare-and-set on the version the
/// deployment started from), writes the ``DeploymentRecord`` and marks the intent committed. Last, it removes the
/// backup and deletes the intent. A failure before that transaction puts the old file back and deletes the intent;
/// the alias never moved. After a crash at any point, ``recover(at:)`` makes the file and the alias agree again.
///
/// An alias that was deployed with an export path keeps its file in step with every later move through the
/// deployer (a deployment without `export_to`, `kiln models promote`, a rollback): the recorded path is used.
public struct Deployer: Sendable {
    /// The registry whose aliases move (and where intents and deployment records are kept).
    public let registry: ModelRegistryService
    /// Where model files are.
    public let artifacts: any ArtifactStore
    /// A `deployments.json` written by an older version, imported into the registry by ``recover(at:)``.
    public let legacyLedgerPath: String?
    /// For tests: stop with ``SimulatedCrash`` after this step, skipping every cleanup, as a killed process would.
    package var crashPoint: DeploymentStep?

    /// Creates a deployer.
    ///
    /// - Parameters:
    ///   - registry: The registry.
    ///   - artifacts: Where model files are.
    ///   - legacyLedgerPath: `<home>/deployments.json` of an older version, to import once, or `nil`.
    public init(registry: ModelRegistryService, artifacts: any ArtifactStore, legacyLedgerPath: String? = nil) {
        self.registry = registry
        self.artifacts = artifacts
        self.legacyLedgerPath = legacyLedgerPath
    }

    /// Points `alias` of `model` at `version`, exporting its file to `exportPath` and running `hook` before the
    /// alias moves.
    ///
    /// Abandoned deployments are recovered first (``recover(at:)``).
    ///
    /// - Parameters:
    ///   - model: The model.
    ///   - version: The version to deploy.
    ///   - alias: The alias to move (usually `production`).
    ///   - exportPath: An absolute path to write the model file to; `nil` uses the alias's recorded export path, if any.
    ///   - expectedFrom: The version the caller saw the alias at (`.some(nil)`: none) — the deploy gate's
    ///     production — which the alias's compare-and-set then expects; `nil` takes the alias as it is now.
    ///   - hook: Runs after the file is in place and before the alias moves; throwing undoes the file.
    ///   - reason: For the alias history.
    ///   - actor: Who deploys.
    ///   - at: When.
    /// - Returns: The alias change.
    /// - Throws: ``RegistryError`` (unknown names, ``RegistryError/aliasConflict(model:alias:expected:actual:)`` when
    ///   the alias is not at `expectedFrom` or moves meanwhile, ``RegistryError/deploymentInProgress(model:alias:holder:)``),
    ///   ``DeploymentError`` or the hook's error; the alias and the file are as they were in that case.
    @discardableResult
    public func deploy(
        model: String, version: Int, alias: String, exportPath: String?, expectedFrom: Int?? = nil,
        hook: () async throws -> Void, reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange {
        try RegistryNames.checkAliasName(alias)
        try await recover(at: at)
        let registered = try await registry.model(model)
        guard let candidate = registered.version(version) else {
            throw RegistryError.unknownVersion(model: model, version: version, latest: registered.latest?.version ?? 0)
        }
        let current = registered.aliases[alias]
        if let expectedFrom, expectedFrom != current {
            throw RegistryError.aliasConflict(model: model, alias: alias, expected: expectedFrom, actual: current)
        }
        return try await carryOut(
            model: model, alias: alias, from: current, to: candidate, exportPath: exportPath, hook: hook, reason: reason,
            actor: actor, at: at)
    }

    /// Moves `alias` of `model` back (to `version`, or to where it pointed before its last move) and restores the
    /// exported file the alias was deployed to, if any — by the same write-ahead protocol as ``deploy(model:version:alias:exportPath:expectedFrom:hook:reason:actor:at:)``.
    ///
    /// - Parameters:
    ///   - model: The model.
    ///   - alias: The alias to move back.
    ///   - version: The version to restore, or `nil` for the one before the alias's last move.
    ///   - reason: For the alias history (default `rolled back from version N`).
    ///   - actor: Who rolls back.
    ///   - at: When.
    /// - Returns: The alias change.
    /// - Throws: The errors of ``ModelRegistryService/rollback(_:alias:to:reason:actor:at:)`` and of a deployment.
    @discardableResult
    public func rollback(
        model: String, alias: String, to version: Int?, reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange {
        try RegistryNames.checkAliasName(alias)
        try await recover(at: at)
        let plan = try await registry.rollbackPlan(model, alias: alias, to: version, reason: reason)
        let registered = try await registry.model(model)
        guard let target = registered.version(plan.target) else {
            throw RegistryError.unknownVersion(model: model, version: plan.target, latest: registered.latest?.version ?? 0)
        }
        return try await carryOut(
            model: model, alias: alias, from: plan.current, to: target, exportPath: nil, hook: {}, reason: plan.reason,
            actor: actor, at: at)
    }

    /// Makes every exported file and its alias agree again after a crash, and removes leftover files.
    ///
    /// First imports a legacy `deployments.json` (once; it is then renamed `deployments.json.imported`). Then, for each
    /// deployment intent whose process is gone (or, in this process, no longer carried out): a pending one — the
    /// alias never moved — gets the old file put back (or the new file removed when there was none before) and its
    /// staged file removed; a committed one — the alias moved — only gets its backup and staged file removed. Each
    /// intent is taken over with a compare-and-set first, so of several recovering processes one acts, and it is
    /// deleted last, so a recovery interrupted by another crash is simply repeated. Deployments still running are
    /// left alone.
    ///
    /// - Parameters:
    ///   - at: The time, for imported records.
    /// - Returns: One line per thing repaired, for the log; empty when there was nothing to do.
    /// - Throws: ``DeploymentError`` when a file cannot be put back (the intent is kept, so the next recovery tries
    ///   again) or the legacy file is not valid JSON; a registry error.
    @discardableResult
    public func recover(at: Timestamp) async throws -> [String] {
        var report: [String] = []
        if let legacyLedgerPath {
            report += try await LegacyDeployments.importLedger(at: legacyLedgerPath, into: registry.store, at: at)
        }
        var failures: [String] = []
        for intent in try await registry.store.deploymentIntents() where !DeploymentProcess.isRunning(intent) {
            guard DeploymentProcess.claim(intent.id) else { continue }
            defer { DeploymentProcess.release(intent.id) }
            do {
                if let line = try await recover(intent) { report.append(line) }
            } catch {
                failures.append("\(intent.model) \(intent.alias): \(error)")
            }
        }
        if !failures.isEmpty {
            throw DeploymentError(
                "cannot recover an interrupted deployment: \(failures.joined(separator: "; ")); fix the cause (the "
                    + "deployment is kept and recovery runs again before the next deployment, at `kiln resume` and at "
                    + "`kiln serve`)")
        }
        return report
    }

    /// Takes over one abandoned intent and settles it; `nil` when another process took it first.
    private func recover(_ intent: DeploymentIntent) async throws -> String? {
        guard let claimed = try await registry.store.takeOverDeployment(
            id: intent.id, from: intent.owner, to: DeploymentProcess.current)
        else { return nil }
        let what = "\(claimed.model) \(claimed.alias): the deployment of version \(claimed.to) by \(claimed.actor) "
            + "(\(claimed.owner == intent.owner ? "" : "\(intent.owner), ")started \(claimed.startedAt.iso8601))"
        let line: String
        switch claimed.state {
        case .pending:
            try DeploymentFiles.restore(claimed)
            var file = ""
            if let exportPath = claimed.exportPath {
                file = claimed.hadPreviousFile
                    ? "; the previous file is back at \(exportPath)"
                    : "; removed the new file \(exportPath) (there was none before)"
            }
            line = "\(what) stopped before the alias moved, which stays at \(Self.version(claimed.from))\(file)"
        case .committed:
            try DeploymentFiles.settle(claimed)
            line = "\(what) stopped after the alias moved; removed its leftover files"
        }
        try await registry.store.endDeployment(id: claimed.id)
        return line
    }

    /// The write-ahead protocol, from the intent to its deletion.
    private func carryOut(
        model: String, alias: String, from: Int?, to candidate: ModelVersion, exportPath requested: String?,
        hook: () async throws -> Void, reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange {
        let version = candidate.version
        var exportPath = requested
        if exportPath == nil { exportPath = try await registry.store.deployment(model: model, alias: alias)?.exportPath }
        let source = exportPath == nil ? nil : try await artifacts.localPath(for: candidate.artifact)
        let paths = exportPath.map(DeploymentFiles.paths(for:))
        let hadPreviousFile = exportPath.map(DeploymentFiles.exists) ?? false
        let intent = DeploymentIntent(
            id: DeploymentProcess.nextIntentID(at: at), model: model, alias: alias, from: from, to: version,
            exportPath: exportPath, stagedPath: paths?.staged, backupPath: paths?.backup, hadPreviousFile: hadPreviousFile,
            owner: DeploymentProcess.current, actor: actor, startedAt: at)
        _ = DeploymentProcess.claim(intent.id)
        // Released on every way out — a simulated crash included: the "process" no longer carries the intent out.
        defer { DeploymentProcess.release(intent.id) }
        try await registry.store.beginDeployment(intent)
        // Only a deployment holding the intent of a path writes it, so the file cannot change from here on; a
        // deployment that finished just before this one began could have created it, though.
        if let exportPath, DeploymentFiles.exists(exportPath) != hadPreviousFile {
            try await registry.store.endDeployment(id: intent.id)
            throw DeploymentError(
                "\(exportPath) was \(hadPreviousFile ? "removed" : "created") by another deployment while this one started; try again")
        }
        let change: AliasChange
        do {
            try checkpoint(.intentRecorded)
            if let exportPath, let source, let paths {
                try DeploymentFiles.stage(copyOf: source, at: paths.staged)
                try checkpoint(.fileStaged)
                try DeploymentFiles.swap(
                    exportPath: exportPath, staged: paths.staged, backup: paths.backup, keepingOld: hadPreviousFile)
                try checkpoint(.fileSwapped)
            }
            try await hook()
            try checkpoint(.hookRan)
            change = try await registry.store.commitDeployment(intent, reason: reason, at: at)
        } catch let crash as SimulatedCrash {
            throw crash
        } catch RegistryError.deploymentLost(let model, let alias) {
            // Recovered by another process as abandoned: the files are no longer this deployment's to touch.
            throw RegistryError.deploymentLost(model: model, alias: alias)
        } catch {
            do {
                try DeploymentFiles.restore(intent)
                try await registry.store.endDeployment(id: intent.id)
            } catch let undoError {
                throw DeploymentError(
                    "\(error); then putting the previous file back failed too (\(undoError)); the next deployment, "
                        + "`kiln resume` or `kiln serve` will try again")
            }
            throw error
        }
        try checkpoint(.aliasCommitted)
        // Committed: the alias and the file agree. What cannot be removed now, the next recovery removes.
        if (try? DeploymentFiles.settle(intent)) != nil { try? await registry.store.endDeployment(id: intent.id) }
        return change
    }

    private func checkpoint(_ step: DeploymentStep) throws {
        if step == crashPoint { throw SimulatedCrash(step: step) }
    }

    private static func version(_ number: Int?) -> String { number.map { "version \($0)" } ?? "no version" }
}
