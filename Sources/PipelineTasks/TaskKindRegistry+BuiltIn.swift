public import PipelineEngine

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
        registry.register(NoopTaskKind())
        registry.register(FailTaskKind())
        registry.commandRunner = CommandTaskKind()
        return registry
    }
}
