/// Why a deployment step failed; the alias and the exported file were left as they were (or put back).
public struct DeploymentError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// The steps of a deployment after which a test may simulate a crash (``Deployer/crashPoint``).
package enum DeploymentStep: String, Sendable, CaseIterable {
    /// The intent row is written; no file is touched yet.
    case intentRecorded
    /// The new file is staged (written and synced) beside the export path.
    case fileStaged
    /// The new file is in place; the old one is kept at the backup path.
    case fileSwapped
    /// The `on_deploy` hook ran.
    case hookRan
    /// The alias moved, the deployment record is written and the intent is committed; the backup is still there.
    case aliasCommitted
}

/// Thrown by a ``Deployer`` with a ``Deployer/crashPoint`` when it reaches that step: it skips every cleanup, as a
/// process killed there would.
package struct SimulatedCrash: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the deployment stopped.
    package let step: DeploymentStep

    /// Creates the error.
    package init(step: DeploymentStep) { self.step = step }

    /// `simulated crash after fileSwapped`.
    package var description: String { "simulated crash after \(step.rawValue)" }
}
