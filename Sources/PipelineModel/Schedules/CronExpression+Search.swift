extension CronExpression {
    /// The first matching wall-clock minute strictly after `local` and strictly before `limit`, in local seconds
    /// (see ``CivilTime``); `nil` when there is none, or none within ``Schedule/searchYears`` years.
    ///
    /// Steps field by field — month, then day, then hour, then minute — so a yearly expression costs a handful of
    /// iterations, not one per minute.
    func nextLocalMatch(after local: Int64, before limit: Int64) -> Int64? {
        let start = CivilTime.floorDiv(local, 60) * 60 + 60
        guard start < limit, !neverFires else { return nil }
        var time = CivilTime(localSeconds: start)
        let lastYear = time.year + Schedule.searchYears

        func nextDay() {
            time.hour = 0
            time.minute = 0
            time.day += 1
            if time.day > time.daysInMonth { nextMonth() }
        }
        func nextMonth() {
            time.day = 1
            time.hour = 0
            time.minute = 0
            time.month += 1
            if time.month > 12 {
                time.month = 1
                time.year += 1
            }
        }

        while time.year <= lastYear {
            guard time.localSeconds < limit else { return nil }
            guard let month = Self.first(in: months, atLeast: time.month) else {
                time = CivilTime(year: time.year + 1, month: 1, day: 1)
                continue
            }
            if month != time.month { time = CivilTime(year: time.year, month: month, day: 1) }

            if !dayMatches(time) {
                if matchesEitherDayField || daysOfWeek & 0x7F != 0x7F {
                    nextDay()  // the weekday decides: try the next day
                } else if let day = Self.first(in: daysOfMonth, atLeast: time.day + 1), day <= time.daysInMonth {
                    time = CivilTime(year: time.year, month: time.month, day: day)  // only the day of month decides
                } else {
                    nextMonth()
                }
                continue
            }

            guard let hour = Self.first(in: hours, atLeast: time.hour) else {
                nextDay()
                continue
            }
            if hour != time.hour {
                time.hour = hour
                time.minute = 0
            }
            guard let minute = Self.first(in: minutes, atLeast: time.minute) else {
                time.minute = 0
                time.hour += 1
                if time.hour == 24 { nextDay() }
                continue
            }
            time.minute = minute
            let result = time.localSeconds
            return result < limit ? result : nil
        }
        return nil
    }
}
