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
        // Every null, boolean and number spelling starts with one of these; most text (names, commands,
        // expressions) does not, and needs none of the comparisons below.
        if let first = text.utf8.first, !Self.mayStartNonText(first) {
            self = .string
            return
        }
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null
        case "true", "True", "TRUE", "false", "False", "FALSE": self = .bool
        case ".inf", "+.inf", "-.inf", ".Inf", "+.Inf", "-.Inf", ".INF", "+.INF", "-.INF", ".nan", ".NaN", ".NAN":
            self = .float
        default:
            if ScalarKind.integerValue(text) != nil {
                self = .integer
            } else if text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }),
                text.unicodeScalars.contains(where: { $0.properties.numericType != nil }), Double(text) != nil
            {
                self = .float
            } else {
                self = .string
            }
        }
    }

    /// Whether `byte` may start `~`, `null`, `true`, `false` (any case), `.inf`, `.nan`, an integer or a float.
    private static func mayStartNonText(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default: false
        }
    }

    /// The value of an integer in the core schema: decimal with optional sign, `0o` octal or `0x` hex.
    static func integerValue(_ text: String) -> Double? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16).map(Double.init) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8).map(Double.init) }
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Double(text)
    }

    /// The largest integer magnitude a `Double` holds exactly: 2^53.
    static let largestExactInteger: UInt64 = 1 << 53

    /// Whether `text` is a decimal integer with an optional sign (not `0x`/`0o`).
    static func isDecimalInteger(_ text: String) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
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
