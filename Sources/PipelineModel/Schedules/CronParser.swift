/// Reads the text of a ``CronExpression``, reporting the first problem with its field and character offset.
struct CronParser {
    /// The macros and the expressions they stand for.
    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    let text: String
    private let characters: [Character]

    init(text: String) {
        self.text = text
        self.characters = Array(text)
    }

    func parse() throws(ScheduleError) -> CronExpression {
        let words = split(0..<characters.count, isSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first else { throw error("cron expression is empty; write 5 fields or a macro such as @daily", at: nil) }
        let source = String(characters[first.lowerBound..<words[words.count - 1].upperBound])

        if characters[first.lowerBound] == "@" {
            let name = String(characters[first]).lowercased()
            guard let expansion = Self.macros[name] else {
                throw error(
                    "unknown macro '\(String(characters[first]))'; use @yearly, @annually, @monthly, @weekly, @daily,"
                        + " @midnight or @hourly", at: first.lowerBound)
            }
            guard words.count == 1 else {
                throw error("a macro stands alone; remove '\(String(characters[words[1]]))'", at: words[1].lowerBound)
            }
            var expression = try CronParser(text: expansion).parse()
            expression = CronExpression(
                source: source, minutes: expression.minutes, hours: expression.hours,
                daysOfMonth: expression.daysOfMonth, months: expression.months, daysOfWeek: expression.daysOfWeek,
                wildcards: (
                    expression.minuteIsWildcard, expression.hourIsWildcard, expression.dayOfMonthIsWildcard,
                    expression.dayOfWeekIsWildcard
                ))
            return expression
        }

        guard words.count == 5 else {
            let hint = "write 5 fields: minute hour day-of-month month day-of-week (seconds and years are not supported)"
            if words.count > 5 {
                throw error("cron expression has \(words.count) fields; \(hint)", at: words[5].lowerBound)
            }
            throw error("cron expression has only \(words.count) field\(words.count == 1 ? "" : "s"); \(hint)", at: nil)
        }

        var bits: [UInt64] = []
        var wildcards: [Bool] = []
        for (field, range) in zip(CronExpression.Field.allCases, words) {
            bits.append(try parseField(field, range))
            wildcards.append(characters[range.lowerBound] == "*")
        }
        var weekdays = bits[4]
        if weekdays & (1 << 7) != 0 { weekdays = (weekdays & ~(1 << 7)) | 1 }  // 7 is Sunday, like 0
        return CronExpression(
            source: source, minutes: bits[0], hours: bits[1], daysOfMonth: bits[2], months: bits[3],
            daysOfWeek: weekdays, wildcards: (wildcards[0], wildcards[1], wildcards[2], wildcards[4]))
    }

    /// The selected values of one field as a bit set.
    private func parseField(_ field: CronExpression.Field, _ range: Range<Int>) throws(ScheduleError) -> UInt64 {
        var bits: UInt64 = 0
        for item in split(range, isSeparator: { $0 == "," }, keepEmpty: true) {
            guard !item.isEmpty else { throw error("\(field.label) has an empty list item", at: item.lowerBound, field) }
            bits |= try parseItem(field, item)
        }
        return bits
    }

    /// One list item: `*`, `v`, `a-b`, `*/n` or `a-b/n`.
    private func parseItem(_ field: CronExpression.Field, _ item: Range<Int>) throws(ScheduleError) -> UInt64 {
        let slash = item.first { characters[$0] == "/" }
        let base = item.lowerBound..<(slash ?? item.upperBound)
        var step = 1
        if let slash {
            let stepRange = (slash + 1)..<item.upperBound
            let stepText = String(characters[stepRange])
            guard !stepText.isEmpty, stepText.allSatisfy(\.isASCII), stepText.allSatisfy(\.isNumber),
                let value = Int(stepText), stepText.count <= 4
            else {
                throw error("\(field.label) step '\(stepText)' is not a whole number", at: slash + 1, field)
            }
            guard value >= 1 else { throw error("\(field.label) step 0 must be at least 1", at: slash + 1, field) }
            step = value
        }
        guard !base.isEmpty else { throw error("\(field.label) has a step with nothing before '/'", at: item.lowerBound, field) }

        var low: Int
        var high: Int
        if characters[base.lowerBound] == "*" {
            guard base.count == 1 else {
                throw error("\(field.label) has unexpected text after '*'", at: base.lowerBound + 1, field)
            }
            low = field.range.lowerBound
            high = field == .dayOfWeek ? 6 : field.range.upperBound
        } else if let dash = base.dropFirst().first(where: { characters[$0] == "-" }) {
            low = try parseValue(field, base.lowerBound..<dash).value
            let end = try parseValue(field, (dash + 1)..<base.upperBound)
            high = end.value
            if field == .dayOfWeek, end.isName, high == 0, low > 0 { high = 7 }  // MON-SUN runs to Sunday
            guard low <= high else {
                throw error(
                    "\(field.label) range \(String(characters[base])) goes backwards; write the lower value first",
                    at: base.lowerBound, field)
            }
        } else {
            low = try parseValue(field, base).value
            high = low
            if slash != nil {
                throw error(
                    "\(field.label) step needs a range: write \(low)-\(field.range.upperBound)/\(step) or */\(step)",
                    at: item.lowerBound, field)
            }
        }

        var bits: UInt64 = 0
        for value in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(value) }
        return bits
    }

    /// A number in the field's range, or a month or weekday name in the fields that have them.
    private func parseValue(_ field: CronExpression.Field, _ range: Range<Int>) throws(ScheduleError) -> (
        value: Int, isName: Bool
    ) {
        let word = String(characters[range])
        let expected =
            field.names.isEmpty
            ? "a number \(field.range.lowerBound)–\(field.range.upperBound)"
            : "a number \(field.range.lowerBound)–\(field.range.upperBound) or a name \(field.names.first!.0)–\(field.names.last!.0)"
        guard !word.isEmpty else { throw error("\(field.label) is missing a value; expected \(expected)", at: range.lowerBound, field) }
        if word.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard word.count <= 4, let value = Int(word), field.range.contains(value) else {
                throw error(
                    "\(field.label) value \(word) is out of range \(field.range.lowerBound)–\(field.range.upperBound)",
                    at: range.lowerBound, field)
            }
            return (value, false)
        }
        if let match = field.names.first(where: { $0.0 == word.uppercased() }) { return (match.1, true) }
        let what = field.names.isEmpty ? "is not a number" : "is not a number or a \(field.name) name"
        throw error("\(field.label) '\(word)' \(what); expected \(expected)", at: range.lowerBound, field)
    }

    /// Splits `range` of the text at separator characters, returning the ranges of the pieces.
    private func split(_ range: Range<Int>, isSeparator: (Character) -> Bool, keepEmpty: Bool = false) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = range.lowerBound
        for index in range where isSeparator(characters[index]) {
            if keepEmpty || index > start { pieces.append(start..<index) }
            start = index + 1
        }
        if keepEmpty || range.upperBound > start { pieces.append(start..<range.upperBound) }
        return pieces
    }

    private func error(_ message: String, at offset: Int?, _ field: CronExpression.Field? = nil) -> ScheduleError {
        ScheduleError(.invalidCron, message, text: text, offset: offset, field: field)
    }
}
