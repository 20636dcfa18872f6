import PipelineModel

/// What a YAML scalar means, by the YAML 1.2 core schema: quoted scalars are always strings, and plain `yes`, `on`
/// or `2024-01-01` stay strings too (unlike YAML 1.1).
enum ScalarKind: Equatable {
    case string, integer, float, bool, null

    /// The kind of `scalar`, from its explicit tag or, for plain scalars, its text.
    init(_ scalar: YAMLNode.Scalar) {
        switch scalar.tag {
        case .implicit, .nonSpecific: self = scalar.style == .plain ? ScalarKind(plain: scalar.string) : .string
        case .integer: self = .integer
        case .float: self = .float
        case .bool: self = .bool
        case .null: self = .null
        case .string, .other: self = .string
        }
    }

    private init(plain text: String) {
        // Every null, boolean and number spelling starts with one of these bytes; most text (names, commands,
        // expressions) does not, and needs none of the comparisons below. The first byte also picks the only
        // spellings worth comparing with.
        guard let first = text.utf8.first else {
            self = .null
            return
        }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            self = Self.number(text)
        case UInt8(ascii: "~"):
            self = text.utf8.count == 1 ? .null : .string
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            switch text {
            case "null", "Null", "NULL": self = .null
            default: self = .string
            }
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            switch text {
            case "true", "True", "TRUE", "false", "False", "FALSE": self = .bool
            default: self = .string
            }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            switch text {
            case ".inf", "+.inf", "-.inf", ".Inf", "+.Inf", "-.Inf", ".INF", "+.INF", "-.INF", ".nan", ".NaN", ".NAN":
                self = .float
            default:
                self = Self.number(text)
            }
        default:
            self = .string
        }
    }

    /// An integer, a float, or text: for plain scalars that no null, boolean or special float spelling matched.
    private static func number(_ text: String) -> ScalarKind {
        if ScalarKind.integerValue(text) != nil { return .integer }
        if text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }),
            text.unicodeScalars.contains(where: { $0.properties.numericType != nil }), Double(text) != nil
        {
            return .float
        }
        return .string
    }

    /// The value of an integer in the core schema: decimal with optional sign, `0o` octal or `0x` hex.
    static func integerValue(_ text: String) -> Double? {
        if let value = shortDecimal(text) { return value }
        let utf8 = text.utf8
        if utf8.starts(with: "0x".utf8) { return Int(text.dropFirst(2), radix: 16).map(Double.init) }
        if utf8.starts(with: "0o".utf8) { return Int(text.dropFirst(2), radix: 8).map(Double.init) }
        guard isDecimalInteger(text) else { return nil }
        // Up to 15 digits are exact in a Double as they are summed; longer ones are rounded as the parser rounds.
        if utf8.count <= 15 {
            var magnitude = 0
            var negative = false
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "-"): negative = true
                case UInt8(ascii: "+"): break
                default: magnitude = magnitude * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            return negative ? -Double(magnitude) : Double(magnitude)
        }
        return Double(text)
    }

    /// The value of a decimal integer of at most 15 digits with an optional sign (exact in a `Double`), read in one
    /// pass over the bytes; `nil` for anything else, which the general path then reads. Most numbers in pipeline
    /// files (`rows: 1000`, `i: 7`) are such, and each `utf8` walk of the general path costs more than the number.
    static func shortDecimal(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes -> Double? in
            guard let first = bytes.first else { return nil }
            let signed = first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
            let digits = bytes.count - (signed ? 1 : 0)
            guard digits >= 1, digits <= 15 else { return nil }
            var magnitude = 0
            for byte in bytes[(signed ? 1 : 0)...] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                magnitude = magnitude * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return first == UInt8(ascii: "-") ? -Double(magnitude) : Double(magnitude)
        }
    }

    /// The largest integer magnitude a `Double` holds exactly: 2^53.
    static let largestExactInteger: UInt64 = 1 << 53

    /// Whether `text` is a decimal integer with an optional sign (not `0x`/`0o`).
    static func isDecimalInteger(_ text: String) -> Bool {
        var digits = text.utf8[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The number a scalar of kind `.integer` or `.float` holds.
    static func numberValue(_ text: String) -> Double? {
        if let integer = integerValue(text) { return integer }
        switch text {
        case ".inf", "+.inf", ".Inf", "+.Inf", ".INF", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: return Double(text)
        }
    }
}

extension YAMLNode {
    /// The scalar inside, if this is a scalar.
    var scalarValue: YAMLNode.Scalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    /// Whether this is a plain scalar with nothing in it (a key with no value).
    var isEmptyValue: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.string.isEmpty && scalar.style == .plain
    }

    /// "a mapping", "a list", "text", "a number", … for messages.
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch ScalarKind(scalar) {
            case .string: return "text"
            case .integer, .float: return "a number"
            case .bool: return "a boolean"
            case .null: return "nothing"
            }
        }
    }
}
