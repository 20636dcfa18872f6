/// The calendar fields of an ISO-8601 date or date-time, parsed from UTF-8 bytes.
struct ISODateParts: Equatable {
    let year: Int
    let month: Int
    let day: Int
    let hour: Int

    /// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.f+]]][Z|±HH:MM|±HHMM]`; `nil` for anything else or an impossible date.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                let digit = Int(bytes[index + offset]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            index += digits
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), day >= 1, day <= ISODateParts.daysIn(month: month, year: year) else { return nil }
        var hour = 0
        if index < bytes.count {
            guard expect("T") || expect(" "), let parsedHour = number(2), expect(":"), let minute = number(2),
                  (0...23).contains(parsedHour), (0...59).contains(minute) else { return nil }
            hour = parsedHour
            if expect(":") {
                guard let second = number(2), second <= 60 else { return nil }
                if expect(".") {
                    let start = index
                    while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
                    guard index > start else { return nil }
                }
            }
            if expect("Z") {
                // UTC designator.
            } else if expect("+") || expect("-") {
                guard let offsetHours = number(2), offsetHours <= 23 else { return nil }
                _ = expect(":")
                guard let offsetMinutes = number(2), offsetMinutes <= 59 else { return nil }
            }
            guard index == bytes.count else { return nil }
        }
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
    }

    /// The ISO weekday, 1 = Monday ... 7 = Sunday (proleptic Gregorian calendar).
    var weekday: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let daysSinceEpoch = era * 146_097 + dayOfEra - 719_468
        return ((daysSinceEpoch % 7) + 7 + 3) % 7 + 1
    }

    /// The value of one part.
    func value(of part: DatePart) -> Int {
        switch part {
        case .year: return year
        case .month: return month
        case .day: return day
        case .weekday: return weekday
        case .hour: return hour
        }
    }

    /// The number of days in a month of the proleptic Gregorian calendar.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
