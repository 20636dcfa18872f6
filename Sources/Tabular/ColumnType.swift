/// The element type stored in a ``Column``.
///
/// Encoded (JSON, binary schema) by its raw value: `"double"`, `"int"`, `"string"`, `"bool"`.
public enum ColumnType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// 64-bit IEEE-754 floating point values.
    case double
    /// 64-bit signed integers.
    case int
    /// UTF-8 text, used for categorical values.
    case string
    /// `true` / `false` values.
    case bool

    /// Whether values of this type can be read as numbers (`int` or `double`).
    public var isNumeric: Bool { self == .double || self == .int }

    /// The raw name of the type, e.g. `double`.
    public var description: String { rawValue }
}
