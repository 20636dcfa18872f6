/// What an expression can see while it is evaluated.
public protocol ExpressionContext {
    /// The value at a reference path (`["params", "x"]`, `["tasks", "a", "outputs", "f1"]`, `["env", "HOME"]`),
    /// or `nil` when nothing is there (the expression then sees `null`).
    func value(at path: [String]) throws(ExpressionError) -> JSONValue?
    /// The value of a status function for the task being decided.
    func status(_ function: Expression.StatusFunction) -> Bool
}

extension Expression {
    /// Evaluates the expression.
    ///
    /// Comparisons between a number and a numeric string compare numerically; ordering comparisons between values
    /// of other different types, or with `null`, are false. Truthiness: `null`, `false`, `0` and `''` are false.
    /// - Throws: ``ExpressionError`` when a reference cannot be resolved by the context.
    public func evaluate(in context: some ExpressionContext) throws(ExpressionError) -> JSONValue {
        switch self {
        case .literal(let value): return value
        case .reference(let path): return try context.value(at: path) ?? .null
        case .call(let function): return .bool(context.status(function))
        case .not(let inner): return .bool(!(try inner.evaluate(in: context)).isTruthy)
        case .binary(let op, let lhsExpression, let rhsExpression):
            let lhs = try lhsExpression.evaluate(in: context)
            switch op {
            case .or: return lhs.isTruthy ? lhs : try rhsExpression.evaluate(in: context)
            case .and: return lhs.isTruthy ? try rhsExpression.evaluate(in: context) : lhs
            default: break
            }
            let rhs = try rhsExpression.evaluate(in: context)
            switch op {
            case .equal: return .bool(JSONValue.looselyEqual(lhs, rhs))
            case .notEqual: return .bool(!JSONValue.looselyEqual(lhs, rhs))
            case .less: return .bool(JSONValue.order(lhs, rhs).map { $0 < 0 } ?? false)
            case .lessOrEqual: return .bool(JSONValue.order(lhs, rhs).map { $0 <= 0 } ?? false)
            case .greater: return .bool(JSONValue.order(lhs, rhs).map { $0 > 0 } ?? false)
            case .greaterOrEqual: return .bool(JSONValue.order(lhs, rhs).map { $0 >= 0 } ?? false)
            case .or, .and: fatalError("handled above")
            }
        }
    }
}

extension JSONValue {
    /// Truthiness in conditions: `null`, `false`, `0` and `''` are false; everything else is true.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        case .number(let value): return value != 0 && !value.isNaN
        case .string(let value): return !value.isEmpty
        case .array, .object: return true
        }
    }

    static func looselyEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .string(let b)): return Double(b) == a
        case (.string(let a), .number(let b)): return Double(a) == b
        default: return lhs == rhs
        }
    }

    /// -1, 0, 1 when the two values can be ordered, else `nil`.
    static func order(_ lhs: JSONValue, _ rhs: JSONValue) -> Int? {
        func compare<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return a.isNaN || b.isNaN ? nil : compare(a, b)
        case (.string(let a), .string(let b)): return compare(a, b)
        case (.number(let a), .string(let b)): return Double(b).map { compare(a, $0) }
        case (.string(let a), .number(let b)): return Double(a).map { compare($0, b) }
        default: return nil
        }
    }
}
