/// A scalar fill value, encoded as a bare JSON number, string or boolean.
public enum FillValue: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A number (used for int and double columns).
    case number(Double)
    /// A text value (string columns).
    case string(String)
    /// A boolean (bool columns).
    case bool(Bool)

    /// Decodes a JSON scalar.
    /// - Parameters:
    ///   - decoder: The decoder.
    /// - Throws: `DecodingError.typeMismatch` for arrays, objects or null.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes the bare scalar.
    /// - Parameters:
    ///   - encoder: The encoder.
    /// - Throws: `EncodingError` for a non-finite number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }

    /// The value as text.
    public var description: String {
        switch self {
        case .number(let value): return value.description
        case .string(let value): return value
        case .bool(let value): return value.description
        }
    }
}
