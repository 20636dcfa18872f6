public import PipelineModel

/// The row-count baseline of a `data:` rule: rows are counted from the last run of the pipeline on.
///
/// The daemon moves the baseline when a rule fires; a run started another way (`kiln run`, `kiln trigger`) moves it
/// through ``record(for:baseDirectory:at:inputs:states:)``, so the rule then counts rows that arrived after that run.
public enum DataBaseline {
    /// The rule name under which ``TriggerState/rules`` keeps the baseline (the row count at the last run).
    public static let rule = "data"

    /// Stores the current row count of `pipeline`'s `data:` source as its baseline.
    ///
    /// Does nothing without a `data:` rule; a source that cannot be counted now is left for the daemon to report.
    ///
    /// - Parameters:
    ///   - pipeline: The pipeline whose run starts.
    ///   - baseDirectory: The pipeline file's folder (the source's paths are relative to it).
    ///   - now: When the run starts (the state's `since` when nothing was stored yet).
    ///   - inputs: Counts the source's rows.
    ///   - states: Where the trigger state is kept.
    /// - Throws: What `states` throws.
    public static func record(
        for pipeline: Pipeline, baseDirectory: String, at now: Timestamp, inputs: any TriggerInputs,
        states: any TriggerStateStore
    ) async throws {
        guard let dataRule = pipeline.triggers?.data,
            let total = try? await inputs.rowCount(of: dataRule, baseDirectory: baseDirectory, asOf: nil)
        else { return }
        var state = try await states.triggerState(pipeline: pipeline.name) ?? TriggerState(pipeline: pipeline.name, since: now)
        state.rules[rule, default: .init()].mark = Int64(total)
        try await states.saveTriggerState(state)
    }
}
