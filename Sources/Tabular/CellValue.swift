/// A single, dynamically typed cell of a ``DataFrame``; `null` marks a missing value.
public enum CellValue: Sendable, Hashable, CustomStringConvertible {
    /// A missing value.
    case null
    /// A floating point value.
    case double(Double)
    /// An integer value.
    case int(Int)
    /// A text value.
    case string(String)
    /// A boolean value.
    case bool(Bool)

    /// Whether this cell is missing.
    public var isNull: Bool { self == .null }

    /// The value as a `Double` when it is numeric (`int` or `double`), otherwise `nil`.
    public var numericValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    /// The textual form of the value (`description` of the payload; `null` for a missing value).
    public var description: String {
        switch self {
        case .null: return "null"
        case .double(let value): return value.description
        case .int(let value): return value.description
        case .string(let value): return value
        case .bool(let value): return value ? "true" : "false"
        }
    }
}
