import Testing

@testable import PipelineModel

/// A UTC instant from its ISO 8601 text; every expected value in these tests is written this way.
func utc(_ text: String) -> Timestamp {
    guard let time = Timestamp(iso8601: text) else { fatalError("bad ISO 8601 text in a test: \(text)") }
    return time
}

@Suite struct CronScheduleTests {
    // 2026-11-29 is a Sunday; 2026-11-27 a Friday; 2026-11-30 a Monday.
    @Test(
        "finds the next fire time strictly after the start (UTC)",
        arguments: [
            ("0 2 * * *", "2026-11-29T00:00:00Z", "2026-11-29T02:00:00Z"),
            ("0 2 * * *", "2026-11-29T02:00:00Z", "2026-11-30T02:00:00Z"),
            ("0 2 * * *", "2026-11-29T01:59:59.999Z", "2026-11-29T02:00:00Z"),
            ("*/15 * * * *", "2026-11-29T10:07:30Z", "2026-11-29T10:15:00Z"),
            ("*/15 * * * *", "2026-11-29T23:50:00Z", "2026-11-30T00:00:00Z"),
            ("1-30/5 * * * *", "2026-11-29T10:27:00Z", "2026-11-29T11:01:00Z"),
            ("0 9-17 * * MON-FRI", "2026-11-27T17:30:00Z", "2026-11-30T09:00:00Z"),
            ("30 4 * * 7", "2026-11-29T05:00:00Z", "2026-12-06T04:30:00Z"),
            ("0 12 * 2 *", "2026-11-29T00:00:00Z", "2027-02-01T12:00:00Z"),
            ("59 23 31 12 *", "2026-11-29T00:00:00Z", "2026-12-31T23:59:00Z"),
            ("0 0 1 JAN,JUL *", "2026-11-29T00:00:00Z", "2027-01-01T00:00:00Z"),
            ("@yearly", "2026-11-29T00:00:00Z", "2027-01-01T00:00:00Z"),
            ("@monthly", "2026-11-29T00:00:00Z", "2026-12-01T00:00:00Z"),
            ("@weekly", "2026-11-29T00:00:00Z", "2026-12-06T00:00:00Z"),
            ("@daily", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"),
            ("@hourly", "2026-11-29T10:00:00.500Z", "2026-11-29T11:00:00Z"),
            ("* * * * *", "2026-11-29T10:00:00Z", "2026-11-29T10:01:00Z"),
        ])
    func nextInUTC(expression: String, after: String, expected: String) throws {
        let schedule = try Schedule.parse(cron: expression, timeZone: nil)
        #expect(schedule.nextFireTime(after: utc(after)) == utc(expected))
    }

    @Test("fires on the 31st only in months that have one")
    func monthEnds() throws {
        let schedule = try Schedule.parse(cron: "0 0 31 * *", timeZone: "UTC")
        #expect(schedule.nextFireTime(after: utc("2026-04-01T00:00:00Z")) == utc("2026-05-31T00:00:00Z"))
        let year = schedule.fireTimes(from: utc("2026-01-01T00:00:00Z"), through: utc("2026-12-31T23:59:59Z"), limit: 50)
        #expect(
            year == [
                utc("2026-01-31T00:00:00Z"), utc("2026-03-31T00:00:00Z"), utc("2026-05-31T00:00:00Z"),
                utc("2026-07-31T00:00:00Z"), utc("2026-08-31T00:00:00Z"), utc("2026-10-31T00:00:00Z"),
                utc("2026-12-31T00:00:00Z"),
            ])
    }

    @Test("fires on February 29 in leap years only, skipping 2100")
    func leapDay() throws {
        let schedule = try Schedule.parse(cron: "0 0 29 2 *", timeZone: "UTC")
        #expect(schedule.nextFireTime(after: utc("2026-03-01T00:00:00Z")) == utc("2028-02-29T00:00:00Z"))
        #expect(schedule.nextFireTime(after: utc("2096-03-01T00:00:00Z")) == utc("2104-02-29T00:00:00Z"))
        #expect(schedule.previousFireTime(atOrBefore: utc("2026-11-29T00:00:00Z")) == utc("2024-02-29T00:00:00Z"))
        let leapDays = schedule.fireTimes(from: utc("2000-01-01"), through: utc("2030-01-01"), limit: 100)
        #expect(leapDays.count == 8)
        #expect(leapDays.first == utc("2000-02-29T00:00:00Z"))
        #expect(leapDays.last == utc("2028-02-29T00:00:00Z"))
    }

    @Test("returns nil rather than overflowing past the last representable instant (2262)")
    func farFuture() throws {
        let yearly = try Schedule.parse(cron: "@yearly", timeZone: "UTC")
        #expect(yearly.nextFireTime(after: utc("2262-01-01T00:00:00Z")) == nil)
        #expect(yearly.fireTimes(from: utc("2261-06-01"), through: utc("2262-04-01"), limit: 5) == [utc("2262-01-01")])
    }

    @Test("never fires on February 30 and says so", arguments: ["0 0 30 2 *", "0 0 31 4,6,9,11 *"])
    func impossibleDate(expression: String) throws {
        let schedule = try Schedule.parse(cron: expression, timeZone: "UTC")
        #expect(schedule.nextFireTime(after: utc("2026-01-01T00:00:00Z")) == nil)
        #expect(schedule.previousFireTime(atOrBefore: utc("2026-01-01T00:00:00Z")) == nil)
        #expect(schedule.fireTimes(from: utc("2020-01-01"), through: utc("2030-01-01"), limit: 10).isEmpty)
        #expect(try CronExpression(expression).warning?.contains("never fires") == true)
    }

    @Test("fires on either the day of month or the weekday when both are restricted, on both otherwise")
    func dayRule() throws {
        let december = (utc("2026-12-01T00:00:00Z"), utc("2026-12-31T23:59:59Z"))
        let either = try Schedule.parse(cron: "0 0 13 * FRI", timeZone: "UTC")
        #expect(either.nextFireTime(after: utc("2026-11-29T00:00:00Z")) == utc("2026-12-04T00:00:00Z"))
        #expect(
            either.fireTimes(from: december.0, through: december.1, limit: 50) == [
                utc("2026-12-04T00:00:00Z"), utc("2026-12-11T00:00:00Z"), utc("2026-12-13T00:00:00Z"),
                utc("2026-12-18T00:00:00Z"), utc("2026-12-25T00:00:00Z"),
            ])
        let fridays = try Schedule.parse(cron: "0 0 * * FRI", timeZone: "UTC")
        #expect(fridays.fireTimes(from: december.0, through: december.1, limit: 50).count == 4)
        let oddMondays = try Schedule.parse(cron: "0 0 */2 * MON", timeZone: "UTC")
        #expect(
            oddMondays.fireTimes(from: december.0, through: december.1, limit: 50) == [
                utc("2026-12-07T00:00:00Z"), utc("2026-12-21T00:00:00Z"),
            ])
    }

    @Test("lists fire times in a range in order, both ends included, up to the limit")
    func fireTimesInRange() throws {
        let schedule = try Schedule.parse(cron: "*/15 * * * *", timeZone: "UTC")
        let hour = schedule.fireTimes(from: utc("2026-11-29T10:00:00Z"), through: utc("2026-11-29T11:00:00Z"), limit: 100)
        #expect(hour.count == 5)
        #expect(hour.first == utc("2026-11-29T10:00:00Z"))
        #expect(hour.last == utc("2026-11-29T11:00:00Z"))
        #expect(zip(hour, hour.dropFirst()).allSatisfy { $0 < $1 })
        let capped = schedule.fireTimes(from: utc("2026-11-29T10:00:00Z"), through: utc("2026-11-30T10:00:00Z"), limit: 3)
        #expect(capped == [utc("2026-11-29T10:00:00Z"), utc("2026-11-29T10:15:00Z"), utc("2026-11-29T10:30:00Z")])
        #expect(schedule.fireTimes(from: utc("2026-11-29T11:00:00Z"), through: utc("2026-11-29T10:00:00Z"), limit: 3).isEmpty)
        #expect(schedule.fireTimes(from: utc("2026-11-29T10:00:00Z"), through: utc("2026-11-29T11:00:00Z"), limit: 0).isEmpty)
        let days = try Schedule.parse(cron: "0 2 * * *", timeZone: "UTC")
        #expect(days.fireTimes(from: utc("2026-01-01"), through: utc("2026-12-31T23:59:59Z"), limit: 1000).count == 365)
    }

    @Test("finds the latest fire time at or before an instant")
    func previous() throws {
        let nightly = try Schedule.parse(cron: "0 2 * * *", timeZone: "UTC")
        #expect(nightly.previousFireTime(atOrBefore: utc("2026-11-29T02:00:00Z")) == utc("2026-11-29T02:00:00Z"))
        #expect(nightly.previousFireTime(atOrBefore: utc("2026-11-29T01:59:59.999Z")) == utc("2026-11-28T02:00:00Z"))
        let yearly = try Schedule.parse(cron: "@yearly", timeZone: "UTC")
        #expect(yearly.previousFireTime(atOrBefore: utc("2026-11-29T12:00:00Z")) == utc("2026-01-01T00:00:00Z"))
        let minutely = try Schedule.parse(cron: "* * * * *", timeZone: "UTC")
        #expect(minutely.previousFireTime(atOrBefore: utc("2026-11-29T12:34:56Z")) == utc("2026-11-29T12:34:00Z"))
    }

    @Test("the latest fire time of a dense expression in a sparse month is found without walking every fire (found by fuzzing)")
    func previousDenseInSparseMonth() throws {
        // Every minute of March: the previous fire from November is the last minute of March, found by bisection
        // (walking all 44,640 fires of March took seconds per call).
        let march = try Schedule.parse(cron: "* * * 3 *", timeZone: nil)
        #expect(march.previousFireTime(atOrBefore: utc("2026-11-29T00:00:00Z")) == utc("2026-03-31T23:59:00Z"))
        #expect(march.previousFireTime(atOrBefore: utc("2026-03-15T12:00:30Z")) == utc("2026-03-15T12:00:00Z"))
        let fallBack = try Schedule.parse(cron: "*/7 * * 11 *", timeZone: "America/New_York")
        #expect(fallBack.previousFireTime(atOrBefore: utc("2027-01-10T00:00:00Z")) == utc("2026-12-01T04:56:00Z"))
        // The answer is the last of the fire times walked forward, across a fall-back overlap too.
        for (cron, zone, at) in [
            ("*/7 1 * 11 *", "America/New_York", "2026-11-01T07:00:00Z"), ("30 1,2 * * *", "Europe/London", "2026-10-25T02:10:00Z"),
            ("0 0 29 2 *", "UTC", "2030-01-01T00:00:00Z"), ("5 * * * 1-5", "Asia/Seoul", "2026-12-06T10:00:00Z"),
        ] {
            let schedule = try Schedule.parse(cron: cron, timeZone: zone)
            let walked = schedule.fireTimes(from: utc("2024-01-01T00:00:00Z"), through: utc(at), limit: 1_000_000).last
            #expect(schedule.previousFireTime(atOrBefore: utc(at)) == walked, "\(cron) \(zone)")
        }
    }

    @Test("reads the time zone, defaulting to UTC, and names an unknown one")
    func timeZones() throws {
        for zone in ["America/New_York", "Asia/Seoul", "Europe/London", "Australia/Lord_Howe", "UTC"] {
            #expect(throws: Never.self) { try Schedule.parse(cron: "0 2 * * *", timeZone: zone) }
        }
        #expect(try Schedule.parse(cron: "0 2 * * *", timeZone: nil) == .cron(CronExpression("0 2 * * *"), timeZone: "UTC"))
        let unknown = try #require(throws: ScheduleError.self) {
            try Schedule.parse(cron: "0 2 * * *", timeZone: "Mars/Olympus_Mons")
        }
        #expect(unknown.code == .unknownTimeZone)
        #expect(unknown.message.hasPrefix("unknown time zone 'Mars/Olympus_Mons'; use an IANA name"))
        #expect(unknown.description == unknown.message)
        let miscased = try #require(throws: ScheduleError.self) { try Schedule.parse(cron: "0 2 * * *", timeZone: "asia/seoul") }
        #expect(miscased.message.hasSuffix("(did you mean 'Asia/Seoul'?)"))
        #expect(Schedule.cron(try CronExpression("0 2 * * *"), timeZone: "Nowhere").nextFireTime(after: utc("2026-01-01")) == nil)
    }
}
