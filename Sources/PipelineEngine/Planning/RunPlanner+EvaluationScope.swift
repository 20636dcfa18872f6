import PipelineModel

extension RunPlanner {
    /// What the expressions of one task see: `params`, `env`, the outputs of other tasks and status functions.
    struct EvaluationScope: ExpressionContext {
        /// The planner whose records the expressions read.
        let planner: RunPlanner
        /// The task whose expressions are evaluated.
        let task: Int

        /// The value at `path` (`params.X…`, `env.X`, `tasks.X.outputs[.Y…]`), or `nil` when there is none.
        func value(at path: [String]) throws(ExpressionError) -> JSONValue? {
            switch path[0] {
            case "params": return path.count >= 2 ? Self.walk(planner.params[path[1]], path.dropFirst(2)) : nil
            case "env": return path.count == 2 ? planner.environment[path[1]].map(JSONValue.string) : nil
            case "tasks":
                guard path.count >= 3, let index = planner.plan.index[path[1]] else { return nil }
                guard let outputs = planner.records[index].outputs else { return nil }
                if path.count == 3 { return .object(outputs) }
                return Self.walk(outputs[path[3]], path.dropFirst(4))
            default: return nil
            }
        }

        private static func walk(_ value: JSONValue?, _ rest: ArraySlice<String>) -> JSONValue? {
            var current = value
            for key in rest {
                guard case .object(let members)? = current else { return nil }
                current = members[key]
            }
            return current
        }

        /// `always()`: true; `success()`: every need succeeded; `failure()`: something upstream failed.
        func status(_ function: Expression.StatusFunction) -> Bool {
            switch function {
            case .always: return true
            case .success: return planner.plan.needs[task].allSatisfy { planner.records[$0].state.isSuccess }
            case .failure: return planner.plan.upstream(of: task).contains { planner.records[$0].state == .failed }
            }
        }
    }
}
