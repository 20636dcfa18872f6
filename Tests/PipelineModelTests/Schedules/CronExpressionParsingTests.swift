import Testing

@testable import PipelineModel

@Suite struct CronExpressionParsingTests {
    @Test(
        "reads lists, ranges, steps, names and Sunday as 0 or 7",
        arguments: [
            ("*/15 * * * *", CronExpression.Field.minute, [0, 15, 30, 45]),
            ("1-30/5 * * * *", .minute, [1, 6, 11, 16, 21, 26]),
            ("0,30,59 * * * *", .minute, [0, 30, 59]),
            ("0 9-17/4 * * *", .hour, [9, 13, 17]),
            ("0 0 1,15,31 * *", .dayOfMonth, [1, 15, 31]),
            ("0 0 * JAN,jul,Dec *", .month, [1, 7, 12]),
            ("0 0 * MAR-MAY *", .month, [3, 4, 5]),
            ("0 0 * */3 *", .month, [1, 4, 7, 10]),
            ("0 0 * * MON-FRI", .dayOfWeek, [1, 2, 3, 4, 5]),
            ("0 0 * * 7", .dayOfWeek, [0]),
            ("0 0 * * 5-7", .dayOfWeek, [0, 5, 6]),
            ("0 0 * * SAT-SUN", .dayOfWeek, [0, 6]),
            ("0 0 * * */2", .dayOfWeek, [0, 2, 4, 6]),
            ("0 0 * * sun,3", .dayOfWeek, [0, 3]),
            ("  0\t2  * * *  ", .hour, [2]),
        ])
    func readsFields(text: String, field: CronExpression.Field, expected: [Int]) throws {
        #expect(try CronExpression(text).values(of: field) == expected)
    }

    @Test(
        "expands each macro to its five-field meaning",
        arguments: [
            ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"), ("@DAILY", "0 0 * * *"),
        ])
    func macros(macro: String, meaning: String) throws {
        let expression = try CronExpression(macro)
        let expanded = try CronExpression(meaning)
        #expect(expression.source == macro)
        for field in CronExpression.Field.allCases {
            #expect(expression.values(of: field) == expanded.values(of: field))
        }
        #expect(expression.isFixedTime == expanded.isFixedTime)
    }

    @Test("keeps the trimmed source text and tells fixed-time from wildcard expressions")
    func sourceAndKinds() throws {
        #expect(try CronExpression("  0   2 * * *  ").source == "0   2 * * *")
        #expect(try CronExpression("30 2 * * *").isFixedTime)
        #expect(try CronExpression("0 9,17 * * MON").isFixedTime)
        #expect(try !CronExpression("*/15 * * * *").isFixedTime)
        #expect(try !CronExpression("0 */2 * * *").isFixedTime)
        #expect(try !CronExpression("@hourly").isFixedTime)
        #expect(try CronExpression("@daily").isFixedTime)
    }

    @Test(
        "rejects malformed expressions, naming the field, the reason and the character offset",
        arguments: [
            ("0 24 * * *", "cron field 2 (hour) value 24 is out of range 0–23", 2, CronExpression.Field?.some(.hour)),
            ("60 * * * *", "cron field 1 (minute) value 60 is out of range 0–59", 0, .minute),
            ("0 0 0 * *", "cron field 3 (day-of-month) value 0 is out of range 1–31", 4, .dayOfMonth),
            ("0 0 * 13 *", "cron field 4 (month) value 13 is out of range 1–12", 6, .month),
            ("0 0 * * 8", "cron field 5 (day-of-week) value 8 is out of range 0–7", 8, .dayOfWeek),
            (
                "0 0 * * FUN",
                "cron field 5 (day-of-week) 'FUN' is not a number or a day-of-week name; expected a number 0–7 or a name SUN–SAT",
                8, .dayOfWeek
            ),
            ("0 MON * * *", "cron field 2 (hour) 'MON' is not a number; expected a number 0–23", 2, .hour),
            ("0 0 ? * *", "cron field 3 (day-of-month) '?' is not a number; expected a number 1–31", 4, .dayOfMonth),
            ("*/0 * * * *", "cron field 1 (minute) step 0 must be at least 1", 2, .minute),
            ("*/x * * * *", "cron field 1 (minute) step 'x' is not a whole number", 2, .minute),
            ("5-3 * * * *", "cron field 1 (minute) range 5-3 goes backwards; write the lower value first", 0, .minute),
            ("5/10 * * * *", "cron field 1 (minute) step needs a range: write 5-59/10 or */10", 0, .minute),
            ("1,,2 * * * *", "cron field 1 (minute) has an empty list item", 2, .minute),
            ("0 1- * * *", "cron field 2 (hour) is missing a value; expected a number 0–23", 4, .hour),
            ("** * * * *", "cron field 1 (minute) has unexpected text after '*'", 1, .minute),
            ("@reboot", "unknown macro '@reboot'; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly", 0, nil),
            ("@daily 5", "a macro stands alone; remove '5'", 7, nil),
        ])
    func rejects(text: String, message: String, offset: Int, field: CronExpression.Field?) {
        #expect(throws: ScheduleError(.invalidCron, message, text: text, offset: offset, field: field)) {
            try CronExpression(text)
        }
    }

    @Test(
        "rejects the wrong number of fields, pointing at the first extra one",
        arguments: [
            ("0 2 * *", "cron expression has only 4 fields", Int?.none),
            ("0 0 2 * * * 2026", "cron expression has 7 fields", 10),
            ("", "cron expression is empty", nil),
            ("   ", "cron expression is empty", nil),
        ])
    func fieldCount(text: String, start: String, offset: Int?) throws {
        let error = try #require(throws: ScheduleError.self) { try CronExpression(text) }
        #expect(error.code == .invalidCron)
        #expect(error.message.hasPrefix(start))
        #expect(error.offset == offset)
    }

    @Test("describes an error with the text and a 1-based position")
    func errorDescription() throws {
        let error = try #require(throws: ScheduleError.self) { try CronExpression("0 24 * * *") }
        #expect(
            error.description
                == "invalid cron expression '0 24 * * *' at character 3: cron field 2 (hour) value 24 is out of range 0–23")
    }

    @Test(
        "accepts but flags expressions no date can match",
        arguments: [("0 0 30 2 *", true), ("0 0 31 4,6,9,11 *", true), ("0 0 29 2 *", false), ("0 0 30 2 MON", false)])
    func neverFires(text: String, never: Bool) throws {
        let expression = try CronExpression(text)
        #expect(expression.neverFires == never)
        #expect((expression.warning != nil) == never)
    }

    @Test("matches wall-clock fields with the Vixie day-of-month / day-of-week rule")
    func matches() throws {
        let either = try CronExpression("0 0 13 * FRI")  // 2026-11-13 is a Friday, 2026-11-20 a Friday, 2026-12-13 a Sunday
        #expect(either.matchesEitherDayField)
        #expect(either.matches(year: 2026, month: 12, day: 13, hour: 0, minute: 0))
        #expect(either.matches(year: 2026, month: 11, day: 20, hour: 0, minute: 0))
        #expect(!either.matches(year: 2026, month: 11, day: 21, hour: 0, minute: 0))
        let both = try CronExpression("0 0 */2 * MON")  // a `*` field: both must match
        #expect(!both.matchesEitherDayField)
        #expect(both.matches(year: 2026, month: 12, day: 7, hour: 0, minute: 0))
        #expect(!both.matches(year: 2026, month: 12, day: 14, hour: 0, minute: 0))
        #expect(!both.matches(year: 2026, month: 12, day: 9, hour: 0, minute: 0))
        #expect(!either.matches(year: 2026, month: 2, day: 30, hour: 0, minute: 0))
    }
}
