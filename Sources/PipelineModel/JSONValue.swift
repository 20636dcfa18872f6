/// A JSON value: what task outputs, params and `with:` inputs are made of.
///
/// Numbers are stored as `Double`, so integers are exact up to ±2^53 (``largestExactInteger``); integral values in
/// that range print without a fraction (`3`, not `3.0`). Pipeline files refuse larger integers and non-finite
/// numbers when they are read, so a number never changes its meaning on its way to a command line.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as plain JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if let integer = JSONValue.exactInteger(value) {
                try container.encode(integer)
            } else if value.isFinite {
                try container.encode(value)
            } else {
                try container.encodeNil()  // as in compactJSON: JSON has no infinity or NaN
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// A string value.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A number value.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A number value.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A boolean value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array value.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object value; a later duplicate key wins.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// The null value.
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// The string inside a `.string`, else `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number inside a `.number`, else `nil`.
    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an `Int` when it is integral and within ±2^53 (where a `Double` is exact), else `nil`.
    public var intValue: Int? {
        guard case .number(let value) = self, let integer = JSONValue.exactInteger(value) else { return nil }
        return Int(integer)
    }

    /// The largest integer magnitude a number holds exactly: 2^53 = 9007199254740992.
    public static let largestExactInteger: Int64 = 1 << 53

    /// `value` as an integer when it is integral and within ±``largestExactInteger``, else `nil`.
    static func exactInteger(_ value: Double) -> Int64? {
        guard value.rounded() == value, value.magnitude <= Double(largestExactInteger) else { return nil }
        return Int64(value)
    }

    /// The boolean inside a `.bool`, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The members of an `.object`, else `nil`.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements of an `.array`, else `nil`.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The value as it reads inside a command line or a message: strings bare, everything else as compact JSON.
    public var interpolated: String {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return JSONValue.format(value)
        case .string(let value): return value
        case .array, .object: return compactJSON
        }
    }

    /// Compact JSON text with sorted keys, stable across runs (used for hashing and storage).
    public var compactJSON: String {
        // The outputs of most tasks, and many inputs: no buffer, no decoding of one (2.8k instructions a time).
        switch self {
        case .object(let members) where members.isEmpty: return "{}"
        case .array(let values) where values.isEmpty: return "[]"
        case .null: return "null"
        default: break
        }
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``compactJSON`` as UTF-8: bytes, not a `String`, since small appends to a string cost several times
    /// more (compact JSON is written for every task a run stores, and for every cache key).
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value):
            if let integer = JSONValue.exactInteger(value) {
                JSONValue.writeDecimal(integer, into: &out)
            } else {
                out.append(contentsOf: (value.isFinite ? String(value) : "null").utf8)
            }
        case .string(let value): JSONValue.writeQuoted(value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            func write(_ member: (key: String, value: JSONValue)) {
                JSONValue.writeQuoted(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            if members.count <= 2 {
                // Most objects (a task's inputs and outputs) have a member or two: ordered by one comparison, with
                // no array of positions to sort.
                if var first = members.first {
                    if members.count == 2 {
                        var second = members[members.index(after: members.startIndex)]
                        if second.key < first.key { swap(&first, &second) }
                        write(first)
                        out.append(UInt8(ascii: ","))
                        write(second)
                    } else {
                        write(first)
                    }
                }
            } else {
                // Positions sorted by key: the members themselves are not copied out of the dictionary.
                for (number, index) in members.indices.sorted(by: { members[$0].key < members[$1].key }).enumerated() {
                    if number > 0 { out.append(UInt8(ascii: ",")) }
                    write(members[index])
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Indented JSON text with sorted keys, as `JSONEncoder` writes it with `.prettyPrinted`, `.sortedKeys` and
    /// `.withoutEscapingSlashes` (two spaces per level, `"key" : value`, `\b` and `\f` escaped by name), written
    /// directly: the documents `--json` prints hold every task of a run, and the generic encoder costs several times
    /// more.
    public var prettyJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writePretty(into: &out, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func writePretty(into out: inout [UInt8], depth: Int) {
        func newline(_ depth: Int) {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
        }
        switch self {
        case .null, .bool, .number: write(into: &out)
        case .string(let value): JSONValue.writeQuoted(value, into: &out, namingBackspaceAndFormFeed: true)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            if values.isEmpty { out.append(UInt8(ascii: "\n")) }
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                value.writePretty(into: &out, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            if members.isEmpty { out.append(UInt8(ascii: "\n")) }
            for (number, index) in members.indices.sorted(by: { members[$0].key < members[$1].key }).enumerated() {
                if number > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                let member = members[index]
                JSONValue.writeQuoted(member.key, into: &out, namingBackspaceAndFormFeed: true)
                out.append(contentsOf: " : ".utf8)
                member.value.writePretty(into: &out, depth: depth + 1)
            }
            newline(depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `value` in decimal, as `String(value)` spells it, without making that string (a number of more than
    /// 15 digits, such as a time in nanoseconds, is a string on the heap).
    public static func writeDecimal(_ value: Int64, into out: inout [UInt8]) {
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Formats a number the way JSON and expressions show it: integral values up to ±2^53 without a fraction.
    public static func format(_ value: Double) -> String {
        if let integer = exactInteger(value) { return String(integer) }
        return String(value)
    }

    /// Appends `string` as a JSON string literal (quotes, `\"`, `\\`, `\n`, `\r`, `\t`, `\u00XX` for other control
    /// characters); a string with nothing to escape is appended as it is.
    public static func writeQuoted(_ string: String, into out: inout String) {
        guard needsEscaping(string) else {
            out += "\""
            out += string
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        writeQuoted(string, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `string` as a JSON string literal in UTF-8 bytes, with the same escapes as the `String` form.
    public static func writeQuoted(_ string: String, into out: inout [UInt8]) {
        writeQuoted(string, into: &out, namingBackspaceAndFormFeed: false)
    }

    /// With `namingBackspaceAndFormFeed`, those two are written `\b` and `\f` (as `JSONEncoder` does) instead of
    /// `\u0008` and `\u000c` (as stored JSON always was: its text is hashed).
    private static func writeQuoted(_ string: String, into out: inout [UInt8], namingBackspaceAndFormFeed: Bool) {
        out.append(UInt8(ascii: "\""))
        guard needsEscaping(string) else {
            out.append(contentsOf: string.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        // A control character or a quote is one byte in UTF-8, and no byte of a multi-byte character is below 0x80.
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
            case 0x08 where namingBackspaceAndFormFeed: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C where namingBackspaceAndFormFeed: out.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func needsEscaping(_ string: String) -> Bool {
        func escaped(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x22 || byte == 0x5C }
        // Over the bytes in place: the view's own iterator costs several times more per byte.
        return string.utf8.withContiguousStorageIfAvailable { $0.contains(where: escaped) }
            ?? string.utf8.contains(where: escaped)
    }
}
