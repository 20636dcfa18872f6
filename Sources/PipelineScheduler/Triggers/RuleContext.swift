import ModelRegistry
import PipelineEngine
import PipelineModel

/// Evaluates the individual rules of one pipeline at one time (the parts of ``TriggerEvaluator``).
struct RuleContext {
    let pipeline: String
    let spec: TriggerSpec
    let baseDirectory: String
    let now: Timestamp
    let state: TriggerState
    let history: RunHistory
    let inputs: any TriggerInputs
    let configuration: TriggerEvaluator.Configuration

    /// The parsed schedule, if the spec has one.
    static func schedule(of spec: TriggerSpec) throws -> Schedule? {
        if let cron = spec.schedule { return try Schedule.parse(cron: cron, timeZone: spec.timezone) }
        if let every = spec.every { return try Schedule.every(every) }
        return nil
    }

    /// The schedule's verdict and the newest fire time it handles now (to store), or `nil` without a schedule.
    func scheduleVerdict() throws -> (verdict: RuleVerdict, consumed: Timestamp?)? {
        guard let schedule = try Self.schedule(of: spec) else { return nil }
        let zone = spec.schedule != nil ? spec.timezone : nil
        let start = state.rules["schedule"]?.lastFire ?? state.since
        let due = schedule.fireTimes(
            from: start.adding(.nanoseconds(1)), through: now, limit: configuration.maxMissedFireTimes)
        guard let latest = due.last, let earliest = due.first else {
            let next = schedule.nextFireTime(after: now).map { EvidenceFormat.localTime($0, timeZone: zone) } ?? "never"
            return (RuleVerdict(type: "schedule", fires: false, evidence: "schedule: next at \(next)"), nil)
        }
        let missed = due.count - 1
        switch spec.catchUp {
        case .latest:
            let extra = missed > 0 ? " (latest of \(due.count) due; catch_up: latest)" : ""
            let evidence = "schedule: \(EvidenceFormat.localTime(latest, timeZone: zone))\(extra)"
            return (RuleVerdict(type: "schedule", fires: true, evidence: evidence, fireTime: latest), latest)
        case .none:
            if latest.duration(to: now) <= configuration.onTimeTolerance {
                let extra = missed > 0 ? " (\(missed) missed fire time(s) skipped; catch_up: none)" : ""
                let evidence = "schedule: \(EvidenceFormat.localTime(latest, timeZone: zone))\(extra)"
                return (RuleVerdict(type: "schedule", fires: true, evidence: evidence, fireTime: latest), latest)
            }
            let evidence = "schedule: \(due.count) missed fire time(s) skipped, latest \(EvidenceFormat.localTime(latest, timeZone: zone)) (catch_up: none)"
            return (RuleVerdict(type: "schedule", fires: false, evidence: evidence), latest)
        case .all:
            let extra = missed > 0 ? " (catch-up; \(missed) more due)" : ""
            let evidence = "schedule: \(EvidenceFormat.localTime(earliest, timeZone: zone))\(extra)"
            return (RuleVerdict(type: "schedule", fires: true, evidence: evidence, fireTime: earliest), earliest)
        }
    }

    /// The performance rule: the mean of the production version's samples taken in the window and after the
    /// pipeline's last run.
    func performance(_ rule: PerformanceRule) async throws -> RuleVerdict {
        let window = (try? DurationText.parse(rule.window)) ?? .seconds(86_400)
        func verdict(_ fires: Bool, _ evidence: String) -> RuleVerdict {
            RuleVerdict(type: "performance", fires: fires, evidence: evidence, fireTime: fires ? now : nil)
        }
        guard let version = try await inputs.productionVersion(model: rule.model) else {
            return verdict(false, "\(rule.data == nil ? "" : "performance: ")\(rule.model) has no production version")
        }
        if let data = rule.data { return await labelled(rule, data: data, version: version) }
        var from = now.adding(.zero - window)
        if let last = history.lastRunStart, last >= from { from = last.adding(.nanoseconds(1)) }
        let samples = try await inputs.metricSamples(
            model: rule.model, version: version, metric: rule.metric, from: from, through: now)
        let scope = "last \(rule.window)" + (history.lastRunStart.map { $0 >= now.adding(.zero - window) } == true
            ? ", since the last run" : "")
        guard samples.count >= rule.minSamples else {
            return verdict(false, "\(rule.metric): \(samples.count) sample(s) of \(rule.model) v\(version) (\(scope)), \(rule.minSamples) needed")
        }
        let mean = samples.map(\.value).reduce(0, +) / Double(samples.count)
        let value = EvidenceFormat.number(mean, like: rule.below)
        let threshold = EvidenceFormat.number(rule.below, like: rule.below)
        let counted = "(\(samples.count) sample\(samples.count == 1 ? "" : "s"), \(scope))"
        if mean < rule.below { return verdict(true, "\(rule.metric) \(value) < \(threshold) \(counted)") }
        return verdict(false, "\(rule.metric) \(value) ≥ \(threshold) \(counted)")
    }

    /// The performance rule on labelled data: the production version measured on the rows that arrived in the
    /// window, e.g. `performance: f1 0.78 < 0.80 on 5,120 labelled rows from data/labelled/ (last 7d)`.
    func labelled(_ rule: PerformanceRule, data: String, version: Int) async -> RuleVerdict {
        func verdict(_ fires: Bool, _ evidence: String) -> RuleVerdict {
            RuleVerdict(type: "performance", fires: fires, evidence: "performance: \(evidence)", fireTime: fires ? now : nil)
        }
        let scope = "from \(data) (last \(rule.window)\(rule.timeColumn.map { " by \($0)" } ?? ""))"
        let measured: LabelledMeasurement
        do {
            guard let result = try await inputs.labelledPerformance(
                rule, version: version, baseDirectory: baseDirectory, at: now)
            else {
                return verdict(false, "no labelled-data evaluator is configured, so \(data) is not read")
            }
            measured = result
        } catch {
            return verdict(false, "cannot evaluate \(rule.model) v\(version) on \(data): \(error)")
        }
        let rows = "\(EvidenceFormat.count(measured.rows)) labelled row\(measured.rows == 1 ? "" : "s")"
        guard measured.rows >= rule.minSamples, measured.rows > 0 else {
            return verdict(false, "\(rule.metric): \(rows) \(scope), \(EvidenceFormat.count(max(rule.minSamples, 1))) needed")
        }
        let value = EvidenceFormat.number(measured.value, like: rule.below)
        let threshold = EvidenceFormat.number(rule.below, like: rule.below)
        if measured.value < rule.below {
            return verdict(true, "\(rule.metric) \(value) < \(threshold) on \(rows) \(scope)")
        }
        return verdict(false, "\(rule.metric) \(value) ≥ \(threshold) on \(rows) \(scope)")
    }

    /// The data rule: rows now minus the count stored when the last run fired (all rows before any run).
    func data(_ rule: DataRule) async -> (RuleVerdict, Int?) {
        let total: Int?
        do {
            total = try await inputs.rowCount(of: rule, baseDirectory: baseDirectory, asOf: nil)
        } catch {
            return (RuleVerdict(type: "data", fires: false, evidence: "data: cannot count rows of \(rule.source.summary): \(error)"), nil)
        }
        guard let total else {
            return (RuleVerdict(type: "data", fires: false, evidence: "data: row count of \(rule.source.summary) unknown at this time"), nil)
        }
        let baseline = Int(state.rules[DataBaseline.rule]?.mark ?? 0)
        let new = total >= baseline ? total - baseline : total  // fewer rows than before: the source was replaced
        let fires = new >= rule.newRows
        let rows = "\(EvidenceFormat.count(new)) new row\(new == 1 ? "" : "s")"
        let evidence = "data: \(rows) \(fires ? "≥" : "<") \(EvidenceFormat.count(rule.newRows))"
        return (RuleVerdict(type: "data", fires: fires, evidence: evidence, fireTime: fires ? now : nil), total)
    }

    /// The drift rule, through the configured drift evaluator.
    func drift(_ rule: DriftRule) async -> RuleVerdict {
        do {
            guard let verdict = try await inputs.drift(rule, baseDirectory: baseDirectory, at: now) else {
                return RuleVerdict(type: "drift", fires: false, evidence: "drift: no drift evaluator is configured")
            }
            let share = Int((verdict.driftedShare * 100).rounded())
            let threshold = Int((rule.share * 100).rounded())
            let fires = verdict.driftedShare >= rule.share
            return RuleVerdict(
                type: "drift", fires: fires,
                evidence: verdict.evidence.map { "drift: \($0)" }
                    ?? "drift: \(share)% of columns drifted \(fires ? "≥" : "<") \(threshold)% (\(verdict.detail))",
                fireTime: fires ? now : nil)
        } catch {
            return RuleVerdict(type: "drift", fires: false, evidence: "drift: cannot evaluate: \(error)")
        }
    }

    /// The upstream rule for `model`: its production alias moved to a version after the pipeline's last run
    /// (or, before any run, after the daemon first saw the pipeline) and after the move handled last.
    func upstream(_ model: String) async throws -> RuleVerdict {
        let rule = "upstream:\(model)"
        var after = history.lastRunStart ?? state.since
        if let handled = state.rules[rule]?.lastFire, handled > after { after = handled }
        let moves = try await inputs.aliasHistory(model: model).filter {
            $0.alias == RegistryNames.production && $0.to != nil && $0.at > after && $0.at <= now
        }
        guard let move = moves.last, let version = move.to else {
            return RuleVerdict(type: "upstream", rule: rule, fires: false, evidence: "upstream: no new \(model) production version")
        }
        return RuleVerdict(
            type: "upstream", rule: rule, fires: true, evidence: "upstream: \(model) v\(version) promoted", fireTime: move.at)
    }
}
