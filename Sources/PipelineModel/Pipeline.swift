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

    /// Creates a pipeline value. Call ``Plan/init(_:)`` to check it.
    public init(name: String, description: String? = nil, params: [String: JSONValue] = [:], tasks: [TaskSpec]) {
        self.name = name
        self.description = description
        self.params = params
        self.tasks = tasks
    }

    /// The task with `id`, if any.
    public func task(_ id: String) -> TaskSpec? { tasks.first { $0.id == id } }
}
