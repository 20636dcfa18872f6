public import PipelineModel

/// The "retrains when" graph between pipelines: pipeline B depends on pipeline A when B's `upstream:` names the
/// model A produces. A cycle would retrain forever, so it is rejected at load time.
public enum UpstreamGraph {
    /// A cycle among `pipelines`, as pipeline names in order with the first repeated at the end
    /// (`["a", "b", "a"]`), or `nil` when there is none.
    ///
    /// - Parameters:
    ///   - pipelines: The pipelines.
    ///   - producedModel: The model a pipeline registers (the deployment kinds know: `DeploymentModels.produced(by:)`).
    public static func cycle(in pipelines: [Pipeline], producedModel: (Pipeline) -> String) -> [String]? {
        var producers: [String: [String]] = [:]
        for pipeline in pipelines { producers[producedModel(pipeline), default: []].append(pipeline.name) }
        var edges: [String: [String]] = [:]  // pipeline → the pipelines it triggers on
        for pipeline in pipelines {
            edges[pipeline.name] = (pipeline.triggers?.upstream ?? []).flatMap { producers[$0] ?? [] }.sorted()
        }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ name: String) -> [String]? {
            state[name] = 1
            stack.append(name)
            for next in edges[name] ?? [] {
                if state[next] == 1, let start = stack.firstIndex(of: next) {
                    return Array(stack[start...]) + [next]
                }
                if state[next] == nil, let found = visit(next) { return found }
            }
            stack.removeLast()
            state[name] = 2
            return nil
        }
        for name in pipelines.map(\.name).sorted() where state[name] == nil {
            if let found = visit(name) { return found }
        }
        return nil
    }

    /// The message for a cycle: `upstream cycle: a → b → a (a retrains on b's model and b on a's)`.
    public static func describe(_ cycle: [String]) -> String {
        "upstream trigger cycle between pipelines: \(cycle.joined(separator: " → ")); each would retrain the next forever"
    }
}
