public import PipelineEngine
import ModelRegistry
import PipelineModel

/// `rollback`: moves an alias (default `production`) of a model back to the version before its last move (or to
/// `to`), restoring the exported file too.
///
/// Inputs: `name`, optional `to`, `alias`, `reason`. Outputs: `from`, `to`.
public struct RollbackTaskKind: TaskKind {
    /// `rollback`.
    /// The kind's name, `"rollback"`.
    public static let kindName = "rollback"
    /// ``kindName``.
    public var name: String { Self.kindName }
    let deployer: Deployer

    /// Creates the kind.
    public init(deployer: Deployer) { self.deployer = deployer }

    /// Rolls back.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = TaskInputReader(context)
        for line in try await deployer.recover(at: context.clock.now) { context.log("recovered: \(line)") }
        let change = try await deployer.rollback(
            model: try inputs.string("name"), alias: try inputs.optionalString("alias") ?? "production",
            to: context.inputs["to"] == nil ? nil : try inputs.int("to"), reason: try inputs.optionalString("reason"),
            actor: "run \(context.runID)/\(context.taskID)", at: context.clock.now)
        context.log("rolled back \(change.model) \(change.alias): v\(change.from.map(String.init) ?? "none") → v\(change.to.map(String.init) ?? "none")")
        return ["from": change.from.map { .number(Double($0)) } ?? .null, "to": change.to.map { .number(Double($0)) } ?? .null]
    }
}
