import FuzzSupport
import PipelineModel

/// A context with a little of everything an expression can reach: parameters, task outputs, env, status functions.
private struct FuzzContext: ExpressionContext {
    func value(at path: [String]) throws(ExpressionError) -> JSONValue? {
        switch path.first {
        case "params": return path.count == 2 ? .object(["lr": .number(0.1), "name": .string("x"), "on": .bool(true)])[path[1]] : nil
        case "tasks": return path.last == "f1" ? .number(0.93) : .string("1e3")
        case "env": return .string(path.joined(separator: "."))
        case "fail": throw ExpressionError("unresolvable reference", at: 0)
        default: return nil
        }
    }

    func status(_ function: Expression.StatusFunction) -> Bool { function.rawValue.count % 2 == 0 }
}

extension JSONValue {
    fileprivate subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}

/// One input: an `if:` expression (first byte even) or a `${{ }}` template (first byte odd); whatever parses is
/// evaluated. Any outcome is fine except a crash or a hang; an error carries an offset inside the text.
func fuzzExpression(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else { return }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    let context = FuzzContext()
    if bytes[0] % 2 == 0 {
        do {
            let expression = try ExpressionParser.parse(text)
            _ = expression.references
            _ = expression.callsStatusFunction
            _ = try? expression.evaluate(in: context).isTruthy
        } catch {
            precondition(error.offset >= 0 && error.offset <= text.utf8.count + 1, "offset \(error.offset) outside the text")
            precondition(!error.description.isEmpty)
        }
    } else if let template = try? Template(text) {
        _ = template.isLiteral
        _ = template.expressions
        _ = try? template.render(in: context)
        _ = try? template.value(in: context)
    }
}

/// libFuzzer's name for the function under test (its runtime refers to it even when `main` below runs the driver).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzExpression(fuzzInput(data, count))
    return 0
}

@main
enum FuzzExpressionMain {
    static func main() { runFuzzer(fuzzerTestOneInput) }
}
