import Testing

@testable import PipelineModel

/// America/New_York: on 2026-03-08 clocks jump from 02:00 EST to 03:00 EDT (07:00 UTC); on 2026-11-01 they fall
/// back from 02:00 EDT to 01:00 EST (06:00 UTC), so 01:00–01:59 happens twice (05:xx and 06:xx UTC).
@Suite struct DaylightSavingTests {
    func newYork(_ expression: String) throws -> Schedule {
        try Schedule.parse(cron: expression, timeZone: "America/New_York")
    }

    func times(_ schedule: Schedule, _ from: String, _ through: String) -> [Timestamp] {
        schedule.fireTimes(from: utc(from), through: utc(through), limit: 100)
    }

    @Test("a fixed time in the spring-forward gap fires once, at the end of the gap")
    func gapFixedTime() throws {
        let daily = try newYork("30 2 * * *")
        #expect(daily.nextFireTime(after: utc("2026-03-07T12:00:00Z")) == utc("2026-03-08T07:00:00Z"))
        #expect(
            times(daily, "2026-03-07T00:00:00Z", "2026-03-09T23:59:59Z") == [
                utc("2026-03-07T07:30:00Z"),  // 02:30 EST
                utc("2026-03-08T07:00:00Z"),  // 02:30 does not exist: 03:00 EDT
                utc("2026-03-09T06:30:00Z"),  // 02:30 EDT
            ])
        #expect(try newYork("0 2 * * *").nextFireTime(after: utc("2026-03-08T00:00:00Z")) == utc("2026-03-08T07:00:00Z"))
        // Two names for the same instant still fire once.
        #expect(times(try newYork("0 2,3 * * *"), "2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z") == [utc("2026-03-08T07:00:00Z")])
        #expect(times(try newYork("0,30 2 * * *"), "2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z") == [utc("2026-03-08T07:00:00Z")])
    }

    @Test("wildcard schedules have no fire times inside the gap and do not catch up")
    func gapWildcard() throws {
        #expect(
            times(try newYork("0 * * * *"), "2026-03-08T05:00:00Z", "2026-03-08T08:00:00Z") == [
                utc("2026-03-08T05:00:00Z"),  // 00:00 EST
                utc("2026-03-08T06:00:00Z"),  // 01:00 EST
                utc("2026-03-08T07:00:00Z"),  // 03:00 EDT
                utc("2026-03-08T08:00:00Z"),  // 04:00 EDT
            ])
        #expect(
            times(try newYork("*/15 * * * *"), "2026-03-08T06:30:00Z", "2026-03-08T07:15:00Z") == [
                utc("2026-03-08T06:30:00Z"), utc("2026-03-08T06:45:00Z"),  // 01:30, 01:45 EST
                utc("2026-03-08T07:00:00Z"), utc("2026-03-08T07:15:00Z"),  // 03:00, 03:15 EDT
            ])
        // `*/15 2 * * *` is a wildcard schedule (its minute field starts with `*`): nothing on the day of the gap.
        let inGapOnly = try newYork("*/15 2 * * *")
        #expect(times(inGapOnly, "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z").isEmpty)
        #expect(inGapOnly.nextFireTime(after: utc("2026-03-08T00:00:00Z")) == utc("2026-03-09T06:00:00Z"))
    }

    @Test("a fixed time in the fall-back overlap fires once, at its first occurrence")
    func overlapFixedTime() throws {
        let daily = try newYork("30 1 * * *")
        #expect(
            times(daily, "2026-10-31T00:00:00Z", "2026-11-02T23:59:59Z") == [
                utc("2026-10-31T05:30:00Z"),  // 01:30 EDT
                utc("2026-11-01T05:30:00Z"),  // 01:30 EDT, the first of two
                utc("2026-11-02T06:30:00Z"),  // 01:30 EST
            ])
        // Starting during the second pass through 01:xx: the repeated 01:30 is not a fire time.
        #expect(daily.nextFireTime(after: utc("2026-11-01T06:10:00Z")) == utc("2026-11-02T06:30:00Z"))
        #expect(daily.previousFireTime(atOrBefore: utc("2026-11-01T06:45:00Z")) == utc("2026-11-01T05:30:00Z"))
        // 02:30 happens once that night, in EST.
        #expect(
            times(try newYork("30 2 * * *"), "2026-10-31T00:00:00Z", "2026-11-02T23:59:59Z") == [
                utc("2026-10-31T06:30:00Z"), utc("2026-11-01T07:30:00Z"), utc("2026-11-02T07:30:00Z"),
            ])
    }

    @Test("wildcard schedules fire at every real instant that matches, so hourly stays once per real hour")
    func overlapWildcard() throws {
        #expect(
            times(try newYork("0 * * * *"), "2026-11-01T04:00:00Z", "2026-11-01T08:00:00Z") == [
                utc("2026-11-01T04:00:00Z"),  // 00:00 EDT
                utc("2026-11-01T05:00:00Z"),  // 01:00 EDT
                utc("2026-11-01T06:00:00Z"),  // 01:00 EST
                utc("2026-11-01T07:00:00Z"),  // 02:00 EST
                utc("2026-11-01T08:00:00Z"),  // 03:00 EST
            ])
        #expect(
            times(try newYork("*/15 * * * *"), "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z") == [
                utc("2026-11-01T05:30:00Z"), utc("2026-11-01T05:45:00Z"),  // 01:30, 01:45 EDT
                utc("2026-11-01T06:00:00Z"), utc("2026-11-01T06:15:00Z"), utc("2026-11-01T06:30:00Z"),  // 01:00–01:30 EST
            ])
        #expect(try newYork("@hourly").previousFireTime(atOrBefore: utc("2026-11-01T06:59:00Z")) == utc("2026-11-01T06:00:00Z"))
    }

    @Test("a zone without daylight saving is a constant offset: 02:00 in Seoul is 17:00 UTC the day before")
    func seoul() throws {
        let nightly = try Schedule.parse(cron: "0 2 * * *", timeZone: "Asia/Seoul")
        #expect(nightly.nextFireTime(after: utc("2026-11-29T00:00:00Z")) == utc("2026-11-29T17:00:00Z"))
        #expect(nightly.nextFireTime(after: utc("2026-03-08T00:00:00Z")) == utc("2026-03-08T17:00:00Z"))
        #expect(
            nightly.fireTimes(from: utc("2026-01-01"), through: utc("2026-12-31T23:59:59Z"), limit: 1000).count == 365)
    }

    @Test("Europe/London: 01:30 is skipped in March and repeated in October")
    func london() throws {
        let daily = try Schedule.parse(cron: "30 1 * * *", timeZone: "Europe/London")
        #expect(daily.nextFireTime(after: utc("2026-03-29T00:00:00Z")) == utc("2026-03-29T01:00:00Z"))  // 02:00 BST
        #expect(daily.nextFireTime(after: utc("2026-10-25T00:00:00Z")) == utc("2026-10-25T00:30:00Z"))  // 01:30 BST
        #expect(daily.nextFireTime(after: utc("2026-10-25T00:30:00Z")) == utc("2026-10-26T01:30:00Z"))  // 01:30 GMT
    }

    /// Lord Howe Island shifts by 30 minutes: +10:30 standard, +11:00 in summer. On 2026-04-05 02:00 falls back to
    /// 01:30 (15:00 UTC on the 4th); on 2026-10-04 02:00 jumps to 02:30 (15:30 UTC on the 3rd).
    @Test("Australia/Lord_Howe: half-hour gaps and overlaps follow the same rules")
    func lordHowe() throws {
        func lordHowe(_ expression: String) throws -> Schedule {
            try Schedule.parse(cron: expression, timeZone: "Australia/Lord_Howe")
        }
        #expect(try lordHowe("15 2 * * *").nextFireTime(after: utc("2026-10-03T00:00:00Z")) == utc("2026-10-03T15:30:00Z"))
        #expect(try lordHowe("45 2 * * *").nextFireTime(after: utc("2026-10-03T00:00:00Z")) == utc("2026-10-03T15:45:00Z"))
        #expect(
            times(try lordHowe("45 1 * * *"), "2026-04-04T00:00:00Z", "2026-04-05T00:00:00Z") == [utc("2026-04-04T14:45:00Z")])
        #expect(
            times(try lordHowe("*/30 * * * *"), "2026-04-04T14:00:00Z", "2026-04-04T15:30:00Z") == [
                utc("2026-04-04T14:00:00Z"), utc("2026-04-04T14:30:00Z"),  // 01:00, 01:30 at +11
                utc("2026-04-04T15:00:00Z"), utc("2026-04-04T15:30:00Z"),  // 01:30, 02:00 at +10:30
            ])
    }
}
