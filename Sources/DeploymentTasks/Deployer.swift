import Foundation
public import ModelRegistry
public import PipelineEngine
public import PipelineModel

/// Moves a model alias together with its exported file, all or nothing.
///
/// Deployment order: stage the new file beside the export path, swap it in atomically (keeping a hard link to the
/// old one), run the `on_deploy` hook, and move the alias last (compare-and-set on the version it pointed at).
/// If any step fails, the old file is put back and the alias is untouched, so production keeps serving the last
/// good model.
public struct Deployer: Sendable {
    /// The registry whose aliases move.
    public let registry: ModelRegistryService
    /// Where model files are.
    public let artifacts: any ArtifactStore
    /// Where export paths are remembered (for rollbacks).
    public let ledger: DeploymentLedger?

    /// Creates a deployer.
    public init(registry: ModelRegistryService, artifacts: any ArtifactStore, ledger: DeploymentLedger?) {
        self.registry = registry
        self.artifacts = artifacts
        self.ledger = ledger
    }

    /// Points `alias` of `model` at `version`, exporting its file to `exportPath` and running `hook` first.
    ///
    /// - Parameters:
    ///   - model: The model.
    ///   - version: The version to deploy.
    ///   - alias: The alias to move (usually `production`).
    ///   - exportPath: An absolute path to write the model file to, or `nil`.
    ///   - hook: Runs after the file is in place and before the alias moves; throwing undoes the file.
    ///   - reason: For the alias history.
    ///   - actor: Who deploys.
    ///   - at: When.
    /// - Returns: The alias change.
    /// - Throws: ``DeploymentError`` or the registry's and hook's errors; nothing changed in that case.
    @discardableResult
    public func deploy(
        model: String, version: Int, alias: String, exportPath: String?, hook: () async throws -> Void,
        reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange {
        let registered = try await registry.model(model)
        guard let candidate = registered.version(version) else {
            throw RegistryError.unknownVersion(model: model, version: version, latest: registered.latest?.version ?? 0)
        }
        let previous = registered.aliases[alias]
        let swap = try exportPath.map { try FileSwap(install: try artifacts.path(for: candidate.artifact), at: $0) }
        do {
            try await hook()
            let change = try await registry.store.moveAlias(
                model: model, alias: alias, to: version, expectedFrom: .some(previous), reason: reason, actor: actor, at: at)
            swap?.keep()
            if let exportPath { try ledger?.record(model: model, alias: alias, exportPath: exportPath) }
            return change
        } catch {
            swap?.undo()
            throw error
        }
    }

    /// Moves `alias` of `model` back (to `version`, or to where it pointed before its last move) and restores the
    /// exported file the alias was deployed to, if any.
    @discardableResult
    public func rollback(
        model: String, alias: String, to version: Int?, reason: String?, actor: String, at: Timestamp
    ) async throws -> AliasChange {
        let registered = try await registry.model(model)
        let target: Int?
        if let version {
            target = version
        } else {
            target = registered.history.last(where: { $0.alias == alias })?.from
        }
        var swap: FileSwap?
        if let target, let candidate = registered.version(target),
            let exportPath = try ledger?.exportPath(model: model, alias: alias)
        {
            swap = try FileSwap(install: try artifacts.path(for: candidate.artifact), at: exportPath)
        }
        do {
            let change = try await registry.rollback(model, alias: alias, to: version, reason: reason, actor: actor, at: at)
            swap?.keep()
            return change
        } catch {
            swap?.undo()
            throw error
        }
    }
}

/// A file replaced atomically, with the previous content kept until the change is confirmed.
struct FileSwap {
    let path: String
    let backup: String?

    /// Stages a copy of `source` and renames it over `path`, keeping a hard link to the old file.
    init(install source: String, at path: String) throws {
        let staged = try AtomicFile.stageCopy(of: source, for: path)
        var backup: String?
        if FileManager.default.fileExists(atPath: path) {
            let link = path + ".kiln-previous-\(getpid())"
            unlink(link)
            guard Foundation.link(path, link) == 0 else {
                unlink(staged)
                throw DeploymentError("cannot keep the current \(path) aside: \(String(cString: strerror(errno)))")
            }
            backup = link
        }
        do {
            try AtomicFile.commit(staged, to: path)
        } catch {
            if let backup { unlink(backup) }
            throw error
        }
        self.path = path
        self.backup = backup
    }

    /// Confirms the new file.
    func keep() {
        if let backup { unlink(backup) }
    }

    /// Puts the old file back (or removes the new one when there was none).
    func undo() {
        if let backup {
            rename(backup, path)
        } else {
            unlink(path)
        }
    }
}
