/// Parses expression text (the inside of `${{ … }}`) into an ``Expression``.
public struct ExpressionParser {
    private enum Token: Equatable {
        case number(Double), string(String), identifier(String), symbol(String), end
    }

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0

    /// Parses `text`.
    /// - Throws: ``ExpressionError`` with the offset of the problem.
    public static func parse(_ text: String) throws(ExpressionError) -> Expression {
        var parser = ExpressionParser()
        try parser.tokenize(Array(text))
        let expression = try parser.parseOr()
        guard case .end = parser.current else {
            throw ExpressionError("unexpected \(parser.describeCurrent()) after a complete expression", at: parser.currentOffset)
        }
        return expression
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
                let text = String(chars[start..<index])
                guard let value = Double(text) else { throw ExpressionError("invalid number '\(text)'", at: start) }
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
                tokens.append((.identifier(String(chars[start..<index])), start))
            } else {
                let two = index + 1 < chars.count ? String(chars[index...index + 1]) : ""
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

    private mutating func parseOr() throws(ExpressionError) -> Expression {
        var lhs = try parseAnd()
        while current == .symbol("||") {
            advance()
            lhs = .binary(.or, lhs, try parseAnd())
        }
        return lhs
    }

    private mutating func parseAnd() throws(ExpressionError) -> Expression {
        var lhs = try parseEquality()
        while current == .symbol("&&") {
            advance()
            lhs = .binary(.and, lhs, try parseEquality())
        }
        return lhs
    }

    private mutating func parseEquality() throws(ExpressionError) -> Expression {
        var lhs = try parseComparison()
        while case .symbol(let symbol) = current, symbol == "==" || symbol == "!=" {
            advance()
            lhs = .binary(symbol == "==" ? .equal : .notEqual, lhs, try parseComparison())
        }
        return lhs
    }

    private mutating func parseComparison() throws(ExpressionError) -> Expression {
        var lhs = try parseUnary()
        while case .symbol(let symbol) = current, let op = Expression.BinaryOperator(rawValue: symbol),
            [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(op)
        {
            advance()
            lhs = .binary(op, lhs, try parseUnary())
        }
        return lhs
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expression {
        if current == .symbol("!") {
            advance()
            return .not(try parseUnary())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Expression {
        let offset = currentOffset
        switch current {
        case .number(let value):
            advance()
            return .literal(.number(value))
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .symbol("("):
            advance()
            let inner = try parseOr()
            guard current == .symbol(")") else {
                throw ExpressionError("expected ')' to close the '(' at offset \(offset), found \(describeCurrent())", at: currentOffset)
            }
            advance()
            return inner
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
