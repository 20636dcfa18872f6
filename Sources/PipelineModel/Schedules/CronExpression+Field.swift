extension CronExpression {
    /// One of the five positions of a cron expression, numbered from 1 as in error messages.
    public enum Field: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// Field 1: minute of the hour, 0–59.
        case minute = 1
        /// Field 2: hour of the day, 0–23.
        case hour
        /// Field 3: day of the month, 1–31.
        case dayOfMonth
        /// Field 4: month, 1–12 or `JAN`–`DEC`.
        case month
        /// Field 5: day of the week, 0–7 (0 and 7 are Sunday) or `SUN`–`SAT`.
        case dayOfWeek

        /// The name used in error messages: `minute`, `hour`, `day-of-month`, `month`, `day-of-week`.
        public var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        /// The numbers the field accepts (day-of-week accepts 7 as a second spelling of Sunday).
        public var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// The field's name, as in ``name``.
        public var description: String { name }

        /// `field 2 (hour)` — how messages refer to the field.
        var label: String { "cron field \(rawValue) (\(name))" }

        /// Three-letter names and their numbers, for the fields that have names.
        var names: [(String, Int)] {
            switch self {
            case .month:
                ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"].enumerated()
                    .map { ($0.element, $0.offset + 1) }
            case .dayOfWeek:
                ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].enumerated().map { ($0.element, $0.offset) }
            default: []
            }
        }
    }
}
