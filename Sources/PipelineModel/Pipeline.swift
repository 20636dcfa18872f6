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
    /// Who to tell when something happens to a run (`notify:`); empty when nobody is told.
    public var notify: [NotificationRule]
    /// When the pipeline starts by itself (`triggers:`), if it does. Encoded only when set.
    public var triggers: TriggerSpec?

    /// Creates a pipeline value. Call ``Plan/init(_:)`` to check it.
    public init(
        name: String, description: String? = nil, params: [String: JSONValue] = [:], tasks: [TaskSpec],
        notify: [NotificationRule] = [],
        triggers: TriggerSpec? = nil
    ) {
        self.name = name
        self.description = description
        self.params = params
        self.tasks = tasks
        self.notify = notify
        self.triggers = triggers
    }

    /// The task with `id`, if any.
    public func task(_ id: String) -> TaskSpec? { tasks.first { $0.id == id } }
}

extension Pipeline {
    private enum CodingKeys: String, CodingKey {
        case name, description, params, tasks, notify, triggers
    }

    /// Decodes a pipeline snapshot; one stored before `notify` or `triggers` existed decodes without them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        params = try container.decode([String: JSONValue].self, forKey: .params)
        tasks = try container.decode([TaskSpec].self, forKey: .tasks)
        notify = try container.decodeIfPresent([NotificationRule].self, forKey: .notify) ?? []
        triggers = try container.decodeIfPresent(TriggerSpec.self, forKey: .triggers)
    }

    /// Encodes the snapshot form; `notify` and `triggers` only when set, so older readers see the same document.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(params, forKey: .params)
        try container.encode(tasks, forKey: .tasks)
        if !notify.isEmpty { try container.encode(notify, forKey: .notify) }
        try container.encodeIfPresent(triggers, forKey: .triggers)
    }
}
