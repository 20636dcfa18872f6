/// When a pipeline starts by itself: the `triggers:` section of a pipeline file.
///
/// ```yaml
/// triggers:
///   schedule: "0 2 * * *"
///   timezone: Asia/Seoul
///   performance: { model: fraud-detection, metric: f1, below: 0.80, window: 24h, min_samples: 3 }
///   upstream: [recommendation]
///   combine: any
///   cooldown: 6h
/// ```
///
/// The schedule (`schedule:` or `every:`) fires on its own; the other rules (performance, data, drift, upstream)
/// are combined with ``combine``. Durations are kept as their pipeline-file text (`6h`) so snapshots read well.
public struct TriggerSpec: Sendable, Hashable, Codable {
    /// A 5-field cron expression or a macro (`@daily`), matched in ``timezone``.
    public var schedule: String?
    /// A fixed interval instead of a cron expression (`6h`).
    public var every: String?
    /// The IANA time zone of ``schedule``; `nil` means UTC.
    public var timezone: String?
    /// Fires when a model's production metric falls below a threshold.
    public var performance: PerformanceRule?
    /// Fires when enough new data rows arrived since the last run.
    public var data: DataRule?
    /// Fires when the production model's training data and current data drift apart.
    public var drift: DriftRule?
    /// Fires when any of these models gets a new production version.
    public var upstream: [String]
    /// How the non-schedule rules combine.
    public var combine: Combine
    /// No automatic run starts sooner than this after the last automatic one (`6h`), if set.
    public var cooldown: String?
    /// How many runs of the pipeline may be unfinished at once; further triggers queue one run. Default 1.
    public var maxActiveRuns: Int
    /// What happens to schedule fire times missed while nothing was evaluating.
    public var catchUp: CatchUp

    /// How the non-schedule rules combine.
    public enum Combine: String, Sendable, Hashable, Codable, CaseIterable {
        /// Any one rule firing is enough.
        case any
        /// Every rule must fire at once.
        case all
    }

    /// What happens to missed schedule fire times.
    public enum CatchUp: String, Sendable, Hashable, Codable, CaseIterable {
        /// One run for the latest missed fire time.
        case latest
        /// No run for missed fire times; the next one on time runs.
        case none
        /// One run per missed fire time, one after another.
        case all
    }

    /// Creates a trigger specification; every rule is optional.
    public init(
        schedule: String? = nil, every: String? = nil, timezone: String? = nil, performance: PerformanceRule? = nil,
        data: DataRule? = nil, drift: DriftRule? = nil, upstream: [String] = [], combine: Combine = .any,
        cooldown: String? = nil, maxActiveRuns: Int = 1, catchUp: CatchUp = .latest
    ) {
        self.schedule = schedule
        self.every = every
        self.timezone = timezone
        self.performance = performance
        self.data = data
        self.drift = drift
        self.upstream = upstream
        self.combine = combine
        self.cooldown = cooldown
        self.maxActiveRuns = maxActiveRuns
        self.catchUp = catchUp
    }

    /// Whether a schedule (`schedule:` or `every:`) is set.
    public var hasSchedule: Bool { schedule != nil || every != nil }

    /// Whether any non-schedule rule is set.
    public var hasConditions: Bool { performance != nil || data != nil || drift != nil || !upstream.isEmpty }

    private enum CodingKeys: String, CodingKey {
        case schedule, every, timezone, performance, data, drift, upstream, combine, cooldown
        case maxActiveRuns = "max_active_runs", catchUp = "catch_up"
    }

    /// Decodes; missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schedule = try container.decodeIfPresent(String.self, forKey: .schedule)
        every = try container.decodeIfPresent(String.self, forKey: .every)
        timezone = try container.decodeIfPresent(String.self, forKey: .timezone)
        performance = try container.decodeIfPresent(PerformanceRule.self, forKey: .performance)
        data = try container.decodeIfPresent(DataRule.self, forKey: .data)
        drift = try container.decodeIfPresent(DriftRule.self, forKey: .drift)
        upstream = try container.decodeIfPresent([String].self, forKey: .upstream) ?? []
        combine = try container.decodeIfPresent(Combine.self, forKey: .combine) ?? .any
        cooldown = try container.decodeIfPresent(String.self, forKey: .cooldown)
        maxActiveRuns = try container.decodeIfPresent(Int.self, forKey: .maxActiveRuns) ?? 1
        catchUp = try container.decodeIfPresent(CatchUp.self, forKey: .catchUp) ?? .latest
    }

    /// Encodes; unset rules are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(schedule, forKey: .schedule)
        try container.encodeIfPresent(every, forKey: .every)
        try container.encodeIfPresent(timezone, forKey: .timezone)
        try container.encodeIfPresent(performance, forKey: .performance)
        try container.encodeIfPresent(data, forKey: .data)
        try container.encodeIfPresent(drift, forKey: .drift)
        if !upstream.isEmpty { try container.encode(upstream, forKey: .upstream) }
        try container.encode(combine, forKey: .combine)
        try container.encodeIfPresent(cooldown, forKey: .cooldown)
        try container.encode(maxActiveRuns, forKey: .maxActiveRuns)
        try container.encode(catchUp, forKey: .catchUp)
    }
}
