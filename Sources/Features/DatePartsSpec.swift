/// Parameters of `date_parts`: `{"column", "parts", "prefix"}`; outputs are named `<prefix>_<part>`.
public struct DatePartsSpec: Codable, Sendable, Equatable {
    /// The string column with ISO-8601 dates.
    public var column: String
    /// The parts to extract; `nil` means all of year, month, day, weekday, hour.
    public var parts: [DatePart]?
    /// The output name prefix; `nil` uses the column name.
    public var prefix: String?

    /// Creates parameters.
    /// - Parameters:
    ///   - column: The input column.
    ///   - parts: The parts to extract, or `nil` for all.
    ///   - prefix: The output name prefix, or `nil` for the column name.
    public init(column: String, parts: [DatePart]? = nil, prefix: String? = nil) {
        self.column = column
        self.parts = parts
        self.prefix = prefix
    }
}
