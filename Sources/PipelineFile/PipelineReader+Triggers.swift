import PipelineModel

// Reading `triggers:`: every rule with located diagnostics. Schedules are checked with `Schedule.parse`, so a
// bad cron expression or time zone is reported exactly as the scheduler would reject it.
extension PipelineReader {
    static let triggerKeys = [
        "schedule", "every", "timezone", "performance", "data", "drift", "upstream", "combine", "cooldown",
        "max_active_runs", "catch_up",
    ]
    static let performanceKeys = ["model", "metric", "below", "window", "min_samples", "data", "time_column"]
    /// The metrics a `performance:` rule with `data:` measures (those of the `evaluate` kind).
    static let labelledMetrics = ["accuracy", "auc", "f1", "pr_auc", "precision", "recall"]
    static let dataKeys = ["path", "query", "command", "new_rows", "timeout"]
    static let queryKeys = ["sqlite", "query"]
    static let driftKeys = ["model", "current", "method", "share", "on"]

    /// Reads the `triggers:` mapping; `nil` when it is absent, empty or invalid (problems are reported).
    mutating func readTriggers(_ entry: Entry?) -> TriggerSpec? {
        guard let entry, !entry.value.isEmptyValue else { return nil }
        record([.key("triggers")], entry)
        guard case .mapping(let mapping) = entry.value else {
            report(value: entry, "triggers must be a mapping, e.g. triggers: {schedule: \"0 2 * * *\"}")
            return nil
        }
        var spec = TriggerSpec()
        var byKey: [String: Entry] = [:]
        for member in entries(of: mapping) {
            if Self.triggerKeys.contains(member.key) {
                byKey[member.key] = member
            } else {
                unknownKey(member, place: "in triggers", known: Self.triggerKeys)
            }
        }
        spec.timezone = byKey["timezone"].flatMap { requiredText($0, "timezone must be an IANA name, e.g. Asia/Seoul") }
        if let zone = byKey["timezone"], let name = spec.timezone {
            do {
                _ = try Schedule.parse(cron: "@daily", timeZone: name)
            } catch {
                report(value: zone, "timezone: \(error)")
                spec.timezone = nil
            }
        }
        if let schedule = byKey["schedule"], let text = requiredText(schedule, "schedule must be a cron expression, e.g. \"0 2 * * *\"") {
            do {
                _ = try Schedule.parse(cron: text, timeZone: spec.timezone)
                spec.schedule = text
            } catch {
                reportSchedule(error, schedule: schedule)
            }
        }
        if let every = byKey["every"], let text = requiredText(every, "every must be a duration such as 6h") {
            if byKey["schedule"] != nil {
                report(at: every.keyNode, "set either schedule: or every:, not both")
            } else {
                do {
                    _ = try Schedule.every(text)
                    spec.every = text
                } catch {
                    report(value: every, "every: \(error)")
                }
            }
        }
        if let member = byKey["performance"] { spec.performance = readPerformance(member) }
        if let member = byKey["data"] { spec.data = readData(member) }
        if let member = byKey["drift"] { spec.drift = readDrift(member) }
        if let member = byKey["upstream"] { spec.upstream = readUpstream(member) }
        if let member = byKey["combine"] { spec.combine = choice(member, default: .any) }
        if let member = byKey["catch_up"] { spec.catchUp = choice(member, default: .latest) }
        if let member = byKey["cooldown"], duration(member) != nil { spec.cooldown = member.value.scalarValue?.string }
        if let member = byKey["max_active_runs"],
            let value = wholeNumber(member, "max_active_runs must be a whole number of at least 1")
        {
            spec.maxActiveRuns = value
        }
        if spec.combine == .all && !spec.hasConditions, let member = byKey["combine"] {
            report(value: member, "combine: all needs at least one of performance, data, drift or upstream")
        }
        return spec
    }

    private mutating func reportSchedule(_ error: ScheduleError, schedule: Entry) {
        if let offset = error.offset, !schedule.value.isEmptyValue {
            let (line, column) = document.position(inside: schedule.value, offset: offset)
            report(line: line, column: column, "schedule: \(error)")
        } else {
            report(value: schedule, "schedule: \(error)")
        }
    }

    /// The members of a rule's mapping by key, reporting unknown keys; `nil` when the value is not a mapping.
    private mutating func members(_ entry: Entry, known: [String], example: String) -> [String: Entry]? {
        guard case .mapping(let mapping) = entry.value else {
            report(value: entry, "\(entry.key) must be a mapping, e.g. \(entry.key): \(example)")
            return nil
        }
        var byKey: [String: Entry] = [:]
        for member in entries(of: mapping) {
            if known.contains(member.key) {
                byKey[member.key] = member
            } else {
                unknownKey(member, place: "in \(entry.key)", known: known)
            }
        }
        return byKey
    }

    /// A required text member, reported at the rule's key when missing.
    private mutating func text(_ byKey: [String: Entry], _ key: String, in entry: Entry, example: String) -> String? {
        guard let member = byKey[key] else {
            report(at: entry.keyNode, "\(entry.key) needs '\(key)', e.g. \(key): \(example)")
            return nil
        }
        return requiredText(member, "\(key) must be text, e.g. \(key): \(example)")
    }

    private mutating func readPerformance(_ entry: Entry) -> PerformanceRule? {
        let example = "{model: fraud-detection, metric: f1, below: 0.8, window: 24h, min_samples: 3}"
        guard let byKey = members(entry, known: Self.performanceKeys, example: example) else { return nil }
        let model = text(byKey, "model", in: entry, example: "fraud-detection")
        let metric = text(byKey, "metric", in: entry, example: "f1")
        var below: Double?
        if let member = byKey["below"] {
            below = number(member, where: { $0.isFinite }, "below must be a number, e.g. below: 0.8")
        } else {
            report(at: entry.keyNode, "performance needs 'below', e.g. below: 0.8")
        }
        var window = "24h"
        if let member = byKey["window"] {
            if duration(member) != nil, let text = member.value.scalarValue?.string { window = text } else { return nil }
        }
        var minSamples = 1
        if let member = byKey["min_samples"] {
            guard let value = wholeNumber(member, "min_samples must be a whole number of at least 1") else { return nil }
            minSamples = value
        }
        var data: String?
        if let member = byKey["data"] {
            guard let value = requiredText(member, "data must be a path to labelled rows, e.g. data: data/labelled/")
            else { return nil }
            data = value
        }
        var timeColumn: String?
        if let member = byKey["time_column"] {
            guard data != nil else {
                report(at: member.keyNode, "time_column applies with data: only; add data: data/labelled/ or remove it")
                return nil
            }
            guard let value = requiredText(member, "time_column must be a column name, e.g. time_column: labelled_at")
            else { return nil }
            timeColumn = value
        }
        if let data, let metric, !Self.labelledMetrics.contains(metric) {
            report(value: byKey["metric"]!, "metric '\(metric)' cannot be measured on labelled data (\(data)); use one of "
                + Self.labelledMetrics.joined(separator: ", "))
            return nil
        }
        guard let model, let metric, let below else { return nil }
        return PerformanceRule(model: model, metric: metric, below: below, window: window, minSamples: minSamples,
                               data: data, timeColumn: timeColumn)
    }

    private mutating func readData(_ entry: Entry) -> DataRule? {
        let example = "{path: data/incoming/, new_rows: 50000}"
        guard let byKey = members(entry, known: Self.dataKeys, example: example) else { return nil }
        let sources = ["path", "query", "command"].filter { byKey[$0] != nil }
        guard sources.count == 1 else {
            report(at: entry.keyNode, sources.isEmpty
                ? "data needs one of path:, query: or command:, e.g. data: \(example)"
                : "data takes one of path:, query: or command:, not \(sources.joined(separator: " and "))")
            return nil
        }
        var source: DataSource?
        switch sources[0] {
        case "path":
            source = requiredText(byKey["path"]!, "path must be text, e.g. path: data/incoming/").map(DataSource.path)
        case "query":
            let member = byKey["query"]!
            if let query = members(member, known: Self.queryKeys, example: "{sqlite: events.db, query: \"SELECT count(*) FROM events\"}") {
                let file = text(query, "sqlite", in: member, example: "events.db")
                let sql = text(query, "query", in: member, example: "\"SELECT count(*) FROM events\"")
                if let file, let sql { source = .query(sqlite: file, query: sql) }
            }
        default:
            source = readCommand(byKey["command"]!)
        }
        guard let rowsEntry = byKey["new_rows"] else {
            report(at: entry.keyNode, "data needs 'new_rows', e.g. new_rows: 50000")
            return nil
        }
        var timeout: String?
        if let member = byKey["timeout"] {
            guard sources[0] == "command" else {
                report(at: member.keyNode, "timeout applies to command: only; remove it, or count rows with a command")
                return nil
            }
            guard let limit = duration(member) else { return nil }
            guard limit > .zero, limit <= .seconds(3600) else {
                report(value: member, "timeout must be more than 0 and at most \(DataRule.maxCommandTimeout), e.g. timeout: 2m")
                return nil
            }
            timeout = member.value.scalarValue?.string
        }
        guard let rows = wholeNumber(rowsEntry, "new_rows must be a whole number of at least 1"), let source
        else { return nil }
        return DataRule(source: source, newRows: rows, timeout: timeout)
    }

    private mutating func readCommand(_ entry: Entry) -> DataSource? {
        guard case .sequence(let sequence) = entry.value, !sequence.isEmpty else {
            report(value: entry, "command must be a non-empty list of arguments (argv), e.g. command: [python3, count.py]")
            return nil
        }
        var argv: [String] = []
        for element in sequence {
            guard let scalar = element.scalarValue, ScalarKind(scalar) != .null else {
                report(at: element, "each argument of command must be text, not \(element.kindDescription)")
                return nil
            }
            argv.append(scalar.string)
        }
        return .command(argv)
    }

    private mutating func readDrift(_ entry: Entry) -> DriftRule? {
        let example = "{model: fraud-detection, current: data/incoming/, method: auto, share: 0.5}"
        guard let byKey = members(entry, known: Self.driftKeys, example: example) else { return nil }
        let model = text(byKey, "model", in: entry, example: "fraud-detection")
        let current = text(byKey, "current", in: entry, example: "data/incoming/")
        var method = "auto"
        if let member = byKey["method"] {
            guard let value = requiredText(member, "method must be text, e.g. method: auto") else { return nil }
            method = value
        }
        var share = 0.5
        if let member = byKey["share"] {
            guard let value = number(member, where: { $0 > 0 && $0 <= 1 }, "share must be a number above 0 and at most 1, e.g. share: 0.5")
            else { return nil }
            share = value
        }
        var target = DriftRule.Target.columns
        if let member = byKey["on"] {
            let message = "on must be one of columns, predictions, both, e.g. on: predictions"
            guard let value = requiredText(member, message) else { return nil }
            guard let parsed = DriftRule.Target(rawValue: value) else {
                report(value: member, message)
                return nil
            }
            target = parsed
        }
        guard let model, let current else { return nil }
        return DriftRule(model: model, current: current, method: method, share: share, on: target)
    }

    private mutating func readUpstream(_ entry: Entry) -> [String] {
        let message = "upstream must be a list of model names, e.g. upstream: [recommendation]"
        if let scalar = entry.value.scalarValue, ScalarKind(scalar) == .string { return [scalar.string] }
        guard case .sequence(let sequence) = entry.value else {
            report(value: entry, message)
            return []
        }
        var names: [String] = []
        for element in sequence {
            guard let scalar = element.scalarValue, ScalarKind(scalar) == .string else {
                report(at: element, message)
                continue
            }
            names.append(scalar.string)
        }
        return names
    }

    /// One of an enum's raw values, reported with the allowed values (and a suggestion) otherwise.
    private mutating func choice<Value: RawRepresentable & CaseIterable>(_ entry: Entry, default fallback: Value) -> Value
    where Value.RawValue == String {
        let allowed = Value.allCases.map(\.rawValue)
        guard let text = requiredText(entry, "\(entry.key) must be one of: \(allowed.joined(separator: ", "))") else {
            return fallback
        }
        if let value = Value(rawValue: text) { return value }
        let hint = Suggestion.hint(for: text, in: allowed)
        report(value: entry, "\(entry.key) '\(text)' is not one of: \(allowed.joined(separator: ", "))\(hint)")
        return fallback
    }
}
