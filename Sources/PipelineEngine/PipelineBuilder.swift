public import PipelineModel

/// Builds a pipeline in Swift, with tasks written as closures, registered kinds or commands.
///
/// The result is the same ``Pipeline`` value a YAML file produces, plus the registry that holds the closures,
/// so the same engine runs it:
///
/// ```swift
/// var builder = PipelineBuilder(name: "churn", params: ["min_f1": 0.8], kinds: .builtIn)
/// builder.task("load") { _ in ["rows": 5000] }
/// builder.task("train", needs: ["load"], with: ["rows": "${{ tasks.load.outputs.rows }}"],
///              retry: RetryPolicy(retries: 2, delay: .seconds(30))) { context in
///     ["f1": 0.87, "rows": context.inputs["rows"] ?? .null]
/// }
/// builder.add(TaskSpec(id: "report", needs: ["train"], condition: "tasks.train.outputs.f1 > params.min_f1",
///                      action: .run(["echo", "f1=${{ tasks.train.outputs.f1 }}"])))
/// let executor = PipelineExecutor(store: store, kinds: builder.kinds)
/// let run = try await executor.run(try builder.plan(), baseDirectory: FileManager.default.currentDirectoryPath)
/// ```
///
/// A closure task is registered as the kind `swift.PIPELINE.TASK`; a process that resumes such a run must build
/// the pipeline the same way so the kinds exist.
public struct PipelineBuilder: Sendable {
    /// The pipeline built so far.
    public private(set) var pipeline: Pipeline
    /// The kinds available to it, including one per closure task.
    public private(set) var kinds: TaskKindRegistry

    /// Starts an empty pipeline.
    /// - Parameters:
    ///   - name: The pipeline's name.
    ///   - description: A human description.
    ///   - params: Default params.
    ///   - kinds: Kinds (and command runner) that non-closure tasks may use.
    public init(name: String, description: String? = nil, params: [String: JSONValue] = [:], kinds: TaskKindRegistry = TaskKindRegistry()) {
        pipeline = Pipeline(name: name, description: description, params: params, tasks: [])
        self.kinds = kinds
    }

    /// Adds a task whose work is a Swift closure.
    /// - Parameters:
    ///   - id: The task id.
    ///   - needs: Tasks that must finish first.
    ///   - condition: The `if:` expression.
    ///   - inputs: `with:` inputs (strings may hold `${{ }}` expressions); the closure reads them as `context.inputs`.
    ///   - retry: Retry policy.
    ///   - timeout: Per-attempt timeout.
    ///   - cache: Cache policy.
    ///   - body: The work; returns the task's outputs.
    public mutating func task(
        _ id: String, needs: [String] = [], if condition: String? = nil, with inputs: [String: JSONValue] = [:],
        retry: RetryPolicy = RetryPolicy(), timeout: Duration? = nil, cache: CachePolicy? = nil,
        _ body: @escaping @Sendable (TaskContext) async throws -> [String: JSONValue]
    ) {
        let kind = "swift.\(pipeline.name).\(id)"
        kinds.register(kind, body)
        add(TaskSpec(id: id, needs: needs, condition: condition, action: .uses(kind, with: inputs), retry: retry,
                     timeout: timeout, cache: cache))
    }

    /// Adds any task: a registered kind, a `run:` command or a `shell:` script.
    public mutating func add(_ task: TaskSpec) { pipeline.tasks.append(task) }

    /// Checks the pipeline against the registry.
    /// - Throws: ``PipelineValidationError`` listing every problem.
    public func plan() throws(PipelineValidationError) -> Plan { try Plan(pipeline, knownKinds: kinds.names) }
}
