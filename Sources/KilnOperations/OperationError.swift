public import ModelRegistry
public import PipelineEngine

/// Why an operation was refused, in the terms both front ends map to their own: the CLI to an exit code, the HTTP
/// API to a status. The message is the same for both: what is wrong and what to do.
public struct OperationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal.
    public enum Kind: String, Sendable, Hashable {
        /// The request is malformed or names something in the wrong way (CLI exit 2, HTTP 400).
        case invalid
        /// Something it names does not exist (CLI exit 2, HTTP 404).
        case notFound
        /// The state does not allow it now: not waiting, moved meanwhile, executed elsewhere (CLI exit 1, HTTP 409).
        case conflict
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
            case .aliasConflict, .deploymentInProgress, .deploymentLost, .neverMoved, .noPreviousVersion:
                return OperationError(.conflict, error.description)
            default: return OperationError(.invalid, error.description)
            }
        case let error as PipelineExecutor.StartError:
            switch error {
            case .unknownParam: return OperationError(.invalid, error.description)
            case .unknownRun: return OperationError(.notFound, error.description)
            case .alreadySucceeded, .notWaiting, .leased: return OperationError(.conflict, error.description)
            }
        default: return nil
        }
    }
}
