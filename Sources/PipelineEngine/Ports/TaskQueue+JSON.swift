public import PipelineModel

// The stored forms of the task queue's rows, written with `JSONValue.compactJSON` and read with
// `JSONValue(parsing:)`: every attempt's work and result crosses the queue once each way, and Foundation's
// `JSONEncoder`/`JSONDecoder` cost a fifth of a worker's CPU on no-op tasks. Timestamps are integer nanoseconds in
// strings (exact).

extension AttemptWork {
    /// `{"run": [ARGV]}`, `{"shell": SCRIPT}` or `{"uses": KIND}`, with `inputs`, `env`, `workdir`, `decision` and
    /// `withheld` (empty ones left out).
    public var json: JSONValue {
        var members: [String: JSONValue] = ["workdir": .string(workingDirectory)]
        switch action {
        case .run(let argv): members["run"] = .array(argv.map(JSONValue.string))
        case .shell(let script): members["shell"] = .string(script)
        case .uses(let kind): members["uses"] = .string(kind)
        }
        if !inputs.isEmpty { members["inputs"] = .object(inputs) }
        if !environment.isEmpty { members["env"] = .object(environment.mapValues(JSONValue.string)) }
        if let decision { members["decision"] = decision.json }
        if !withheldEnvironment.isEmpty { members["withheld"] = .array(withheldEnvironment.map(JSONValue.string)) }
        return .object(members)
    }

    /// Reads the stored form; `nil` when it is malformed.
    public init?(json: JSONValue) {
        guard case .object(let members) = json, let workdir = members["workdir"]?.stringValue else { return nil }
        let action: ResolvedAction
        if case .array(let argv)? = members["run"] {
            let words = argv.compactMap(\.stringValue)
            guard words.count == argv.count else { return nil }
            action = .run(words)
        } else if let script = members["shell"]?.stringValue {
            action = .shell(script)
        } else if let kind = members["uses"]?.stringValue {
            action = .uses(kind)
        } else {
            return nil
        }
        var inputs: [String: JSONValue] = [:]
        if let value = members["inputs"] {
            guard case .object(let object) = value else { return nil }
            inputs = object
        }
        var environment: [String: String] = [:]
        if case .object(let object)? = members["env"] {
            for (name, value) in object {
                guard let text = value.stringValue else { return nil }
                environment[name] = text
            }
        }
        var decision: Decision?
        if let value = members["decision"], value != .null {
            guard let read = Decision(json: value) else { return nil }
            decision = read
        }
        let withheld = (members["withheld"]?.arrayValue ?? []).compactMap(\.stringValue)
        self.init(
            action: action, inputs: inputs, environment: environment, workingDirectory: workdir, decision: decision,
            withheldEnvironment: withheld)
    }
}

extension AttemptResult {
    /// `{"succeeded": {…}}`, `{"cached": {…}}`, `{"failed": {…}}`, `{"cancelled": {}}` or `{"suspended": {…}}`.
    public var json: JSONValue {
        switch self {
        case .succeeded(let outputs, let key, let note, let lineage):
            var members: [String: JSONValue] = ["outputs": .object(outputs)]
            if let key { members["cache_key"] = .string(key) }
            if let note { members["cache_note"] = .string(note) }
            if let lineage { members["lineage"] = lineage.json }
            return ["succeeded": .object(members)]
        case .cached(let entry, let note, let lineage):
            var members: [String: JSONValue] = ["entry": entry.json, "note": .string(note)]
            if let lineage { members["lineage"] = lineage.json }
            return ["cached": .object(members)]
        case .failed(let error, let key):
            var members: [String: JSONValue] = ["error": .string(error)]
            if let key { members["cache_key"] = .string(key) }
            return ["failed": .object(members)]
        case .cancelled:
            return ["cancelled": .object([:])]
        case .suspended(let reason, let deadline):
            var members: [String: JSONValue] = ["reason": .string(reason)]
            if let deadline { members["deadline"] = .string(String(deadline.nanosecondsSince1970)) }
            return ["suspended": .object(members)]
        }
    }

    /// Reads the stored form; `nil` when it is malformed.
    public init?(json: JSONValue) {
        guard case .object(let outer) = json, outer.count == 1, let (kind, body) = outer.first,
            case .object(let members) = body
        else { return nil }
        var lineage: TaskLineage?
        if let value = members["lineage"], value != .null {
            guard let read = TaskLineage(json: value) else { return nil }
            lineage = read
        }
        switch kind {
        case "succeeded":
            guard case .object(let outputs)? = members["outputs"] else { return nil }
            self = .succeeded(
                outputs: outputs, cacheKey: members["cache_key"]?.stringValue, cacheNote: members["cache_note"]?.stringValue,
                lineage: lineage)
        case "cached":
            guard let entry = members["entry"].flatMap(CacheEntry.init(json:)), let note = members["note"]?.stringValue
            else { return nil }
            self = .cached(entry, note: note, lineage: lineage)
        case "failed":
            guard let error = members["error"]?.stringValue else { return nil }
            self = .failed(error: error, cacheKey: members["cache_key"]?.stringValue)
        case "cancelled":
            self = .cancelled
        case "suspended":
            guard let reason = members["reason"]?.stringValue else { return nil }
            let deadline = members["deadline"]?.stringValue.flatMap { Int64($0) }.map(Timestamp.init(nanosecondsSince1970:))
            self = .suspended(reason: reason, deadline: deadline)
        default:
            return nil
        }
    }
}

extension CacheEntry {
    /// `{"key", "pipeline", "task", "run", "outputs", "created_at", "expires_at"}` (times as nanosecond strings).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "key": .string(key), "pipeline": .string(pipeline), "task": .string(taskID), "run": .string(runID.rawValue),
            "outputs": .object(outputs), "created_at": .string(String(createdAt.nanosecondsSince1970)),
        ]
        if let expiresAt { members["expires_at"] = .string(String(expiresAt.nanosecondsSince1970)) }
        return .object(members)
    }

    /// Reads that form; `nil` when it is malformed.
    public init?(json: JSONValue) {
        guard case .object(let members) = json, let key = members["key"]?.stringValue,
            let pipeline = members["pipeline"]?.stringValue, let task = members["task"]?.stringValue,
            let run = members["run"]?.stringValue, case .object(let outputs)? = members["outputs"],
            let created = members["created_at"]?.stringValue.flatMap({ Int64($0) })
        else { return nil }
        let expires = members["expires_at"]?.stringValue.flatMap { Int64($0) }.map(Timestamp.init(nanosecondsSince1970:))
        self.init(
            key: key, pipeline: pipeline, taskID: task, runID: RunID(rawValue: run), outputs: outputs,
            createdAt: Timestamp(nanosecondsSince1970: created), expiresAt: expires)
    }
}
