import Testing

@testable import PipelineModel

@Suite struct IntervalScheduleTests {
    @Test(
        "every: 6h fires at multiples of six hours since the Unix epoch",
        arguments: [
            ("2026-11-29T05:00:00Z", "2026-11-29T06:00:00Z"),
            ("2026-11-29T06:00:00Z", "2026-11-29T12:00:00Z"),
            ("2026-11-29T23:59:59.999Z", "2026-11-30T00:00:00Z"),
            ("1969-12-31T23:00:00Z", "1970-01-01T00:00:00Z"),
        ])
    func unanchored(after: String, expected: String) throws {
        let schedule = try Schedule.every("6h")
        #expect(schedule == .every(.seconds(6 * 3600), anchor: nil))
        #expect(schedule.nextFireTime(after: utc(after)) == utc(expected))
    }

    @Test("an anchor sets the phase, before and after it")
    func anchored() throws {
        let schedule = try Schedule.parse(every: "6h", anchor: utc("2026-11-29T01:30:00Z"))
        #expect(schedule.nextFireTime(after: utc("2026-11-29T05:00:00Z")) == utc("2026-11-29T07:30:00Z"))
        #expect(schedule.nextFireTime(after: utc("2026-11-29T01:30:00Z")) == utc("2026-11-29T07:30:00Z"))
        #expect(schedule.nextFireTime(after: utc("2026-11-28T20:00:00Z")) == utc("2026-11-29T01:30:00Z"))
        #expect(schedule.previousFireTime(atOrBefore: utc("2026-11-29T01:29:59Z")) == utc("2026-11-28T19:30:00Z"))
        #expect(schedule.previousFireTime(atOrBefore: utc("2026-11-29T07:30:00Z")) == utc("2026-11-29T07:30:00Z"))
    }

    @Test("reads the pipeline-file duration notation")
    func notation() throws {
        #expect(try Schedule.every("90m").nextFireTime(after: utc("2026-11-29T00:00:00Z")) == utc("2026-11-29T01:30:00Z"))
        #expect(try Schedule.every("1h30m") == Schedule.every("90m"))
        #expect(try Schedule.every("1d").description == "every 1d")
    }

    @Test("rejects text that is not a positive duration", arguments: ["", "0s", "6 hours", "6", "-6h", "1.5h"])
    func rejects(text: String) {
        let error = #expect(throws: ScheduleError.self) { try Schedule.every(text) }
        #expect(error?.code == .invalidInterval)
    }

    @Test("ignores daylight saving: a day is 24 real hours")
    func realTime() throws {
        let daily = try Schedule.parse(every: "1d", anchor: utc("2026-03-07T07:00:00Z"))
        #expect(daily.nextFireTime(after: utc("2026-03-07T07:00:00Z")) == utc("2026-03-08T07:00:00Z"))
        #expect(daily.nextFireTime(after: utc("2026-03-08T07:00:00Z")) == utc("2026-03-09T07:00:00Z"))
    }

    @Test("lists fire times over a range, both ends included, earliest first, up to the limit")
    func fireTimes() throws {
        let schedule = try Schedule.every("6h")
        let day = schedule.fireTimes(from: utc("2026-11-29T00:00:00Z"), through: utc("2026-11-30T00:00:00Z"), limit: 10)
        #expect(
            day == [
                utc("2026-11-29T00:00:00Z"), utc("2026-11-29T06:00:00Z"), utc("2026-11-29T12:00:00Z"),
                utc("2026-11-29T18:00:00Z"), utc("2026-11-30T00:00:00Z"),
            ])
        #expect(schedule.fireTimes(from: utc("2026-11-29T00:00:00Z"), through: utc("2026-11-30T00:00:00Z"), limit: 3).count == 3)
        #expect(schedule.fireTimes(from: utc("2026-11-29T00:00:01Z"), through: utc("2026-11-29T05:59:59Z"), limit: 3).isEmpty)
        #expect(schedule.previousFireTime(atOrBefore: utc("2026-11-29T05:59:00Z")) == utc("2026-11-29T00:00:00Z"))
    }

    @Test("describes itself")
    func descriptions() throws {
        #expect(try Schedule.parse(cron: "0 2 * * *", timeZone: "Asia/Seoul").description == "cron 0 2 * * * (Asia/Seoul)")
        #expect(try Schedule.parse(every: "6h", anchor: utc("2026-11-29T01:30:00Z")).description
            == "every 6h from 2026-11-29T01:30:00.000Z")
    }
}
