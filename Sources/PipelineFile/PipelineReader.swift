import PipelineModel

/// Where a field sits in the file: its key (for mapping entries) and its value.
struct NodeLocation {
    var key: YAMLNode?
    var value: YAMLNode
}

/// One entry of a YAML mapping whose key is text.
struct Entry {
    let key: String
    let keyNode: YAMLNode
    let value: YAMLNode
}

/// Walks a composed pipeline file: builds the ``Pipeline``, collects every file-level problem with its position,
/// and remembers where each field path (`tasks.train.needs[1]`) came from so plan issues can be located too.
struct PipelineReader {
    static let topLevelKeys = ["name", "description", "params", "defaults", "tasks", "triggers", "notify"]

    let document: YAMLDocument
    private(set) var findings: [Finding] = []
    private(set) var locations: [[PipelineIssue.PathComponent]: NodeLocation] = [:]
    /// Where each task and its fields (defaults applied) are, by task id: the paths under `tasks.ID` are resolved
    /// from these only when a plan issue is located, instead of recording one path per field of every task.
    private(set) var taskLocations: [String: TaskLocation] = [:]
    /// Paths whose plan issues repeat a problem already reported here (e.g. "no tasks" when `tasks:` is a list).
    private(set) var suppressedPlanPaths: Set<[PipelineIssue.PathComponent]> = []

    init(document: YAMLDocument) { self.document = document }

    /// Reads the whole file. Returns a pipeline whenever the top level is a mapping, even with problems, so the
    /// plan checks can run on it; invalid fields fall back to their built-in defaults.
    mutating func read() -> Pipeline? {
        guard let root = document.root else {
            report(line: 1, column: 1, "the file is empty; a pipeline needs at least 'name:' and 'tasks:'")
            return nil
        }
        guard case .mapping(let mapping) = root else {
            report(at: root, "the top level must be a mapping with keys such as 'name:' and 'tasks:', not \(root.kindDescription)")
            return nil
        }
        var byKey: [String: Entry] = [:]
        for entry in entries(of: mapping) {
            if Self.topLevelKeys.contains(entry.key) {
                byKey[entry.key] = entry
            } else {
                unknownKey(entry, place: "at the top level", known: Self.topLevelKeys)
            }
        }
        var name = "pipeline"  // stands in for a missing name so the plan checks report only the other problems
        if let entry = byKey["name"] {
            record([.key("name")], entry)
            if let text = requiredText(entry, "name must be text, e.g. name: nightly") {
                name = text
                if text.allSatisfy(\.isWhitespace) { report(value: entry, "the pipeline needs a name") }
            }
        } else {
            report(at: root, "missing required key 'name'; add e.g. name: nightly")
        }
        var description: String?
        if let entry = byKey["description"], !entry.value.isEmptyValue {
            description = requiredText(entry, "description must be text")
        }
        var params: [String: JSONValue] = [:]
        if let entry = byKey["params"], !entry.value.isEmptyValue {
            if case .mapping = entry.value {
                var records: [[PipelineIssue.PathComponent]: NodeLocation] = [:]
                params = json(entry.value, path: [.key("params")], into: &records).objectValue ?? [:]
                locations.merge(records) { _, new in new }
            } else {
                report(value: entry, "params must be a mapping of names to default values, e.g. params: {min_f1: 0.85}")
            }
        }
        var defaults = TaskFields()
        if let entry = byKey["defaults"], !entry.value.isEmptyValue {
            if case .mapping(let defaultsMapping) = entry.value {
                defaults = readFields(defaultsMapping, owner: .defaults)
            } else {
                report(value: entry, "defaults must be a mapping of task fields, e.g. defaults: {timeout: 30m}")
            }
        }
        let tasks = readTasks(byKey["tasks"], root: root, defaults: defaults)
        let notify = readNotify(byKey["notify"])
        let triggers = readTriggers(byKey["triggers"])
        return Pipeline(
            name: name, description: description, params: params, tasks: tasks, notify: notify, triggers: triggers)
    }

    private mutating func readTasks(_ entry: Entry?, root: YAMLNode, defaults: TaskFields) -> [TaskSpec] {
        let noTasks = "the pipeline has no tasks; add at least one under 'tasks:'"
        guard let entry else {
            report(at: root, noTasks)
            return []
        }
        record([.key("tasks")], entry)
        if entry.value.isEmptyValue {
            report(value: entry, noTasks)
            return []
        }
        guard case .mapping(let mapping) = entry.value else {
            suppressedPlanPaths.insert([.key("tasks")])
            report(
                value: entry,
                "tasks must be a mapping from task id to task, e.g. tasks: {extract: {run: [python3, extract.py]}}")
            return []
        }
        var tasks: [TaskSpec] = []
        // Without `defaults:` (the usual file), no task's fields are copied to apply nothing.
        let hasDefaults = !defaults.setFields.isEmpty
        let taskEntries = entries(of: mapping)
        taskLocations.reserveCapacity(taskEntries.count)
        tasks.reserveCapacity(taskEntries.count)
        for task in taskEntries {
            let id = task.key
            let location = TaskLocation(entry: task)
            taskLocations[id] = location
            if !Plan.isValidID(id) {
                // Same text as Plan's check, so planFrom reports it once.
                report(
                    at: task.keyNode,
                    "task id '\(id)' is invalid: use lowercase letters, digits, '-' and '_', starting with a letter or digit")
            }
            guard case .mapping(let fieldsMapping) = task.value else {
                report(
                    value: task,
                    "task '\(id)' must be a mapping of fields such as run: or needs:, not \(task.value.kindDescription)")
                tasks.append(TaskSpec(id: id, action: .shell("")))
                continue
            }
            var fields = readFields(fieldsMapping, owner: .task(id))
            if hasDefaults { fields = fields.applying(defaults) }
            tasks.append(makeTask(id: id, keyNode: task.keyNode, fields: fields))
            location.fields = consume fields  // moved, not copied: each copy retains all sixteen fields
        }
        if tasks.isEmpty { report(value: entry, noTasks) }
        return tasks
    }

    // MARK: Reporting

    mutating func report(line: Int, column: Int, _ message: String) {
        findings.append(Finding(line: line, column: column, message: message))
    }

    mutating func report(at node: YAMLNode, _ message: String) {
        let (line, column) = document.position(of: node)
        report(line: line, column: column, message)
    }

    /// Reports a problem with an entry's value (at its key when the value is missing).
    mutating func report(value entry: Entry, _ message: String) {
        report(at: entry.value.isEmptyValue ? entry.keyNode : entry.value, message)
    }

    mutating func unknownKey(_ entry: Entry, place: String, known: [String]) {
        if entry.key == "<<" {
            report(at: entry.keyNode, "merge keys ('<<') are not supported; use 'defaults:' for fields shared by tasks")
            return
        }
        let hint = Suggestion.hint(for: entry.key, in: known)
        let list = hint.isEmpty ? "; expected one of: \(known.joined(separator: ", "))" : ""
        report(at: entry.keyNode, "unknown key '\(entry.key)' \(place)\(hint)\(list)")
    }

    // MARK: Walking

    /// The entries of `mapping` in file order; non-text keys and repeated keys are reported and left out.
    mutating func entries(of mapping: YAMLNode.Mapping) -> [Entry] {
        var result: [Entry] = []
        result.reserveCapacity(mapping.count)
        // Small mappings (a task's fields) look for a repeated key among the entries kept; large ones hash.
        let hashed = mapping.count > 16
        var seen: [String: YAMLNode] = [:]
        if hashed { seen.reserveCapacity(mapping.count) }
        for (keyNode, value) in mapping {
            guard let scalar = keyNode.scalarValue else {
                report(at: keyNode, "a key must be text, not \(keyNode.kindDescription)")
                continue
            }
            let key = scalar.string
            // A key of at most that many bytes has at most that many characters.
            if key.utf8.count > PipelineFile.Limits.maximumKeyLength {
                let length = key.count
                guard length <= PipelineFile.Limits.maximumKeyLength else {
                    report(
                        at: keyNode,
                        "this key is \(length.formatted) characters long, more than the limit of "
                            + "\(PipelineFile.Limits.maximumKeyLength); use a shorter key")
                    continue
                }
            }
            if let first = hashed ? seen[key] : result.first(where: { $0.key == key })?.keyNode {
                let (line, column) = document.position(of: first)
                report(at: keyNode, "duplicate key '\(key)': it is already set at line \(line), column \(column)")
                continue
            }
            if hashed { seen[key] = keyNode }
            result.append(Entry(key: key, keyNode: keyNode, value: value))
        }
        return result
    }

    /// Remembers where the field at `path` is.
    mutating func record(_ path: [PipelineIssue.PathComponent], _ entry: Entry) {
        locations[path] = NodeLocation(key: entry.keyNode, value: entry.value)
    }

    /// Remembers `location` for the field at `path`.
    mutating func setLocation(_ path: [PipelineIssue.PathComponent], _ location: NodeLocation) {
        locations[path] = location
    }

    /// The text of a scalar entry, or `nil` after reporting `message` when it is not text (or is missing).
    mutating func requiredText(_ entry: Entry, _ message: String) -> String? {
        guard let scalar = entry.value.scalarValue, ScalarKind(scalar) != .null else {
            report(value: entry, message)
            return nil
        }
        return scalar.string
    }

    /// Converts any YAML value to JSON, recording the location of every member under `path`.
    mutating func json(
        _ node: YAMLNode, path: [PipelineIssue.PathComponent], into records: inout [[PipelineIssue.PathComponent]: NodeLocation]
    ) -> JSONValue {
        var optional: [[PipelineIssue.PathComponent]: NodeLocation]? = records
        records = [:]  // one owner while it grows
        defer { records = optional ?? [:] }
        return json(node, path: path, records: &optional)
    }

    /// Converts any YAML value to JSON, without recording where its members are (``location(in:at:)`` finds them).
    mutating func json(_ node: YAMLNode) -> JSONValue {
        var none: [[PipelineIssue.PathComponent]: NodeLocation]? = nil
        return json(node, path: [], records: &none)
    }

    private mutating func json(
        _ node: YAMLNode, path: [PipelineIssue.PathComponent], records: inout [[PipelineIssue.PathComponent]: NodeLocation]?
    ) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            let kind = ScalarKind(scalar)
            switch kind {
            case .string: return .string(scalar.string)
            case .null: return .null
            case .bool: return .bool(scalar.string.lowercased() == "true")
            case .integer, .float:
                return number(scalar.string, kind: kind, at: node)
            }
        case .sequence(let sequence):
            var values: [JSONValue] = []
            values.reserveCapacity(sequence.count)
            for (index, element) in sequence.enumerated() {
                if records == nil {
                    values.append(json(element, path: path, records: &records))
                } else {
                    records?[path + [.index(index)]] = NodeLocation(key: nil, value: element)
                    values.append(json(element, path: path + [.index(index)], records: &records))
                }
            }
            return .array(values)
        case .mapping(let mapping):
            // Sized once: `[:]` then `reserveCapacity` ran the stdlib's unspecialized generic code, a third of
            // converting a two-input `with:`; growing from empty costs more still.
            var members = [String: JSONValue](minimumCapacity: mapping.count)
            for entry in entries(of: mapping) {
                if records == nil {
                    members[entry.key] = json(entry.value, path: path, records: &records)
                } else {
                    records?[path + [.key(entry.key)]] = NodeLocation(key: entry.keyNode, value: entry.value)
                    members[entry.key] = json(entry.value, path: path + [.key(entry.key)], records: &records)
                }
            }
            return .object(members)
        }
    }

    /// A YAML number as a JSON number, refusing what a JSON number cannot keep: integers beyond ±2^53 (they would
    /// come back rounded, e.g. `1.2345678901234568e+16`) and non-finite values (`.inf`, `.nan`, `1e400`).
    private mutating func number(_ text: String, kind: ScalarKind, at node: YAMLNode) -> JSONValue {
        // At most 15 digits: below 2^53, exact.
        if kind == .integer, let value = ScalarKind.shortDecimal(text) { return .number(value) }
        if kind == .integer, ScalarKind.isDecimalInteger(text) {
            guard let value = Int64(text.first == "+" ? String(text.dropFirst()) : text),
                value.magnitude <= ScalarKind.largestExactInteger
            else {
                report(
                    at: node,
                    "the integer \(text) is too large to keep exactly: numbers are kept as 64-bit floating point, exact "
                        + "up to ±9007199254740992 (2^53); quote it to pass it as text, e.g. \"\(text)\"")
                return .string(text)
            }
            return .number(Double(value))
        }
        guard let value = ScalarKind.numberValue(text) else { return .string(text) }
        guard value.isFinite else {
            report(
                at: node,
                "\(text) is not a finite number, which a JSON value cannot hold; write a finite number, "
                    + "or quote it to pass it as text")
            return .null
        }
        if kind == .integer, value.magnitude > Double(ScalarKind.largestExactInteger) {
            report(
                at: node,
                "the integer \(text) is too large to keep exactly (the limit is ±9007199254740992, 2^53); "
                    + "quote it to pass it as text")
            return .string(text)
        }
        return .number(value)
    }

    // MARK: Plan issues

    /// Where the field at `path` is: recorded while reading, or, under `tasks.ID`, found from the task's fields.
    func location(of path: [PipelineIssue.PathComponent]) -> NodeLocation? {
        guard path.count >= 2, path[0] == .key("tasks"), case .key(let id) = path[1], let task = taskLocations[id]
        else { return locations[path] }
        guard path.count > 2 else { return NodeLocation(key: task.entry.keyNode, value: task.entry.value) }
        guard case .key(let name) = path[2],
            let field = task.fields?.setFields.first(where: { $0.entry.key == name })
        else { return nil }
        let members = path[3...]
        if members.isEmpty { return NodeLocation(key: field.entry.keyNode, value: field.entry.value) }
        if field.membersFromValue { return location(in: field.entry.value, at: members) }
        return field.members[Array(members)]
    }

    /// The member of `node` at `path`, found as ``json(_:path:into:)`` would have recorded it: sequence elements by
    /// index, mapping entries by their first text key (as ``entries(of:)`` keeps them).
    func location(in node: YAMLNode, at path: ArraySlice<PipelineIssue.PathComponent>) -> NodeLocation? {
        var current = node
        var location: NodeLocation?
        for component in path {
            switch (component, current) {
            case (.index(let index), .sequence(let sequence)):
                guard index >= 0, index < sequence.count else { return nil }
                location = NodeLocation(key: nil, value: sequence[index])
            case (.key(let key), .mapping(let mapping)):
                let found = mapping.first { keyNode, _ in
                    guard let scalar = keyNode.scalarValue else { return false }
                    let text = scalar.string
                    return text == key && text.count <= PipelineFile.Limits.maximumKeyLength
                }
                guard let found else { return nil }
                location = NodeLocation(key: found.key, value: found.value)
            default:
                return nil
            }
            current = location!.value
        }
        return location
    }

    /// The position of a plan issue: the recorded node for its path (or the nearest recorded parent's key), with
    /// the issue's offset applied inside the scalar.
    func position(of issue: PipelineIssue) -> (line: Int, column: Int) {
        var path = issue.path
        var exact = true
        while !path.isEmpty {
            if let location = location(of: path) {
                if let key = location.key, issue.atKey || !exact || location.value.isEmptyValue {
                    return document.position(of: key)
                }
                if let offset = issue.offset { return document.position(inside: location.value, offset: offset) }
                return document.position(of: location.value)
            }
            path.removeLast()
            exact = false
        }
        return document.root.map(document.position(of:)) ?? (1, 1)
    }
}
