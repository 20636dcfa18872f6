import ModelRegistry
import PipelineEngine

/// Why an operation was refused, in the terms both front ends map to their own: the CLI to an exit code, the HTTP
/// API to a status. The message is the same for both: what is wrong and what to do.
public struct OperationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal.
    public enum Kind: String, Sendable, Hashable {
        /// The request is malformed or names something in the wrong way (CLI exit 2, HTTP 400).
        case invalid
        /// Something it names does not exist (CLI exit 2, HTTP 404).
        case notFound
        /// The state does not allow it: the task is not waiting, the run already succeeded, there is nothing to roll
        /// back to (CLI exit 2, HTTP 409).
        case conflict
        /// Another process changed the same thing meanwhile: an alias moved, a deployment is in progress; trying
        /// again may work (CLI exit 1, HTTP 409).
        case contention
        /// Another live process executes the run (CLI exit 3, HTTP 409).
        case busy
    }

    /// What kind of refusal.
    public var kind: Kind
    /// What is wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Classifies an error an operation's collaborators throw; `nil` for anything unexpected (a store failure).
    public static func classify(_ error: any Error) -> OperationError? {
        switch error {
        case let error as OperationError: return error
        case let error as RegistryError:
            switch error {
            case .unknownModel, .unknownVersion, .unknownAlias: return OperationError(.notFound, error.description)
            case .aliasConflict, .deploymentInProgress, .deploymentLost: return OperationError(.contention, error.description)
            case .neverMoved, .noPreviousVersion: return OperationError(.conflict, error.description)
            default: return OperationError(.invalid, error.description)
            }
        case let error as PipelineExecutor.StartError:
            switch error {
            case .unknownParam: return OperationError(.invalid, error.description)
            case .unknownRun: return OperationError(.notFound, error.description)
            case .alreadySucceeded, .notWaiting: return OperationError(.conflict, error.description)
            case .leased: return OperationError(.busy, error.description)
            }
        default: return nil
        }
    }
}
