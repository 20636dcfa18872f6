public import PipelineEngine
import PipelineModel

extension TaskKindRegistry {
    /// A registry with the built-in kinds: `noop`, `fail`, and ``CommandTaskKind`` (with its defaults) as the
    /// runner of `run:` and `shell:` actions.
    ///
    /// Add your own kinds to a copy:
    /// ```swift
    /// var kinds = TaskKindRegistry.builtIn
    /// kinds.register("greet") { context in ["greeted": true] }
    /// ```
    public static var builtIn: TaskKindRegistry {
        var registry = TaskKindRegistry()
        registry.registerCommandKinds()
        return registry
    }

    /// Adds `noop`, `fail`, ``CommandTaskKind`` (with its defaults) as the runner of `run:` and `shell:` actions, and
    /// ``ProcessGroupReaper`` to stop commands a dead owner left behind.
    public mutating func registerCommandKinds() {
        register(NoopTaskKind())
        register(FailTaskKind())
        commandRunner = CommandTaskKind()
        reaper = ProcessGroupReaper()
    }
}
