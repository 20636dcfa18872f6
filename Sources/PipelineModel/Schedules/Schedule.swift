import Foundation


/// When a retraining trigger fires: a cron expression in a time zone, or a fixed interval.
///
/// ```swift
/// let nightly = try Schedule.parse(cron: "0 2 * * *", timeZone: "Asia/Seoul")
/// nightly.nextFireTime(after: Timestamp(iso8601: "2026-11-29T00:00:00Z")!)   // 2026-11-29T17:00:00Z (02:00 KST)
///
/// let sixHourly = try Schedule.every("6h")                                  // 00:00, 06:00, 12:00, 18:00 UTC
/// let missed = sixHourly.fireTimes(from: lastRun, through: now, limit: 100)
/// ```
///
/// ## Cron schedules
///
/// The expression's fields are matched against the **local wall-clock time** of the IANA time zone
/// (`America/New_York`, `Asia/Seoul`, `UTC`), read from the system's time zone database through Foundation.
/// Around daylight-saving changes the rules are those of cronie (the Linux cron), and depend on whether the
/// expression is *fixed-time* — minute and hour fields both name specific values, like `30 2 * * *` or `@daily` —
/// or *wildcard* — either field starts with `*`, like `*/15 * * * *`, `@hourly` or `0 */2 * * *`
/// (``CronExpression/isFixedTime``):
///
/// - **Spring forward (gap).** Wall-clock times inside the gap do not exist. A fixed-time schedule that names one
///   fires **once, at the first instant after the gap**: `30 2 * * *` in `America/New_York` on 2026-03-08 fires
///   at 03:00 EDT = 07:00 UTC. A wildcard schedule has no fire times inside the gap and does not catch up:
///   `*/15 * * * *` fires at 01:45 EST and then 03:00 EDT.
/// - **Fall back (overlap).** Wall-clock times inside the overlap happen twice. A fixed-time schedule fires
///   **once, at the first occurrence**: `30 1 * * *` on 2026-11-01 fires at 01:30 EDT = 05:30 UTC, not again at
///   01:30 EST. A wildcard schedule fires at **every real instant whose wall-clock time matches**, in both passes:
///   `0 * * * *` fires at 01:00 EDT (05:00 UTC) and at 01:00 EST (06:00 UTC), so it still fires once per real
///   hour; `*/15 * * * *` keeps firing every 15 real minutes.
///
/// So no fire time is ever doubled, a fixed daily time is never missed, and interval-like wildcard schedules keep
/// their real-time rhythm.
///
/// **Month ends and leap days.** Only real dates match: `0 0 31 * *` fires in the seven 31-day months,
/// `0 0 29 2 *` on February 29 of leap years only (after 2026-03-01 the next is 2028-02-29), and `0 0 30 2 *`
/// never fires. The search looks at most ``searchYears`` years ahead and returns `nil` beyond;
/// ``CronExpression/neverFires`` and ``CronExpression/warning`` tell impossible expressions apart at parse time.
///
/// ## Interval schedules
///
/// `.every(interval, anchor:)` fires at `anchor + k × interval` for every integer `k` — the anchor sets the phase,
/// not a start — and the default anchor is the Unix epoch, so `every: 6h` fires at 00:00, 06:00, 12:00 and 18:00
/// UTC. Intervals are real elapsed time: time zones and daylight-saving changes do not affect them (`every: 1d`
/// is 24 hours, which drifts against a local wall clock across a DST change; use cron for a fixed local time).
public enum Schedule: Hashable, Sendable, CustomStringConvertible {
    /// A cron expression matched against wall-clock time in an IANA time zone (e.g. `UTC`, `Asia/Seoul`).
    ///
    /// Build it with ``parse(cron:timeZone:)`` so the zone name is checked; a case built directly with a name the
    /// system does not know never fires (``nextFireTime(after:)`` returns `nil`).
    case cron(CronExpression, timeZone: String)
    /// Fires every `interval` (which must be positive) at `anchor + k × interval`; `nil` anchors at the Unix epoch.
    case every(Duration, anchor: Timestamp?)

    /// How many years ahead (and back) a cron search looks before it gives up and returns `nil`.
    public static let searchYears = 8

    /// The schedule for a trigger's `schedule:` and `timezone:` keys.
    ///
    /// - Parameters:
    ///   - cron: A five-field expression or a macro (`0 2 * * *`, `@daily`); see ``CronExpression``.
    ///   - timeZone: An IANA time zone name; `nil` means `UTC`.
    /// - Returns: A ``cron(_:timeZone:)`` schedule.
    /// - Throws: ``ScheduleError`` with ``ScheduleError/Code/invalidCron`` for a malformed expression, or
    ///   ``ScheduleError/Code/unknownTimeZone`` naming a zone the system does not know.
    public static func parse(cron: String, timeZone: String?) throws(ScheduleError) -> Schedule {
        let expression = try CronExpression(cron)
        let zone = (timeZone ?? "UTC").trimmingCharacters(in: .whitespaces)
        guard ZoneRules(identifier: zone) != nil else { throw unknownTimeZone(timeZone ?? "UTC") }
        return .cron(expression, timeZone: zone)
    }

    /// The schedule for a trigger's `every:` key, anchored at the Unix epoch.
    ///
    /// - Parameter text: A duration in pipeline-file notation, e.g. `6h`, `90m`, `1h30m` (see `DurationText`).
    /// - Returns: `.every(interval, anchor: nil)`.
    /// - Throws: ``ScheduleError`` with ``ScheduleError/Code/invalidInterval`` when the text is not a positive
    ///   duration.
    public static func every(_ text: String) throws(ScheduleError) -> Schedule {
        try parse(every: text, anchor: nil)
    }

    /// An interval schedule from its text, with an explicit anchor.
    ///
    /// - Parameters:
    ///   - text: A duration in pipeline-file notation, e.g. `6h`.
    ///   - anchor: A fire time that sets the phase; `nil` means the Unix epoch.
    /// - Returns: `.every(interval, anchor: anchor)`.
    /// - Throws: ``ScheduleError`` with ``ScheduleError/Code/invalidInterval`` when the text is not a positive
    ///   duration.
    public static func parse(every text: String, anchor: Timestamp?) throws(ScheduleError) -> Schedule {
        let interval: Duration
        do {
            interval = try DurationText.parse(text)
        } catch {
            throw ScheduleError(.invalidInterval, error.description, text: text)
        }
        guard interval > .zero else {
            throw ScheduleError(
                .invalidInterval, "interval '\(text)' must be longer than zero; write e.g. every: 6h", text: text)
        }
        return .every(interval, anchor: anchor)
    }

    /// The first fire time strictly after `time`, or `nil` when there is none (an impossible or very rare cron
    /// expression, a non-positive interval, an unknown time zone).
    ///
    /// - Parameter time: Usually the current time, or the last fire time handled.
    /// - Returns: A whole-second instant for cron schedules; `anchor + k × interval` for interval schedules.
    public func nextFireTime(after time: Timestamp) -> Timestamp? {
        switch self {
        case .cron(let expression, let timeZone):
            guard let zone = ZoneRules(identifier: timeZone) else { return nil }
            let after = Self.wholeSeconds(time)
            let limit = after + Int64(Self.searchYears) * 366 * 86_400
            return CronTimeline(expression: expression, zone: zone).next(after: after, before: limit)
                .flatMap(Self.timestamp)
        case .every(let interval, let anchor):
            return IntervalSteps(interval: interval, anchor: anchor)?.next(after: time)
        }
    }

    /// The latest fire time at or before `time` — for example the most recent run a stopped scheduler missed.
    ///
    /// - Parameter time: Usually the current time.
    /// - Returns: `nil` when nothing fired within ``searchYears`` years before `time` (cron) or the schedule is
    ///   invalid.
    public func previousFireTime(atOrBefore time: Timestamp) -> Timestamp? {
        switch self {
        case .cron(let expression, let timeZone):
            guard let zone = ZoneRules(identifier: timeZone) else { return nil }
            let horizon = Int64(Self.searchYears) * 366 * 86_400
            return CronTimeline(expression: expression, zone: zone)
                .previous(atOrBefore: Self.wholeSeconds(time), horizon: horizon).flatMap(Self.timestamp)
        case .every(let interval, let anchor):
            return IntervalSteps(interval: interval, anchor: anchor)?.previous(atOrBefore: time)
        }
    }

    /// The fire times in `from...through`, earliest first, at most `limit` of them — for catching up after
    /// downtime and for backtesting a schedule.
    ///
    /// - Parameters:
    ///   - from: The start of the range, included.
    ///   - through: The end of the range, included.
    ///   - limit: The most fire times to return; the earliest ones are kept when there are more.
    /// - Returns: Strictly increasing fire times; empty when `through < from` or `limit <= 0`.
    public func fireTimes(from: Timestamp, through: Timestamp, limit: Int) -> [Timestamp] {
        var result: [Timestamp] = []
        guard limit > 0, from <= through else { return result }
        switch self {
        case .cron(let expression, let timeZone):
            guard let zone = ZoneRules(identifier: timeZone) else { return result }
            let timeline = CronTimeline(expression: expression, zone: zone)
            // Fire times are whole seconds: the first is > ceil(from) - 1, the last <= floor(through).
            var cursor = Self.wholeSeconds(Timestamp(nanosecondsSince1970: from.nanosecondsSince1970 &- 1))
            let end = Self.wholeSeconds(through) + 1
            while result.count < limit, let fire = timeline.next(after: cursor, before: end),
                let time = Self.timestamp(fire)
            {
                result.append(time)
                cursor = fire
            }
        case .every:
            var cursor = Timestamp(nanosecondsSince1970: from.nanosecondsSince1970 &- 1)
            while result.count < limit, let fire = nextFireTime(after: cursor), fire <= through {
                result.append(fire)
                cursor = fire
            }
        }
        return result
    }

    /// `cron 0 2 * * * (Asia/Seoul)` or `every 6h` (with `from <anchor>` when anchored).
    public var description: String {
        switch self {
        case .cron(let expression, let timeZone): "cron \(expression) (\(timeZone))"
        case .every(let interval, let anchor):
            "every \(DurationText.format(interval))" + (anchor.map { " from \($0)" } ?? "")
        }
    }

    private static func unknownTimeZone(_ name: String) -> ScheduleError {
        var message = "unknown time zone '\(name)'; use an IANA name such as UTC, Europe/London or America/New_York"
        if let suggestion = ZoneRules.closeMatch(to: name) { message += " (did you mean '\(suggestion)'?)" }
        return ScheduleError(.unknownTimeZone, message, text: name)
    }

    /// Seconds since the epoch, rounded down.
    private static func wholeSeconds(_ time: Timestamp) -> Int64 {
        CivilTime.floorDiv(time.nanosecondsSince1970, 1_000_000_000)
    }

    /// `nil` past the year 2262, where nanoseconds since 1970 no longer fit in 64 bits.
    private static func timestamp(_ seconds: Int64) -> Timestamp? {
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : Timestamp(nanosecondsSince1970: nanoseconds)
    }
}
