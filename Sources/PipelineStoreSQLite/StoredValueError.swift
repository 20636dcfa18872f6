/// A value in the state database that this version of `kiln` cannot read.
///
/// It usually means the database was written by a newer `kiln` (a new state, say) or edited by hand.
public struct StoredValueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The column, as `table.column`.
    public var column: String
    /// The stored text (cut to 200 characters).
    public var value: String
    /// Why it cannot be read.
    public var reason: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - column: The column, as `table.column`.
    ///   - value: The stored text; longer text is cut to 200 characters.
    ///   - reason: Why it cannot be read.
    public init(column: String, value: String, reason: String) {
        self.column = column
        self.value = value.count > 200 ? String(value.prefix(200)) + "…" : value
        self.reason = reason
    }

    /// What went wrong and what to do.
    public var description: String {
        "the state database holds \(column) = '\(value)', which this kiln cannot read (\(reason)); "
            + "was it written by a newer kiln? Upgrade kiln, or use another database"
    }
}
