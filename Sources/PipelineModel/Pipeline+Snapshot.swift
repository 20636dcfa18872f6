extension Pipeline {
    /// The pipeline a stored snapshot holds (the JSON text of its `Codable` form), read through
    /// ``JSONValue/init(parsing:)`` instead of `JSONDecoder`, which spent about 8 µs per task of a snapshot (8 ms for
    /// each process that reads a 1,000-task run: the daemon, every worker, a follower).
    ///
    /// It gives the value `JSONDecoder` gives, members read as the `Codable` form reads them (optional ones absent or
    /// null, unknown keys ignored). Returns `nil` when the text is not such a snapshot — not JSON, a member of another
    /// type, an integer past 2^53 (read exactly only by `JSONDecoder`) — and when it has `notify` or `triggers`
    /// rules: the caller then decodes with `JSONDecoder`, which also says what is wrong.
    public init?(snapshotJSON text: String) {
        guard let value = JSONValue(parsing: text), case .object(let members) = value,
            case .string(let name)? = members["name"], case .object(let params)? = members["params"],
            case .array(let items)? = members["tasks"],
            let description = Snapshot.optional(members["description"], { $0.stringValue }),
            Snapshot.isAbsent(members["triggers"]), Snapshot.isAbsentOrEmpty(members["notify"])
        else { return nil }
        var tasks: [TaskSpec] = []
        tasks.reserveCapacity(items.count)
        for item in items {
            guard let task = TaskSpec(snapshot: item) else { return nil }
            tasks.append(task)
        }
        self.init(name: name, description: description, params: params, tasks: tasks)
    }
}

extension TaskSpec {
    /// A task of a snapshot (see ``Pipeline/init(snapshotJSON:)``), as `init(from:)` reads it.
    init?(snapshot value: JSONValue) {
        guard case .object(let members) = value, case .string(let id)? = members["id"],
            let actionValue = members["action"], let action = TaskAction(snapshot: actionValue),
            let needs = Snapshot.optional(members["needs"], Snapshot.strings),
            let condition = Snapshot.optional(members["if"], { $0.stringValue }),
            let env = Snapshot.optional(members["env"], Snapshot.stringMap),
            let workdir = Snapshot.optional(members["workdir"], { $0.stringValue }),
            let retry = Snapshot.optional(members["retry"], RetryPolicy.init(snapshot:)),
            let timeout = Snapshot.optional(members["timeout_ms"], Snapshot.integer),
            let cache = Snapshot.optional(members["cache"], CachePolicy.init(snapshot:)),
            let runsOn = Snapshot.optional(members["runs_on"], Snapshot.strings)
        else { return nil }
        self.id = id
        self.needs = needs ?? []
        self.condition = condition
        self.action = action
        self.env = env ?? [:]
        self.workdir = workdir
        self.retry = retry ?? RetryPolicy()
        self.timeout = timeout.map { .milliseconds($0) }
        self.cache = cache
        self.runsOn = runsOn ?? []  // as stored: `init(from:)` does not sort them again either
    }
}

extension TaskAction {
    /// The synthesized `Codable` form: `{"run":{"_0":[…]}}`, `{"shell":{"_0":"…"}}`, `{"uses":{"_0":"…","with":{…}}}`.
    init?(snapshot value: JSONValue) {
        guard case .object(let outer) = value, outer.count == 1, let (kind, payload) = outer.first,
            case .object(let members) = payload
        else { return nil }
        switch kind {
        case "run":
            guard let argv = members["_0"].flatMap(Snapshot.strings) else { return nil }
            self = .run(argv)
        case "shell":
            guard case .string(let script)? = members["_0"] else { return nil }
            self = .shell(script)
        case "uses":
            guard case .string(let name)? = members["_0"], case .object(let inputs)? = members["with"] else {
                return nil
            }
            self = .uses(name, with: inputs)
        default:
            return nil
        }
    }
}

extension RetryPolicy {
    /// The snapshot form (see ``Pipeline/init(snapshotJSON:)``).
    init?(snapshot value: JSONValue) {
        guard case .object(let members) = value,
            let retries = Snapshot.optional(members["retries"], Snapshot.integer),
            let delay = Snapshot.optional(members["delay_ms"], Snapshot.integer),
            let backoff = Snapshot.optional(members["backoff"], { $0.numberValue }),
            let maxDelay = Snapshot.optional(members["max_delay_ms"], Snapshot.integer),
            let jitter = Snapshot.optional(members["jitter"], { $0.numberValue }),
            let count = Int(exactly: retries ?? 0)
        else { return nil }
        self.init(
            retries: count, delay: .milliseconds(delay ?? 0), backoff: backoff ?? 1,
            maxDelay: maxDelay.map { .milliseconds($0) }, jitter: jitter ?? 0)
    }
}

extension CachePolicy {
    /// The snapshot form (see ``Pipeline/init(snapshotJSON:)``).
    init?(snapshot value: JSONValue) {
        guard case .object(let members) = value,
            let expire = Snapshot.optional(members["expire_ms"], Snapshot.integer),
            let version = Snapshot.optional(members["version"], { $0.stringValue })
        else { return nil }
        self.init(expire: expire.map { .milliseconds($0) }, version: version)
    }
}

/// How a snapshot's members are read: as `JSONDecoder` reads them through the `Codable` forms, or `nil`.
private enum Snapshot {
    /// A member read as `decodeIfPresent` reads it: `.some(nil)` when absent or null, `nil` when `read` refuses it.
    static func optional<Value>(_ member: JSONValue?, _ read: (JSONValue) -> Value?) -> Value?? {
        guard let member, member != .null else { return .some(nil) }
        guard let value = read(member) else { return nil }
        return .some(value)
    }

    static func isAbsent(_ member: JSONValue?) -> Bool { member == nil || member == .null }

    static func isAbsentOrEmpty(_ member: JSONValue?) -> Bool { isAbsent(member) || member == .array([]) }

    static func strings(_ value: JSONValue) -> [String]? {
        guard case .array(let items) = value else { return nil }
        var texts: [String] = []
        texts.reserveCapacity(items.count)
        for item in items {
            guard case .string(let text) = item else { return nil }
            texts.append(text)
        }
        return texts
    }

    static func stringMap(_ value: JSONValue) -> [String: String]? {
        guard case .object(let members) = value else { return nil }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (key, member) in members {
            guard case .string(let text) = member else { return nil }
            map[key] = text
        }
        return map
    }

    /// An integer the parsed `Double` holds exactly. 2^53 itself is left to `JSONDecoder` with the larger ones: the
    /// text `9007199254740993` parses to it too.
    static func integer(_ value: JSONValue) -> Int64? {
        guard let number = value.numberValue, number.magnitude < Double(JSONValue.largestExactInteger) else {
            return nil
        }
        return JSONValue.exactInteger(number)
    }
}
