import PipelineModel

/// The pipeline a case runs: its tested tasks as declared, and every task upstream of them replaced by a `noop`
/// stub whose outputs are the values the case gives for it.
enum CasePipeline {
    /// The tasks a case runs: `from` alone, or every task on a path from `from` to `to` (both included).
    static func selection(plan: Plan, from: String, to: String?) -> Set<String> {
        guard let first = plan.index[from] else { return [] }
        guard let to, let last = plan.index[to], to != from else { return [from] }
        var selected: Set<String> = [from, to]
        for index in plan.upstream(of: last) where plan.isUpstream(first, of: index) {
            selected.insert(plan.pipeline.tasks[index].id)
        }
        return selected
    }

    /// The upstream tasks (outside `selected`) whose outputs a selected command task (`run:`, `shell:`) can read:
    /// their inline tables must reach it as files.
    static func readByCommands(plan: Plan, selected: Set<String>) -> Set<String> {
        var result: Set<String> = []
        for id in selected {
            guard let index = plan.index[id] else { continue }
            switch plan.pipeline.tasks[index].action {
            case .run, .shell:
                for upstream in plan.upstream(of: index) { result.insert(plan.pipeline.tasks[upstream].id) }
            default: continue
            }
        }
        return result.subtracting(selected)
    }

    /// The tasks upstream of any task in `selected`, outside it.
    static func ancestors(of selected: Set<String>, plan: Plan) -> Set<String> {
        var result: Set<String> = []
        for id in selected {
            guard let index = plan.index[id] else { continue }
            for upstream in plan.upstream(of: index) { result.insert(plan.pipeline.tasks[upstream].id) }
        }
        return result.subtracting(selected)
    }

    /// The pipeline of a case.
    ///
    /// - Parameters:
    ///   - plan: The whole pipeline.
    ///   - selected: The tested tasks (``selection(plan:from:to:)``).
    ///   - first: The first tested task, whose inputs `with` overrides.
    ///   - upstream: The staged outputs of upstream tasks, by task id.
    ///   - with: Staged overrides of the first task's inputs.
    static func make(
        plan: Plan, selected: Set<String>, first: String, upstream: [String: [String: JSONValue]],
        with: [String: JSONValue]
    ) -> Pipeline {
        let stubs = ancestors(of: selected, plan: plan)
        var tasks: [TaskSpec] = []
        for (index, spec) in plan.pipeline.tasks.enumerated() {
            if stubs.contains(spec.id) {
                tasks.append(TaskSpec(id: spec.id, action: .uses("noop", with: upstream[spec.id] ?? [:])))
            } else if selected.contains(spec.id) {
                var task = spec
                // Needs inside the tested sub-graph stay; every upstream stub becomes a direct need, so that each
                // task still sees every output it reads (its references must name upstream tasks).
                let stubNeeds = plan.upstream(of: index).map { plan.pipeline.tasks[$0].id }.filter(stubs.contains)
                task.needs = spec.needs.filter(selected.contains) + stubNeeds
                if spec.id == first, case .uses(let kind, var inputs) = spec.action {
                    inputs.merge(with) { _, new in new }
                    task.action = .uses(kind, with: inputs)
                }
                tasks.append(task)
            }
        }
        var pipeline = plan.pipeline
        pipeline.tasks = tasks
        pipeline.triggers = nil
        return pipeline
    }
}
