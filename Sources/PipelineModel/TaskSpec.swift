/// One node of a pipeline: what to run, after what, under which condition, with which policies.
public struct TaskSpec: Sendable, Hashable, Codable {
    /// The task id, unique in its pipeline: `[a-z0-9][a-z0-9_-]*`.
    public var id: String
    /// Ids of the tasks that must finish first.
    public var needs: [String]
    /// The `if:` expression (without `${{ }}`), or `nil` for the default `success()`.
    public var condition: String?
    /// What the task does.
    public var action: TaskAction
    /// Environment variables for the task (values may hold `${{ }}` expressions).
    public var env: [String: String]
    /// Working directory for command tasks (may hold expressions); relative to the pipeline file's folder.
    public var workdir: String?
    /// How failed attempts are retried.
    public var retry: RetryPolicy
    /// The longest one attempt may take, or `nil` for no limit.
    public var timeout: Duration?
    /// Result caching, or `nil` for none.
    public var cache: CachePolicy?
    /// The labels a worker must have to run the task (`runs_on:`), sorted; empty for any worker. A process that
    /// executes attempts itself (no workers) runs every task regardless.
    public var runsOn: [String]

    /// Creates a task.
    public init(
        id: String, needs: [String] = [], condition: String? = nil, action: TaskAction,
        env: [String: String] = [:], workdir: String? = nil, retry: RetryPolicy = RetryPolicy(),
        timeout: Duration? = nil, cache: CachePolicy? = nil, runsOn: [String] = []
    ) {
        self.id = id
        self.needs = needs
        self.condition = condition
        self.action = action
        self.env = env
        self.workdir = workdir
        self.retry = retry
        self.timeout = timeout
        self.cache = cache
        // Deduplicated and sorted; none or one label (nearly every task) is already both, without building a set.
        self.runsOn = runsOn.count <= 1 ? runsOn : Array(Set(runsOn)).sorted()
    }

    private enum CodingKeys: String, CodingKey {
        case id, needs, condition = "if", action, env, workdir, retry, timeoutMilliseconds = "timeout_ms", cache
        case runsOn = "runs_on"
    }

    /// Decodes the stored snapshot form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        needs = try c.decodeIfPresent([String].self, forKey: .needs) ?? []
        condition = try c.decodeIfPresent(String.self, forKey: .condition)
        action = try c.decode(TaskAction.self, forKey: .action)
        env = try c.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
        workdir = try c.decodeIfPresent(String.self, forKey: .workdir)
        retry = try c.decodeIfPresent(RetryPolicy.self, forKey: .retry) ?? RetryPolicy()
        timeout = try c.decodeIfPresent(Int64.self, forKey: .timeoutMilliseconds).map { .milliseconds($0) }
        cache = try c.decodeIfPresent(CachePolicy.self, forKey: .cache)
        runsOn = try c.decodeIfPresent([String].self, forKey: .runsOn) ?? []
    }

    /// Encodes the stored snapshot form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        if !needs.isEmpty { try c.encode(needs, forKey: .needs) }
        try c.encodeIfPresent(condition, forKey: .condition)
        try c.encode(action, forKey: .action)
        if !env.isEmpty { try c.encode(env, forKey: .env) }
        try c.encodeIfPresent(workdir, forKey: .workdir)
        if retry != RetryPolicy() { try c.encode(retry, forKey: .retry) }
        try c.encodeIfPresent(timeout.map { $0.nanoseconds / 1_000_000 }, forKey: .timeoutMilliseconds)
        try c.encodeIfPresent(cache, forKey: .cache)
        if !runsOn.isEmpty { try c.encode(runsOn, forKey: .runsOn) }
    }
}

/// What a task runs: an argv command, a shell script, or a registered task kind.
public enum TaskAction: Sendable, Hashable, Codable {
    /// An external command run by argv, never through a shell. Each element may hold expressions.
    case run([String])
    /// A script run by `/bin/sh -c`. May hold expressions (substituted as text: quote them yourself).
    case shell(String)
    /// A registered task kind with its inputs (`with:`); string values may hold expressions.
    case uses(String, with: [String: JSONValue])

    /// A short label for displays: the kind name, `run` or `shell`.
    public var kindLabel: String {
        switch self {
        case .run: return "run"
        case .shell: return "shell"
        case .uses(let kind, _): return kind
        }
    }
}

/// How a failed attempt is retried.
///
/// The delay before retry *n* (1-based) is `delay × backoffⁿ⁻¹`, capped at `maxDelay`, then moved by up to
/// ± `jitter` × itself.
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Retries after the first attempt. Default 0.
    public var retries: Int
    /// Delay before the first retry. Default 0.
    public var delay: Duration
    /// Factor applied to the delay for each further retry. Default 1 (constant delay).
    public var backoff: Double
    /// Upper bound on any delay, or `nil` for none.
    public var maxDelay: Duration?
    /// Random spread as a fraction of each delay (0 ... 1). Default 0.
    public var jitter: Double

    /// Creates a policy; defaults mean "no retries".
    public init(retries: Int = 0, delay: Duration = .zero, backoff: Double = 1, maxDelay: Duration? = nil, jitter: Double = 0) {
        self.retries = retries
        self.delay = delay
        self.backoff = backoff
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// The delay before retry number `retry` (1 for the first retry), before jitter.
    public func baseDelay(beforeRetry retry: Int) -> Duration {
        let millis = Double(delay.nanoseconds) / 1e6 * pow(backoff, Double(max(0, retry - 1)))
        var capped = millis.isFinite ? millis : Double(Int64.max / 2_000_000)
        if let maxDelay { capped = min(capped, Double(maxDelay.nanoseconds) / 1e6) }
        return .milliseconds(Int64(min(capped, Double(Int64.max / 2_000_000))))
    }

    /// The delay before retry number `retry`, with jitter drawn from `random`.
    public func delay(beforeRetry retry: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let base = baseDelay(beforeRetry: retry)
        guard jitter > 0, base > .zero else { return base }
        let spread = Double(base.nanoseconds) * jitter
        let offset = Double.random(in: -spread...spread, using: &random)
        return .nanoseconds(max(0, base.nanoseconds + Int64(offset)))
    }

    private enum CodingKeys: String, CodingKey {
        case retries, delay = "delay_ms", backoff, maxDelay = "max_delay_ms", jitter
    }

    /// Decodes the snapshot form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        delay = .milliseconds(try c.decodeIfPresent(Int64.self, forKey: .delay) ?? 0)
        backoff = try c.decodeIfPresent(Double.self, forKey: .backoff) ?? 1
        maxDelay = try c.decodeIfPresent(Int64.self, forKey: .maxDelay).map { .milliseconds($0) }
        jitter = try c.decodeIfPresent(Double.self, forKey: .jitter) ?? 0
    }

    /// Encodes the snapshot form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(retries, forKey: .retries)
        try c.encode(delay.nanoseconds / 1_000_000, forKey: .delay)
        try c.encode(backoff, forKey: .backoff)
        try c.encodeIfPresent(maxDelay.map { $0.nanoseconds / 1_000_000 }, forKey: .maxDelay)
        try c.encode(jitter, forKey: .jitter)
    }
}

/// Result caching for a task: reuse the outputs of an earlier attempt with the same inputs.
public struct CachePolicy: Sendable, Hashable, Codable {
    /// How long an entry stays valid, or `nil` for no expiry.
    public var expire: Duration?
    /// A version string mixed into the key: change it to invalidate old entries.
    public var version: String?

    /// Creates a policy that caches by inputs.
    public init(expire: Duration? = nil, version: String? = nil) {
        self.expire = expire
        self.version = version
    }

    private enum CodingKeys: String, CodingKey { case expire = "expire_ms", version }

    /// Decodes the snapshot form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        expire = try c.decodeIfPresent(Int64.self, forKey: .expire).map { .milliseconds($0) }
        version = try c.decodeIfPresent(String.self, forKey: .version)
    }

    /// Encodes the snapshot form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(expire.map { $0.nanoseconds / 1_000_000 }, forKey: .expire)
        try c.encodeIfPresent(version, forKey: .version)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
