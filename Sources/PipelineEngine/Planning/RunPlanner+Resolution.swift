import PipelineModel

extension RunPlanner {
    /// Evaluates the templates of `task` for attempt `number`.
    ///
    /// Each distinct template text is parsed once per execution (``templates``): a fan-out of a thousand tasks
    /// reading `${{ tasks.source.outputs.x }}` parses it once.
    /// - Throws: `ExpressionError` when an expression cannot be evaluated.
    mutating func resolve(_ task: Int, attempt number: Int) throws -> Attempt {
        let spec = plan.pipeline.tasks[task]
        var cache = TemplateCache()
        swap(&cache, &templates)
        defer { swap(&cache, &templates) }
        let scope = EvaluationScope(planner: self, task: task)
        var action: ResolvedAction
        var inputs: [String: JSONValue] = [:]
        var environment = try spec.env.mapValues { try Self.render($0, scope: scope, cache: &cache) }
        switch spec.action {
        case .run(let argv): action = .run(try argv.map { try Self.render($0, scope: scope, cache: &cache) })
        case .shell(let script):
            // Values reach the script as environment variables, never as script text (no injection).
            guard script.containsTemplateMarker else {
                action = .shell(script)
                break
            }
            let rendered = try cache.template(script).renderShell(in: scope)
            action = .shell(rendered.script)
            environment.merge(rendered.values) { _, value in value }
        case .uses(let kind, let with):
            action = .uses(kind)
            inputs = try with.mapValues { try Self.resolveValue($0, scope: scope, cache: &cache) }
        }
        return Attempt(
            task: task, number: number, action: action, inputs: inputs, environment: environment,
            workdir: try spec.workdir.map { try Self.render($0, scope: scope, cache: &cache) },
            decision: records[task].decision)
    }

    /// Renders `text`, skipping the parse when it holds no expression (most strings).
    private static func render(_ text: String, scope: EvaluationScope, cache: inout TemplateCache) throws -> String {
        text.containsTemplateMarker ? try cache.template(text).render(in: scope) : text
    }

    /// Evaluates the expressions in the strings of `value`, keeping its shape.
    private static func resolveValue(
        _ value: JSONValue, scope: EvaluationScope, cache: inout TemplateCache
    ) throws -> JSONValue {
        switch value {
        case .string(let text): return text.containsTemplateMarker ? try cache.template(text).value(in: scope) : value
        case .array(let values): return .array(try values.map { try resolveValue($0, scope: scope, cache: &cache) })
        case .object(let members):
            return .object(try members.mapValues { try resolveValue($0, scope: scope, cache: &cache) })
        case .null, .bool, .number: return value
        }
    }
}

/// Parsed templates by their text, so each distinct text is parsed once per execution.
struct TemplateCache: Sendable {
    private var parsed: [String: Template]

    /// A cache that starts with `known` (a plan's templates, parsed when it was checked).
    init(known: [String: Template] = [:]) {
        parsed = known
    }

    /// The parsed form of `text`.
    /// - Throws: `ExpressionError` when `text` does not parse (not cached: it fails the same way each time).
    mutating func template(_ text: String) throws(ExpressionError) -> Template {
        if let template = parsed[text] { return template }
        let template = try Template(text)
        parsed[text] = template
        return template
    }
}
