/// Parses expression text (the inside of `${{ … }}`) into an ``Expression``.
///
/// Input cannot drive it (or the evaluator) arbitrarily deep: an expression is at most ``maximumLength`` characters
/// and nests at most ``maximumDepth`` levels; longer or deeper text is refused with an ``ExpressionError``.
public struct ExpressionParser {
    /// The longest expression accepted, in characters (the text inside one `${{ }}`, or one `if:`).
    public static let maximumLength = 10_000

    /// The deepest expression accepted: every parenthesis, every `!` and every operator of a chain such as
    /// `a || b || c` (two levels) adds one level.
    public static let maximumDepth = 100

    private enum Token: Equatable {
        case number(Double), string(String), identifier(String), symbol(String), end
    }

    /// A parsed subexpression with the depth of its tree.
    private struct Parsed {
        var expression: Expression
        var depth: Int
    }

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0
    /// Parentheses and `!` currently open on the parser's own call stack.
    private var nesting = 0

    /// Parses `text`.
    /// - Throws: ``ExpressionError`` with the offset of the problem, also when the text is longer than
    ///   ``maximumLength`` or nests deeper than ``maximumDepth``.
    public static func parse(_ text: String) throws(ExpressionError) -> Expression {
        let chars = Array(text)
        guard chars.count <= maximumLength else {
            throw ExpressionError(
                "the expression is \(chars.count) characters long, more than the limit of \(maximumLength); "
                    + "compute the value in an earlier task and read it from its outputs", at: 0)
        }
        var parser = ExpressionParser()
        try parser.tokenize(chars)
        let parsed = try parser.parseOr()
        guard case .end = parser.current else {
            throw ExpressionError("unexpected \(parser.describeCurrent()) after a complete expression", at: parser.currentOffset)
        }
        return parsed.expression
    }

    private static func tooDeep(at offset: Int) -> ExpressionError {
        ExpressionError(
            "the expression nests more than \(maximumDepth) levels deep (parentheses, '!' and chained operators "
                + "each add one); simplify it or split it across tasks", at: offset)
    }

    /// `op` applied to two parsed operands, refused when the result is too deep.
    private func combine(_ op: Expression.BinaryOperator, _ lhs: Parsed, _ rhs: Parsed, at offset: Int) throws(ExpressionError) -> Parsed {
        let depth = max(lhs.depth, rhs.depth) + 1
        guard depth <= Self.maximumDepth else { throw Self.tooDeep(at: offset) }
        return Parsed(expression: .binary(op, lhs.expression, rhs.expression), depth: depth)
    }

    /// Enters a parenthesis or `!` at `offset`, refused when too many are open.
    private mutating func enter(at offset: Int) throws(ExpressionError) {
        nesting += 1
        guard nesting < Self.maximumDepth else { throw Self.tooDeep(at: offset) }
    }

    private var current: Token { tokens[position].token }
    private var currentOffset: Int { tokens[position].offset }

    private func describeCurrent() -> String {
        switch current {
        case .number(let value): return "number \(JSONValue.format(value))"
        case .string(let value): return "string '\(value)'"
        case .identifier(let name): return "'\(name)'"
        case .symbol(let symbol): return "'\(symbol)'"
        case .end: return "end of expression"
        }
    }

    private mutating func tokenize(_ chars: [Character]) throws(ExpressionError) {
        var index = 0
        while index < chars.count {
            let char = chars[index]
            if char.isWhitespace {
                index += 1
            } else if char.isNumber || (char == "-" && index + 1 < chars.count && chars[index + 1].isNumber && startsOperand) {
                let start = index
                index += 1
                while index < chars.count, chars[index].isNumber || chars[index] == "." || chars[index] == "e"
                    || chars[index] == "E"
                {
                    index += 1
                }
                let text = String(characters: chars[start..<index])
                guard let value = Double(text) else { throw ExpressionError("invalid number '\(text)'", at: start) }
                guard value.isFinite else {
                    throw ExpressionError("the number \(text) is too large (numbers go up to about 1.8e308)", at: start)
                }
                tokens.append((.number(value), start))
            } else if char == "'" {
                let start = index
                index += 1
                var value = ""
                while true {
                    guard index < chars.count else {
                        throw ExpressionError("string starting here is not closed; end it with '", at: start)
                    }
                    if chars[index] == "'" {
                        if index + 1 < chars.count, chars[index + 1] == "'" {  // '' escapes a quote
                            value.append("'")
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    value.append(chars[index])
                    index += 1
                }
                tokens.append((.string(value), start))
            } else if char.isLetter || char == "_" {
                let start = index
                while index < chars.count,
                    chars[index].isLetter || chars[index].isNumber || chars[index] == "_" || chars[index] == "-"
                        || chars[index] == "."
                {
                    index += 1
                }
                tokens.append((.identifier(String(characters: chars[start..<index])), start))
            } else {
                let two = index + 1 < chars.count ? String(characters: chars[index...index + 1]) : ""
                if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
                    tokens.append((.symbol(two), index))
                    index += 2
                } else if "<>!()".contains(char) {
                    tokens.append((.symbol(String(char)), index))
                    index += 1
                } else if char == "=" {
                    throw ExpressionError("'=' is not an operator; compare with '=='", at: index)
                } else if char == "\"" {
                    throw ExpressionError("strings use single quotes: 'text'", at: index)
                } else {
                    throw ExpressionError("unexpected character '\(char)'", at: index)
                }
            }
        }
        tokens.append((.end, chars.count))
    }

    /// Whether a `-` at this point starts a negative number (after an operator or at the start).
    private var startsOperand: Bool {
        guard let last = tokens.last else { return true }
        if case .symbol(let symbol) = last.token { return symbol != ")" }
        return false
    }

    private mutating func advance() { position += 1 }

    private mutating func parseOr() throws(ExpressionError) -> Parsed {
        var lhs = try parseAnd()
        while current == .symbol("||") {
            let offset = currentOffset
            advance()
            lhs = try combine(.or, lhs, try parseAnd(), at: offset)
        }
        return lhs
    }

    private mutating func parseAnd() throws(ExpressionError) -> Parsed {
        var lhs = try parseEquality()
        while current == .symbol("&&") {
            let offset = currentOffset
            advance()
            lhs = try combine(.and, lhs, try parseEquality(), at: offset)
        }
        return lhs
    }

    private mutating func parseEquality() throws(ExpressionError) -> Parsed {
        var lhs = try parseComparison()
        while case .symbol(let symbol) = current, symbol == "==" || symbol == "!=" {
            let offset = currentOffset
            advance()
            lhs = try combine(symbol == "==" ? .equal : .notEqual, lhs, try parseComparison(), at: offset)
        }
        return lhs
    }

    private mutating func parseComparison() throws(ExpressionError) -> Parsed {
        var lhs = try parseUnary()
        while case .symbol(let symbol) = current, let op = Expression.BinaryOperator(rawValue: symbol),
            [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(op)
        {
            let offset = currentOffset
            advance()
            lhs = try combine(op, lhs, try parseUnary(), at: offset)
        }
        return lhs
    }

    private mutating func parseUnary() throws(ExpressionError) -> Parsed {
        if current == .symbol("!") {
            let offset = currentOffset
            try enter(at: offset)
            advance()
            let inner = try parseUnary()
            nesting -= 1
            guard inner.depth < Self.maximumDepth else { throw Self.tooDeep(at: offset) }
            return Parsed(expression: .not(inner.expression), depth: inner.depth + 1)
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Parsed {
        guard current == .symbol("(") else { return Parsed(expression: try parseValue(), depth: 1) }
        let offset = currentOffset
        try enter(at: offset)
        advance()
        let inner = try parseOr()
        guard current == .symbol(")") else {
            throw ExpressionError("expected ')' to close the '(' at offset \(offset), found \(describeCurrent())", at: currentOffset)
        }
        advance()
        nesting -= 1
        return inner
    }

    private mutating func parseValue() throws(ExpressionError) -> Expression {
        let offset = currentOffset
        switch current {
        case .number(let value):
            advance()
            return .literal(.number(value))
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .identifier(let name):
            advance()
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default: break
            }
            if current == .symbol("(") {
                advance()
                guard current == .symbol(")") else {
                    throw ExpressionError("\(name)() takes no arguments", at: currentOffset)
                }
                advance()
                guard let function = Expression.StatusFunction(rawValue: name) else {
                    let known = Expression.StatusFunction.allCases.map { "\($0.rawValue)()" }.joined(separator: ", ")
                    throw ExpressionError("unknown function '\(name)()'; the functions are \(known)", at: offset)
                }
                return .call(function)
            }
            let path = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains(where: \.isEmpty) else {
                throw ExpressionError("'\(name)' is not a valid reference (empty part between dots)", at: offset)
            }
            return .reference(path)
        case .end:
            throw ExpressionError("expression ends too early; expected a value", at: offset)
        case .symbol(let symbol):
            throw ExpressionError("unexpected '\(symbol)'; expected a value", at: offset)
        }
    }
}
