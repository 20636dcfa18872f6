/// Why a schedule (a cron expression, an `every:` interval or a time zone) could not be read.
///
/// Match on ``code``; show ``description`` to people. For cron expressions ``offset`` points at the offending
/// character, so a caller that knows where the expression sits in a file can report an exact column.
///
/// ```swift
/// do { _ = try CronExpression("0 24 * * *") } catch {
///     print(error)   // invalid cron expression '0 24 * * *' at character 3: cron field 2 (hour) value 24 is out of range 0–23
///     print(error.field)   // Optional(hour)
/// }
/// ```
public struct ScheduleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidCron, unknownTimeZone, invalidInterval
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The cron expression is malformed: wrong field count, a value out of range, an unknown name or macro.
        public static let invalidCron = Code(.invalidCron)
        /// The `timezone:` is not an IANA time zone name known to this system.
        public static let unknownTimeZone = Code(.unknownTimeZone)
        /// The `every:` text is not a positive duration.
        public static let invalidInterval = Code(.invalidInterval)

        /// The code's stable name, e.g. `invalidCron`.
        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// What is wrong and how to fix it, e.g. `cron field 2 (hour) value 24 is out of range 0–23`.
    public var message: String
    /// The text that was given (the whole cron expression, time zone name or interval).
    public var text: String
    /// Offset in characters inside ``text`` where the problem is (0 = first character); `nil` when it concerns
    /// the whole text.
    public var offset: Int?
    /// The cron field the problem is in, when it is in one.
    public var field: CronExpression.Field?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The kind of problem.
    ///   - message: What is wrong and how to fix it.
    ///   - text: The text that was given.
    ///   - offset: Where in `text` the problem is, in characters.
    ///   - field: The cron field the problem is in.
    public init(
        _ code: Code, _ message: String, text: String, offset: Int? = nil, field: CronExpression.Field? = nil
    ) {
        self.code = code
        self.message = message
        self.text = text
        self.offset = offset
        self.field = field
    }

    /// The message, safe to log and show; for a cron expression it is preceded by the expression and, when known,
    /// the 1-based character position.
    public var description: String {
        guard code == .invalidCron else { return message }  // the other messages name their text already
        let position = offset.map { " at character \($0 + 1)" } ?? ""
        return "invalid cron expression '\(text)'\(position): \(message)"
    }
}
