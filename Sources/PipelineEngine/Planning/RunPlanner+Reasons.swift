import PipelineModel

extension RunPlanner {
    /// Why `task` is skipped: the first need that failed, else the first that did not succeed, else its condition.
    func skipReason(_ task: Int) -> String {
        let needs = plan.needs[task]
        if let failed = needs.first(where: { records[$0].state == .failed }) {
            return "skipped: '\(records[failed].taskID)' failed"
        }
        if let skipped = needs.first(where: { !records[$0].state.isSuccess }) {
            return "skipped: '\(records[skipped].taskID)' did not succeed (\(records[skipped].state.rawValue))"
        }
        return "skipped: condition is false"
    }

    /// `task: error` of every failed task in pipeline order, joined by `; `, or `nil` when none failed.
    func failureSummary() -> String? {
        // Positions, not records: filtering records would copy every failed one, and reading each copies it too.
        let failed = records.indices.filter { records[$0].state == .failed }
        guard !failed.isEmpty else { return nil }
        return failed.map { "\(records[$0].taskID): \(records[$0].error ?? "failed")" }.joined(separator: "; ")
    }
}
