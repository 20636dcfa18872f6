import PipelineModel

extension RunPlanner {
    /// Evaluates the templates of `task` for attempt `number`.
    /// - Throws: `ExpressionError` when an expression cannot be evaluated.
    func resolve(_ task: Int, attempt number: Int) throws -> Attempt {
        let spec = plan.pipeline.tasks[task]
        let scope = EvaluationScope(planner: self, task: task)
        var action: ResolvedAction
        var inputs: [String: JSONValue] = [:]
        var environment = try spec.env.mapValues { try Self.render($0, scope: scope) }
        switch spec.action {
        case .run(let argv): action = .run(try argv.map { try Self.render($0, scope: scope) })
        case .shell(let script):
            // Values reach the script as environment variables, never as script text (no injection).
            guard script.contains("${{") else {
                action = .shell(script)
                break
            }
            let rendered = try Template(script).renderShell(in: scope)
            action = .shell(rendered.script)
            environment.merge(rendered.values) { _, value in value }
        case .uses(let kind, let with):
            action = .uses(kind)
            inputs = try with.mapValues { try Self.resolveValue($0, scope: scope) }
        }
        return Attempt(
            task: task, number: number, action: action, inputs: inputs, environment: environment,
            workdir: try spec.workdir.map { try Self.render($0, scope: scope) }, decision: records[task].decision)
    }

    /// Renders `text`, skipping the parse when it holds no expression (most strings).
    private static func render(_ text: String, scope: EvaluationScope) throws -> String {
        text.contains("${{") ? try Template(text).render(in: scope) : text
    }

    /// Evaluates the expressions in the strings of `value`, keeping its shape.
    private static func resolveValue(_ value: JSONValue, scope: EvaluationScope) throws -> JSONValue {
        switch value {
        case .string(let text): return text.contains("${{") ? try Template(text).value(in: scope) : value
        case .array(let values): return .array(try values.map { try resolveValue($0, scope: scope) })
        case .object(let members): return .object(try members.mapValues { try resolveValue($0, scope: scope) })
        case .null, .bool, .number: return value
        }
    }
}
