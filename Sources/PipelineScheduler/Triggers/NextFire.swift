public import PipelineModel

extension TriggerEvaluator {
    /// The next time a pipeline's schedule (`schedule:` or `every:`) fires after `time`, or `nil` when it has no
    /// schedule, its schedule never fires, or the schedule cannot be read (``Plan`` refuses such pipelines).
    public static func nextScheduledFire(of pipeline: Pipeline, after time: Timestamp) -> Timestamp? {
        guard let spec = pipeline.triggers, let schedule = try? RuleContext.schedule(of: spec) else { return nil }
        return schedule.nextFireTime(after: time)
    }
}
