public import PipelineModel

/// Which results of the deployment kinds are announced to `notify:` rules: a `deploy` that moved the production
/// alias is `deployed`, a `rollback` that succeeded is `rolled_back`.
public enum DeploymentMilestones {
    /// The notification that a successful task of `kind` with `outputs` announces, if any.
    ///
    /// Pass it to `NotificationDispatcher(milestone:)`.
    public static func event(kind: String, outputs: [String: JSONValue]?) -> NotificationEventKind? {
        switch kind {
        case DeployTaskKind.kindName where outputs?["deployed"] == true: .deployed
        case RollbackTaskKind.kindName: .rolledBack
        default: nil
        }
    }
}

/// Which model a pipeline produces, as the registry and the `upstream:` trigger see it.
public enum DeploymentModels {
    /// The `name` input of the pipeline's `register-model` task, else the pipeline's name.
    public static func produced(by pipeline: Pipeline) -> String {
        for task in pipeline.tasks {
            if case .uses(RegisterModelTaskKind.kindName, let inputs) = task.action, let name = inputs["name"]?.stringValue {
                return name
            }
        }
        return pipeline.name
    }
}
