import PipelineModel

extension PipelineReader {
    /// Reads the fields of a task or of `defaults:`, reporting unknown keys and invalid values.
    mutating func readFields(_ mapping: YAMLNode.Mapping, owner: FieldOwner) -> TaskFields {
        var fields = TaskFields()
        for entry in entries(of: mapping) {
            switch entry.key {
            case "needs":
                if case .defaults = owner {
                    report(at: entry.keyNode, "defaults cannot set needs; list needs on each task")
                } else {
                    fields.needs = readNeeds(entry)
                }
            case "if": fields.condition = readText(entry, "if must be an expression, e.g. if: ${{ failure() }}")
            case "run": fields.run = readArguments(entry)
            case "shell": fields.shell = readText(entry, "shell must be a script, e.g. shell: echo done")
            case "uses": fields.uses = readText(entry, "uses must be the name of a task kind, e.g. uses: noop")
            case "with": fields.with = readInputs(entry)
            case "env": fields.env = readEnvironment(entry)
            case "workdir": fields.workdir = readText(entry, "workdir must be a directory path, e.g. workdir: scripts")
            case "retries":
                var value: Int?
                if let scalar = entry.value.scalarValue, ScalarKind(scalar) == .integer,
                    let number = ScalarKind.integerValue(scalar.string), number >= 0, number <= 1_000_000
                {
                    value = Int(number)
                } else {
                    report(value: entry, "retries must be a whole number ≥ 0")
                }
                fields.retries = FieldValue(value: value, entry: entry)
            case "retry_delay": fields.retryDelay = FieldValue(value: duration(entry), entry: entry)
            case "retry_max_delay": fields.retryMaxDelay = FieldValue(value: duration(entry), entry: entry)
            case "timeout": fields.timeout = FieldValue(value: duration(entry), entry: entry)
            case "retry_backoff":
                let value = number(entry, where: { $0 >= 1 && $0.isFinite },
                    "retry_backoff must be a number ≥ 1 (1 keeps the delay constant, 2 doubles it each retry)")
                fields.retryBackoff = FieldValue(value: value, entry: entry)
            case "retry_jitter":
                let value = number(entry, where: { $0 >= 0 && $0 <= 1 },
                    "retry_jitter must be a number between 0 and 1 (a fraction of each delay)")
                fields.retryJitter = FieldValue(value: value, entry: entry)
            case "cache": fields.cache = readCache(entry, owner: owner)
            case "runs_on": fields.runsOn = readLabels(entry)
            default: unknownKey(entry, place: owner.place, known: TaskFields.keys)
            }
        }
        return fields
    }

    /// Builds the task from its fields (defaults applied), reporting a missing or ambiguous action. Plan issues under
    /// `tasks.ID` are located from the fields (``PipelineReader/location(of:)``), at the task or at `defaults:`.
    mutating func makeTask(id: String, keyNode: YAMLNode, fields: TaskFields) -> TaskSpec {
        var action = TaskAction.shell("")  // stands in when the action is missing or invalid (already reported)
        let actionCount = (fields.run == nil ? 0 : 1) + (fields.shell == nil ? 0 : 1) + (fields.uses == nil ? 0 : 1)
        if actionCount == 0 {
            report(at: keyNode, "task '\(id)' has nothing to do; give it one of run:, shell: or uses:")
        } else if actionCount > 1 {
            let actions = [fields.run?.entry, fields.shell?.entry, fields.uses?.entry].compactMap { $0 }
                .sorted { document.position(of: $0.keyNode) < document.position(of: $1.keyNode) }
            let names = actions.map { "'\($0.key)'" }
            report(
                at: actions[1].keyNode,
                "task '\(id)' sets \(names.dropLast().joined(separator: ", ")) and \(names.last!); "
                    + "give it exactly one of run, shell or uses")
        } else if let argv = fields.run?.value {
            action = .run(argv)
        } else if let script = fields.shell?.value {
            action = .shell(script)
        } else if let kind = fields.uses?.value {
            action = .uses(kind, with: fields.with?.value ?? [:])
        }
        if let with = fields.with, fields.uses == nil {
            report(
                at: with.entry.keyNode,
                "'with' gives inputs to a task kind, but task '\(id)' has no 'uses:'; add uses: KIND or remove 'with'")
        }
        return TaskSpec(
            id: id, needs: fields.needs?.value ?? [], condition: fields.condition?.value, action: action,
            env: fields.env?.value ?? [:], workdir: fields.workdir?.value, retry: fields.retryPolicy,
            timeout: fields.timeout?.value, cache: fields.cachePolicy, runsOn: fields.runsOn?.value ?? [])
    }

    // MARK: Field readers

    private mutating func readText(_ entry: Entry, _ message: String) -> FieldValue<String> {
        FieldValue(value: requiredText(entry, message), entry: entry)
    }

    private mutating func readNeeds(_ entry: Entry) -> FieldValue<[String]> {
        if let scalar = entry.value.scalarValue, ScalarKind(scalar) != .null {
            let member = NodeLocation(key: nil, value: entry.value)
            return FieldValue(value: [scalar.string], entry: entry, members: [[.index(0)]: member])
        }
        guard case .sequence(let sequence) = entry.value else {
            report(value: entry, "needs must be a task id or a list of task ids, e.g. needs: [extract]")
            return FieldValue(value: nil, entry: entry)
        }
        var ids: [String] = []
        ids.reserveCapacity(sequence.count)
        for element in sequence {
            guard let scalar = element.scalarValue, ScalarKind(scalar) != .null else {
                report(at: element, "each entry of needs must be a task id, not \(element.kindDescription)")
                continue
            }
            ids.append(scalar.string)
        }
        // Every element kept: `needs[i]` is the i-th element, found when asked for.
        if ids.count == sequence.count { return FieldValue(value: ids, entry: entry, membersFromValue: true) }
        var members: [[PipelineIssue.PathComponent]: NodeLocation] = [:]
        var index = 0
        for element in sequence where element.scalarValue.map({ ScalarKind($0) != .null }) ?? false {
            members[[.index(index)]] = NodeLocation(key: nil, value: element)
            index += 1
        }
        return FieldValue(value: ids, entry: entry, members: members)
    }

    /// `runs_on: gpu` or `runs_on: [gpu, big-memory]`: the labels a worker must have.
    private mutating func readLabels(_ entry: Entry) -> FieldValue<[String]> {
        let elements: [YAMLNode]
        if case .sequence(let sequence) = entry.value {
            elements = Array(sequence)
        } else if let scalar = entry.value.scalarValue, ScalarKind(scalar) != .null {
            elements = [entry.value]
        } else {
            report(value: entry, "runs_on must be a worker label or a list of them, e.g. runs_on: [gpu]")
            return FieldValue(value: nil, entry: entry)
        }
        var labels: [String] = []
        for element in elements {
            guard let scalar = element.scalarValue, ScalarKind(scalar) != .null, Plan.isValidID(scalar.string) else {
                report(at: element, "each runs_on label must be lowercase letters, digits, '-' or '_' (starting with a "
                    + "letter or digit), e.g. runs_on: [gpu]")
                return FieldValue(value: nil, entry: entry)
            }
            labels.append(scalar.string)
        }
        return FieldValue(value: labels, entry: entry)
    }

    mutating func readArguments(_ entry: Entry) -> FieldValue<[String]> {
        guard case .sequence(let sequence) = entry.value else {
            if let scalar = entry.value.scalarValue, ScalarKind(scalar) == .string {
                report(
                    value: entry,
                    "run takes a list of arguments (argv), e.g. run: [python3, train.py]; "
                        + "to run a command line through /bin/sh, use shell:")
            } else {
                report(value: entry, "run must be a list of arguments, e.g. run: [python3, train.py]")
            }
            return FieldValue(value: nil, entry: entry)
        }
        var argv: [String] = []
        var members: [[PipelineIssue.PathComponent]: NodeLocation] = [:]
        var valid = true
        for element in sequence {
            guard let scalar = element.scalarValue, ScalarKind(scalar) != .null else {
                report(at: element, "each argument of run must be text, a number or a boolean, not \(element.kindDescription)")
                valid = false
                continue
            }
            members[[.index(argv.count)]] = NodeLocation(key: nil, value: element)
            argv.append(scalar.string)
        }
        return FieldValue(value: valid ? argv : nil, entry: entry, members: members)
    }

    private mutating func readInputs(_ entry: Entry) -> FieldValue<[String: JSONValue]> {
        guard case .mapping = entry.value else {
            report(value: entry, "with must be a mapping of inputs, e.g. with: {rows: 10}")
            return FieldValue(value: nil, entry: entry)
        }
        return FieldValue(value: json(entry.value).objectValue, entry: entry, membersFromValue: true)
    }

    private mutating func readEnvironment(_ entry: Entry) -> FieldValue<[String: String]> {
        guard case .mapping(let mapping) = entry.value else {
            report(value: entry, "env must be a mapping of variable names to values, e.g. env: {MODE: fast}")
            return FieldValue(value: nil, entry: entry)
        }
        var environment: [String: String] = [:]
        var members: [[PipelineIssue.PathComponent]: NodeLocation] = [:]
        for variable in entries(of: mapping) {
            guard let scalar = variable.value.scalarValue else {
                report(
                    value: variable,
                    "env value '\(variable.key)' must be text, a number or a boolean, not \(variable.value.kindDescription)")
                continue
            }
            environment[variable.key] = ScalarKind(scalar) == .null ? "" : scalar.string
            members[[.key(variable.key)]] = NodeLocation(key: variable.keyNode, value: variable.value)
        }
        return FieldValue(value: environment, entry: entry, members: members)
    }

    private mutating func readCache(_ entry: Entry, owner: FieldOwner) -> FieldValue<CachePolicy?> {
        if let scalar = entry.value.scalarValue, ScalarKind(scalar) == .bool {
            let enabled = scalar.string.lowercased() == "true"
            return FieldValue(value: .some(enabled ? CachePolicy() : nil), entry: entry)
        }
        guard case .mapping(let mapping) = entry.value else {
            report(value: entry, "cache must be true, false or a mapping such as {key: inputs, expire: 1h}")
            return FieldValue(value: nil, entry: entry)
        }
        var policy = CachePolicy()
        var valid = true
        var hasKey = false
        var members: [[PipelineIssue.PathComponent]: NodeLocation] = [:]
        let place: String
        switch owner {
        case .task(let id): place = "in the cache of task '\(id)'"
        case .defaults: place = "in the cache of defaults"
        }
        for member in entries(of: mapping) {
            members[[.key(member.key)]] = NodeLocation(key: member.keyNode, value: member.value)
            switch member.key {
            case "key":
                hasKey = true
                let message = "cache key must be 'inputs' (the only kind of cache key for now)"
                if let kind = requiredText(member, message) {
                    if kind != "inputs" {
                        report(value: member, message)
                        valid = false
                    }
                } else {
                    valid = false
                }
            case "expire":
                policy.expire = duration(member)
                valid = valid && policy.expire != nil
            case "version":
                policy.version = requiredText(member, "cache version must be text, e.g. version: \"2\"")
                valid = valid && policy.version != nil
            default:
                unknownKey(member, place: place, known: ["key", "expire", "version"])
            }
        }
        if !hasKey {
            report(at: entry.keyNode, "cache needs 'key: inputs' (the only kind of cache key for now)")
            valid = false
        }
        return FieldValue(value: valid ? .some(policy) : nil, entry: entry, members: members)
    }

    /// A duration such as `30m` or `1h30m`; a bare number is refused with a hint to add a unit.
    mutating func duration(_ entry: Entry) -> Duration? {
        guard let scalar = entry.value.scalarValue, ScalarKind(scalar) != .null else {
            report(value: entry, "\(entry.key) must be a duration such as 30s, 5m or 1h30m")
            return nil
        }
        do {
            return try DurationText.parse(scalar.string)
        } catch {
            report(value: entry, "\(entry.key): \(error)")
            return nil
        }
    }

    /// A whole number from 1 to 2^53 (where numbers are exact), else `nil` after reporting `message` (with the upper
    /// limit when the number is above it). Infinity and huge values are refused here rather than trap when converted.
    mutating func wholeNumber(_ entry: Entry, _ message: String) -> Int? {
        let limit = Double(ScalarKind.largestExactInteger)
        if let scalar = entry.value.scalarValue, [.integer, .float].contains(ScalarKind(scalar)),
            let value = ScalarKind.numberValue(scalar.string), value >= 1, value == value.rounded()
        {
            if value <= limit { return Int(value) }
            report(value: entry, "\(message) and at most 9007199254740992 (2^53)")
            return nil
        }
        report(value: entry, message)
        return nil
    }

    /// A number (integer or float) that satisfies `isValid`, else `nil` after reporting `message`.
    mutating func number(_ entry: Entry, where isValid: (Double) -> Bool, _ message: String) -> Double? {
        if let scalar = entry.value.scalarValue, [.integer, .float].contains(ScalarKind(scalar)),
            let value = ScalarKind.numberValue(scalar.string), isValid(value)
        {
            return value
        }
        report(value: entry, message)
        return nil
    }
}
