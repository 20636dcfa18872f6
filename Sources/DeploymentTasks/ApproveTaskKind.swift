public import PipelineEngine
import ModelRegistry
import PipelineModel

/// `approve`: waits for a person to approve (`kiln approve RUN TASK`) before downstream tasks run.
///
/// Inputs: `message` (what is being approved), `timeout` (a duration such as `24h`; past it the task is rejected).
/// Outputs: `approved` (true), `by`, `reason`. A rejection fails the task.
public struct ApproveTaskKind: TaskKind {
    /// `approve`.
    /// The kind's name, `"approve"`.
    public static let kindName = "approve"
    /// ``kindName``.
    public var name: String { Self.kindName }

    /// Creates the kind.
    public init() {}

    /// Waits for, then reports, the decision.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        guard let decision = context.decision else {
            let message = context.inputs["message"]?.stringValue ?? "manual approval"
            throw TaskSuspension(reason: message, deadline: try Self.deadline(context))
        }
        guard decision.approved else {
            throw TaskFailure("rejected by \(decision.actor)" + (decision.reason.map { ": \($0)" } ?? ""))
        }
        return ["approved": true, "by": .string(decision.actor), "reason": decision.reason.map(JSONValue.string) ?? .null]
    }

    /// The deadline from a `timeout` (or `approval_timeout`) input, if any.
    static func deadline(_ context: TaskContext, key: String = "timeout") throws -> Timestamp? {
        guard let value = context.inputs[key], value != .null else { return nil }
        guard let text = value.stringValue else {
            throw TaskFailure("\(key) must be a duration such as 24h, got \(value.compactJSON)")
        }
        do {
            return context.clock.now.adding(try DurationText.parse(text))
        } catch {
            throw TaskFailure("\(key): \(error)")
        }
    }
}
