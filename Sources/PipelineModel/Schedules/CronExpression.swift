/// A standard five-field cron expression: `minute hour day-of-month month day-of-week`.
///
/// ```swift
/// let nightly = try CronExpression("0 2 * * *")           // 02:00 every day
/// let quarterHours = try CronExpression("*/15 9-17 * * MON-FRI")
/// let monthly = try CronExpression("@monthly")            // 00:00 on the 1st
/// ```
///
/// Each field is a comma-separated list of items; an item is `*`, a value, a range `a-b`, or either of those with a
/// step (`*/15`, `1-30/5`). Months accept `JAN`–`DEC` and days of the week `SUN`–`SAT` (any case); day-of-week 0
/// and 7 are both Sunday, and a range ending in `SUN` (`MON-SUN`) runs to 7. The macros are `@yearly` and
/// `@annually` (`0 0 1 1 *`), `@monthly` (`0 0 1 * *`), `@weekly` (`0 0 * * 0`), `@daily` and `@midnight`
/// (`0 0 * * *`) and `@hourly` (`0 * * * *`). Seconds, years, `?`, `L`, `W` and `#` are not supported.
///
/// **Day-of-month and day-of-week** follow Vixie cron: when both fields are restricted — neither is written
/// starting with `*` — a day matches if *either* matches (`0 0 13 * FRI` is every 13th and every Friday);
/// otherwise a day must match both (`0 0 */2 * MON` is the odd-numbered days that are Mondays).
///
/// **Fixed-time and wildcard expressions.** An expression whose minute and hour fields both name specific values
/// (neither starts with `*`) is *fixed-time* (``isFixedTime``): `30 2 * * *`, `@daily`, `0 9,17 * * *`. Otherwise
/// it is a *wildcard* expression: `*/15 * * * *`, `@hourly`, `0 */2 * * *`. The distinction only matters around
/// daylight-saving changes; see ``Schedule`` for the rules.
///
/// The expression itself knows no time zone: it matches wall-clock fields. ``Schedule/cron(_:timeZone:)`` turns
/// it into instants.
public struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    /// The text the expression was parsed from, without surrounding spaces (`0 2 * * *`, `@daily`).
    public let source: String

    // Bit sets: bit n set means value n is selected.
    var minutes: UInt64
    var hours: UInt64
    var daysOfMonth: UInt64
    var months: UInt64
    /// Bits 0–6, Sunday = 0 (7 is folded into 0 when parsing).
    var daysOfWeek: UInt64

    // Whether the field was written starting with `*` (including `*/n`), as Vixie cron records it.
    var minuteIsWildcard: Bool
    var hourIsWildcard: Bool
    var dayOfMonthIsWildcard: Bool
    var dayOfWeekIsWildcard: Bool

    /// Parses a five-field expression or a macro.
    ///
    /// - Parameter text: The expression, e.g. `0 2 * * *` or `@daily`; surrounding spaces are ignored and fields
    ///   may be separated by any run of spaces or tabs.
    /// - Throws: ``ScheduleError`` with code ``ScheduleError/Code/invalidCron`` naming the field, the reason and
    ///   the character offset, e.g. `cron field 2 (hour) value 24 is out of range 0–23`.
    public init(_ text: String) throws(ScheduleError) {
        self = try CronParser(text: text).parse()
    }

    init(
        source: String, minutes: UInt64, hours: UInt64, daysOfMonth: UInt64, months: UInt64, daysOfWeek: UInt64,
        wildcards: (minute: Bool, hour: Bool, dayOfMonth: Bool, dayOfWeek: Bool)
    ) {
        self.source = source
        self.minutes = minutes
        self.hours = hours
        self.daysOfMonth = daysOfMonth
        self.months = months
        self.daysOfWeek = daysOfWeek
        self.minuteIsWildcard = wildcards.minute
        self.hourIsWildcard = wildcards.hour
        self.dayOfMonthIsWildcard = wildcards.dayOfMonth
        self.dayOfWeekIsWildcard = wildcards.dayOfWeek
    }

    /// The source text.
    public var description: String { source }

    /// Whether both the minute and the hour field name specific values (neither starts with `*`).
    ///
    /// Fixed-time expressions fire once per matching wall-clock time even across daylight-saving changes: a time
    /// skipped by a spring-forward gap fires at the end of the gap, and a time repeated by a fall-back overlap
    /// fires only the first time. Wildcard expressions follow real time instead: nothing fires inside a gap, and
    /// the repeated hour fires again. See ``Schedule``.
    public var isFixedTime: Bool { !minuteIsWildcard && !hourIsWildcard }

    /// Whether a day must match day-of-month *or* day-of-week (both restricted) rather than both.
    public var matchesEitherDayField: Bool { !dayOfMonthIsWildcard && !dayOfWeekIsWildcard }

    /// Whether no calendar date can ever match, e.g. `0 0 30 2 *` (February never has 30 days) or
    /// `0 0 31 4,6,9,11 *`.
    ///
    /// Such expressions parse (as in every cron) but never fire: ``Schedule/nextFireTime(after:)`` returns `nil`.
    /// ``warning`` explains why.
    public var neverFires: Bool {
        if matchesEitherDayField { return false }  // Every weekday occurs in every month.
        for month in 1...12 where months & (1 << UInt64(month)) != 0 {
            let longest = CivilTime.daysIn(month: month, year: 2000)  // a leap year: February has 29 days
            let possibleDays: UInt64 = (1 << UInt64(longest + 1)) - 2  // bits 1...longest
            if daysOfMonth & possibleDays != 0 { return false }
        }
        return true
    }

    /// A sentence for people when the expression parses but will never fire; `nil` otherwise.
    public var warning: String? {
        guard neverFires else { return nil }
        return "cron expression '\(source)' never fires: none of its months has any of its days of the month"
            + " (February has at most 29 days; April, June, September and November have 30)"
    }

    /// The values selected in `field`, ascending (day-of-week uses 0–6, Sunday = 0).
    ///
    /// - Parameter field: The field to list.
    /// - Returns: For example `[0, 15, 30, 45]` for the minute field of `*/15 * * * *`.
    public func values(of field: Field) -> [Int] {
        let bits: UInt64 =
            switch field {
            case .minute: minutes
            case .hour: hours
            case .dayOfMonth: daysOfMonth
            case .month: months
            case .dayOfWeek: daysOfWeek
            }
        return (0..<64).filter { bits & (1 << UInt64($0)) != 0 }
    }

    /// Whether the wall-clock time matches every field (with the Vixie day rule).
    ///
    /// - Parameters:
    ///   - year: The year, e.g. 2026.
    ///   - month: 1–12.
    ///   - day: 1–31, valid for the month.
    ///   - hour: 0–23.
    ///   - minute: 0–59.
    /// - Returns: `true` when a schedule with this expression would fire at that wall-clock time (time zones and
    ///   daylight-saving changes aside).
    public func matches(year: Int, month: Int, day: Int, hour: Int, minute: Int) -> Bool {
        let time = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute)
        return (1...12).contains(month) && (1...time.daysInMonth).contains(day) && (0...23).contains(hour)
            && (0...59).contains(minute) && matches(time)
    }

    func matches(_ time: CivilTime) -> Bool {
        Self.has(months, time.month) && dayMatches(time) && Self.has(hours, time.hour)
            && Self.has(minutes, time.minute)
    }

    func dayMatches(_ time: CivilTime) -> Bool {
        let byMonthDay = Self.has(daysOfMonth, time.day)
        let byWeekday = Self.has(daysOfWeek, time.weekday)
        return matchesEitherDayField ? (byMonthDay || byWeekday) : (byMonthDay && byWeekday)
    }

    static func has(_ bits: UInt64, _ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }

    /// The smallest selected value that is at least `value`, or `nil`.
    static func first(in bits: UInt64, atLeast value: Int) -> Int? {
        guard value < 64 else { return nil }
        let remaining = bits & (UInt64.max << UInt64(max(0, value)))
        return remaining == 0 ? nil : remaining.trailingZeroBitCount
    }
}
