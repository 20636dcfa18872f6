import PipelineModel

/// A field read from a task or from `defaults`: its value (`nil` when invalid, which was reported), where it is,
/// and where its members are.
///
/// A class, read once and never changed: a task's fields are copied when defaults are applied and when they are kept
/// for locating plan issues, and sixteen references copy for a fraction of what sixteen entries with their nodes do.
final class FieldValue<Value> {
    /// The converted value, or `nil` when the field is set but invalid (the task then gets the built-in default).
    let value: Value?
    /// The field's key and value nodes.
    let entry: Entry
    /// Locations of members relative to the field, e.g. `[.index(1)]` for `needs[1]`.
    let members: [[PipelineIssue.PathComponent]: NodeLocation]
    /// Whether member locations are found by walking the value node (``PipelineReader/location(in:at:)``) instead of
    /// being listed in ``members``: when each member path names the node at that place.
    let membersFromValue: Bool

    init(
        value: Value?, entry: Entry, members: [[PipelineIssue.PathComponent]: NodeLocation] = [:],
        membersFromValue: Bool = false
    ) {
        self.value = value
        self.entry = entry
        self.members = members
        self.membersFromValue = membersFromValue
    }
}

/// Where a task is: its entry under `tasks:`, and its fields once read. A class: its fields hold the nodes of every
/// field, and the reader's table of a thousand tasks would otherwise copy them with every insert and update.
final class TaskLocation {
    let entry: Entry
    var fields: TaskFields?

    init(entry: Entry) {
        self.entry = entry
    }
}

/// Who owns a set of task fields: a task, or the `defaults:` applied to every task.
enum FieldOwner {
    case task(String)
    case defaults

    /// "in task 'x'" or "in defaults", for messages.
    var place: String {
        switch self {
        case .task(let id): return "in task '\(id)'"
        case .defaults: return "in defaults"
        }
    }
}

/// The fields of one task (or of `defaults:`) as written, before they become a ``TaskSpec``.
struct TaskFields {
    /// Every key a task may set, in the order the documentation lists them.
    static let keys = [
        "needs", "if", "run", "shell", "uses", "with", "env", "workdir", "retries", "retry_delay", "retry_backoff",
        "retry_max_delay", "retry_jitter", "timeout", "cache", "runs_on",
    ]

    var needs: FieldValue<[String]>?
    var condition: FieldValue<String>?
    var run: FieldValue<[String]>?
    var shell: FieldValue<String>?
    var uses: FieldValue<String>?
    var with: FieldValue<[String: JSONValue]>?
    var env: FieldValue<[String: String]>?
    var workdir: FieldValue<String>?
    var retries: FieldValue<Int>?
    var retryDelay: FieldValue<Duration>?
    var retryBackoff: FieldValue<Double>?
    var retryMaxDelay: FieldValue<Duration>?
    var retryJitter: FieldValue<Double>?
    var timeout: FieldValue<Duration>?
    /// `.some(nil)` when caching is switched off with `cache: false`.
    var cache: FieldValue<CachePolicy?>?
    var runsOn: FieldValue<[String]>?

    /// These fields with every field they do not set taken from `defaults`.
    ///
    /// `run`, `shell` and `uses` are one choice: a task that sets any of them takes none of them from defaults
    /// (nor `with`); otherwise it takes the defaults' action, with its own `with:` if it has one.
    func applying(_ defaults: TaskFields) -> TaskFields {
        var out = self
        if run == nil && shell == nil && uses == nil {
            out.run = defaults.run
            out.shell = defaults.shell
            out.uses = defaults.uses
            out.with = with ?? defaults.with
        }
        out.condition = condition ?? defaults.condition
        out.env = env ?? defaults.env
        out.workdir = workdir ?? defaults.workdir
        out.retries = retries ?? defaults.retries
        out.retryDelay = retryDelay ?? defaults.retryDelay
        out.retryBackoff = retryBackoff ?? defaults.retryBackoff
        out.retryMaxDelay = retryMaxDelay ?? defaults.retryMaxDelay
        out.retryJitter = retryJitter ?? defaults.retryJitter
        out.timeout = timeout ?? defaults.timeout
        out.cache = cache ?? defaults.cache
        out.runsOn = runsOn ?? defaults.runsOn
        return out
    }

    /// Every field that is set: its entry and member locations.
    var setFields: [(entry: Entry, members: [[PipelineIssue.PathComponent]: NodeLocation], membersFromValue: Bool)] {
        var out: [(Entry, [[PipelineIssue.PathComponent]: NodeLocation], Bool)] = []
        func add<Value>(_ field: FieldValue<Value>?) {
            if let field { out.append((field.entry, field.members, field.membersFromValue)) }
        }
        add(needs)
        add(condition)
        add(run)
        add(shell)
        add(uses)
        add(with)
        add(env)
        add(workdir)
        add(retries)
        add(retryDelay)
        add(retryBackoff)
        add(retryMaxDelay)
        add(retryJitter)
        add(timeout)
        add(cache)
        add(runsOn)
        return out
    }

    /// The retry policy these fields describe; unset or invalid fields keep the built-in defaults (no retries).
    var retryPolicy: RetryPolicy {
        RetryPolicy(
            retries: retries?.value ?? 0, delay: retryDelay?.value ?? .zero, backoff: retryBackoff?.value ?? 1,
            maxDelay: retryMaxDelay?.value, jitter: retryJitter?.value ?? 0)
    }

    /// The cache policy, or `nil` when unset, switched off or invalid.
    var cachePolicy: CachePolicy? {
        guard let field = cache, let policy = field.value else { return nil }
        return policy
    }
}
