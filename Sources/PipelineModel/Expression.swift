/// A parsed `${{ … }}` expression.
///
/// References: `params.X`, `tasks.ID.outputs.KEY[.more]`, `env.X`. Literals: numbers, `'strings'`, `true`, `false`,
/// `null`. Operators: `== != < <= > >= && || !` and parentheses. Functions: `success()`, `failure()`, `always()`.
public indirect enum Expression: Sendable, Hashable {
    /// A literal value.
    case literal(JSONValue)
    /// A dotted reference such as `["tasks", "train", "outputs", "f1"]`.
    case reference([String])
    /// Logical negation.
    case not(Expression)
    /// A binary operation.
    case binary(BinaryOperator, Expression, Expression)
    /// A status function call: `success()`, `failure()`, `always()`.
    case call(StatusFunction)

    /// The binary operators, from `||` (lowest precedence) to comparisons.
    public enum BinaryOperator: String, Sendable, Hashable {
        case or = "||", and = "&&", equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<="
        case greater = ">", greaterOrEqual = ">="
    }

    /// The functions an expression may call.
    public enum StatusFunction: String, Sendable, Hashable, CaseIterable {
        /// Every task in `needs` succeeded (or was served from cache). The default condition.
        case success
        /// Some task upstream (transitively) failed.
        case failure
        /// Always true: run whatever happened upstream.
        case always
    }

    /// Whether the expression calls any status function (if not, `success() && …` is implied in an `if:`).
    public var callsStatusFunction: Bool {
        switch self {
        case .literal, .reference: return false
        case .call: return true
        case .not(let inner): return inner.callsStatusFunction
        case .binary(_, let lhs, let rhs): return lhs.callsStatusFunction || rhs.callsStatusFunction
        }
    }

    /// Every reference path in the expression, in order.
    public var references: [[String]] {
        switch self {
        case .literal, .call: return []
        case .reference(let path): return [path]
        case .not(let inner): return inner.references
        case .binary(_, let lhs, let rhs): return lhs.references + rhs.references
        }
    }
}

/// Why an expression could not be parsed or evaluated.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String
    /// Offset (in characters) inside the expression text where the problem is.
    public var offset: Int

    /// Creates an error at `offset`.
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The message.
    public var description: String { message }
}
