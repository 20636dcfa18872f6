/// A string that may hold `${{ … }}` expressions, parsed once.
public struct Template: Sendable, Hashable {
    /// One piece of a template.
    public enum Segment: Sendable, Hashable {
        /// Literal text.
        case text(String)
        /// An expression, with the character offset of its text inside the template string.
        case expression(Expression, offset: Int)
    }

    /// The pieces, in order.
    public var segments: [Segment]

    /// Parses `text`.
    /// - Throws: ``ExpressionError`` whose offset is relative to the start of `text`.
    public init(_ text: String) throws(ExpressionError) {
        segments = []
        let chars = Array(text)
        var literal = ""
        var index = 0
        while index < chars.count {
            if chars[index] == "$", index + 2 < chars.count, chars[index + 1] == "{", chars[index + 2] == "{" {
                var end = index + 3
                var found = false
                var inString = false
                while end + 1 < chars.count {
                    if chars[end] == "'" { inString.toggle() }
                    if !inString, chars[end] == "}", chars[end + 1] == "}" {
                        found = true
                        break
                    }
                    end += 1
                }
                guard found else { throw ExpressionError("'${{' is not closed; end the expression with '}}'", at: index) }
                if !literal.isEmpty {
                    segments.append(.text(literal))
                    literal = ""
                }
                let inner = String(characters: chars[(index + 3)..<end])
                do {
                    segments.append(.expression(try ExpressionParser.parse(inner), offset: index + 3))
                } catch {
                    throw ExpressionError(error.message, at: index + 3 + error.offset)
                }
                index = end + 2
            } else {
                literal.append(chars[index])
                index += 1
            }
        }
        if !literal.isEmpty { segments.append(.text(literal)) }
    }

    /// Whether the template has no expressions.
    public var isLiteral: Bool { !segments.contains { if case .expression = $0 { return true } else { return false } } }

    /// The expressions in the template.
    public var expressions: [Expression] {
        segments.compactMap { if case .expression(let e, _) = $0 { return e } else { return nil } }
    }

    /// Evaluates to a string: each expression's value is interpolated (strings bare, other values as JSON).
    public func render(in context: some ExpressionContext) throws(ExpressionError) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .text(let text): out += text
            case .expression(let expression, let offset):
                do {
                    out += try expression.evaluate(in: context).interpolated
                } catch {
                    throw ExpressionError(error.message, at: offset + error.offset)
                }
            }
        }
        return out
    }

    /// Evaluates to a value: a template that is exactly one expression keeps the expression's type.
    public func value(in context: some ExpressionContext) throws(ExpressionError) -> JSONValue {
        if segments.count == 1, case .expression(let expression, let offset) = segments[0] {
            do {
                return try expression.evaluate(in: context)
            } catch {
                throw ExpressionError(error.message, at: offset + error.offset)
            }
        }
        return .string(try render(in: context))
    }
}

extension String {
    /// The text of `characters`, appended one by one: `String(_:)` of a slice is the generic initializer, whose first
    /// use in a process looks a conformance up at run time (a walk of all the binary's conformance records).
    init(characters: ArraySlice<Character>) {
        self = ""
        for character in characters { append(character) }
    }

    /// Whether the text holds a `${{` template marker: a byte scan (the standard library's `contains(_:)` on a
    /// string goes through a generic substring search, measurable when every input of every task asks).
    public var containsTemplateMarker: Bool {
        if let found = utf8.withContiguousStorageIfAvailable(Self.hasMarker) { return found }
        var copy = self  // a bridged or foreign string: make it native first
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable(Self.hasMarker) ?? false
    }

    private static func hasMarker(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 3 else { return false }
        for index in 0..<(bytes.count - 2) where bytes[index] == UInt8(ascii: "$") {
            if bytes[index + 1] == UInt8(ascii: "{") && bytes[index + 2] == UInt8(ascii: "{") { return true }
        }
        return false
    }
}
