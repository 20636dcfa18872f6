/// A named DAG of tasks with default params: plain data that a YAML file and the Swift API both produce.
///
/// ```swift
/// let pipeline = Pipeline(name: "nightly", params: ["min_f1": 0.85], tasks: [
///     TaskSpec(id: "extract", action: .run(["python3", "extract.py"])),
///     TaskSpec(id: "train", needs: ["extract"], action: .uses("noop", with: ["f1": 0.9])),
/// ])
/// ```
public struct Pipeline: Sendable, Hashable, Codable {
    /// The pipeline's name; runs, caches and models are grouped by it.
    public var name: String
    /// A human description.
    public var description: String?
    /// Default parameter values, overridden per run.
    public var params: [String: JSONValue]
    /// The tasks, in file order.
    public var tasks: [TaskSpec]
    /// When the pipeline starts by itself (`triggers:`), if it does. Encoded only when set.
    public var triggers: TriggerSpec?

    /// Creates a pipeline value. Call ``Plan/init(_:)`` to check it.
    public init(
        name: String, description: String? = nil, params: [String: JSONValue] = [:], tasks: [TaskSpec],
        triggers: TriggerSpec? = nil
    ) {
        self.name = name
        self.description = description
        self.params = params
        self.tasks = tasks
        self.triggers = triggers
    }

    /// The model the pipeline produces: the `name` input of its `register-model` task, else the pipeline's name.
    public var producedModel: String {
        for task in tasks {
            if case .uses("register-model", let inputs) = task.action, let name = inputs["name"]?.stringValue {
                return name
            }
        }
        return name
    }

    /// The task with `id`, if any.
    public func task(_ id: String) -> TaskSpec? { tasks.first { $0.id == id } }
}
