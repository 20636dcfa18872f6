public import PipelineModel

/// A deployment written down before it touches anything (write-ahead): which alias moves where, which file is
/// replaced, and where the new and the old file are kept meanwhile, so that a crash at any point can be repaired.
///
/// A deployer records the intent (``RegistryStore/beginDeployment(_:)``), stages and swaps the file, runs its hook,
/// and then commits the alias move, the ``DeploymentRecord`` and the intent's ``State-swift.enum/committed`` state in
/// one transaction (``RegistryStore/commitDeployment(_:reason:at:)``); it deletes the intent once the old file is
/// gone. At most one intent exists per model and alias, and per export path, so deployments of one alias (or of
/// one file) never interleave.
public struct DeploymentIntent: Sendable, Hashable {
    /// How far a deployment got.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// The alias has not moved: recovery puts the old file back.
        case pending
        /// The alias moved and the record is written: recovery only removes the old file.
        case committed
    }

    /// Identifies the intent (unique among intents, never reused by one process).
    public var id: String
    /// The model's name.
    public var model: String
    /// The alias that moves.
    public var alias: String
    /// The version the alias points at before the deployment (`nil`: none) — the compare-and-set's expectation.
    public var from: Int?
    /// The version being deployed.
    public var to: Int
    /// The absolute path of the exported model file, or `nil` when the deployment moves the alias only.
    public var exportPath: String?
    /// Where the new file is written before it is renamed over ``exportPath``.
    public var stagedPath: String?
    /// Where the old file is kept (a hard link) until the deployment is committed.
    public var backupPath: String?
    /// Whether a file existed at ``exportPath`` before: without one, undoing removes the new file.
    public var hadPreviousFile: Bool
    /// The process that carries the deployment out.
    public var owner: DeploymentOwner
    /// Who deploys, for the alias history and the deployment record (`cli`, `run <run id>/<task id>`).
    public var actor: String
    /// When the deployment started, from the deployer's clock.
    public var startedAt: Timestamp
    /// How far it got.
    public var state: State

    /// Creates an intent.
    ///
    /// - Parameters:
    ///   - id: A unique identifier.
    ///   - model: The model's name.
    ///   - alias: The alias that moves.
    ///   - from: The version the alias points at now, or `nil`.
    ///   - to: The version to deploy.
    ///   - exportPath: The exported file, or `nil`.
    ///   - stagedPath: Where the new file is staged (with an export path).
    ///   - backupPath: Where the old file is kept (with an export path).
    ///   - hadPreviousFile: Whether a file existed at `exportPath`.
    ///   - owner: The process that deploys.
    ///   - actor: Who deploys.
    ///   - startedAt: When.
    ///   - state: ``State-swift.enum/pending`` for a new intent.
    public init(
        id: String, model: String, alias: String, from: Int?, to: Int, exportPath: String?, stagedPath: String?,
        backupPath: String?, hadPreviousFile: Bool, owner: DeploymentOwner, actor: String, startedAt: Timestamp,
        state: State = .pending
    ) {
        self.id = id
        self.model = model
        self.alias = alias
        self.from = from
        self.to = to
        self.exportPath = exportPath
        self.stagedPath = stagedPath
        self.backupPath = backupPath
        self.hadPreviousFile = hadPreviousFile
        self.owner = owner
        self.actor = actor
        self.startedAt = startedAt
        self.state = state
    }
}

/// The process that carries out a deployment: enough to tell later whether it is still running.
public struct DeploymentOwner: Sendable, Hashable, CustomStringConvertible {
    /// The process id.
    public var pid: Int32
    /// When the process started, in the operating system's own units (Linux: clock ticks after boot), or `nil`
    /// when unknown; it tells a process from a later one that got the same id.
    public var processStart: Int64?

    /// Creates an owner.
    ///
    /// - Parameters:
    ///   - pid: The process id.
    ///   - processStart: The process's start mark, if known.
    public init(pid: Int32, processStart: Int64?) {
        self.pid = pid
        self.processStart = processStart
    }

    /// `process 4242`.
    public var description: String { "process \(pid)" }
}

/// Where an alias of a model is exported: the file a rollback (or a later deployment) of that alias rewrites.
///
/// Written in the same transaction as the alias move it belongs to (``RegistryStore/commitDeployment(_:reason:at:)``).
public struct DeploymentRecord: Sendable, Hashable {
    /// The model's name.
    public var model: String
    /// The alias.
    public var alias: String
    /// The absolute path of the exported file.
    public var exportPath: String
    /// The version the file holds, or `nil` when unknown (a record imported from `deployments.json`).
    public var version: Int?
    /// When it was written.
    public var at: Timestamp
    /// Who wrote it.
    public var actor: String

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - alias: The alias.
    ///   - exportPath: The exported file.
    ///   - version: The version the file holds, if known.
    ///   - at: When.
    ///   - actor: Who.
    public init(model: String, alias: String, exportPath: String, version: Int?, at: Timestamp, actor: String) {
        self.model = model
        self.alias = alias
        self.exportPath = exportPath
        self.version = version
        self.at = at
        self.actor = actor
    }
}
