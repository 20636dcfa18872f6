public import PipelineEngine
public import PipelineModel

/// The kind `fail`: fails its first attempts on purpose, to try out retries and failure handling.
///
/// Inputs:
/// - `times` (a whole number ≥ 0, default 1): how many attempts fail. Attempt `times + 1` and later succeed.
/// - `message` (a string, optional): the failure message instead of the default
///   `failing on purpose: attempt N of the first T`.
///
/// A successful attempt returns the other inputs as outputs.
///
/// ```yaml
/// flaky:
///   uses: fail
///   with: { times: 2 }
///   retry: { attempts: 3 }
/// ```
public struct FailTaskKind: TaskKind {
    /// The kind's name, `"fail"`.
    public let name = "fail"

    /// Creates the kind.
    public init() {}

    /// Fails while `context.attempt <= times`, then returns the inputs other than `times` and `message`.
    ///
    /// - Throws: ``TaskFailure`` on a failing attempt, or when `times` or `message` has the wrong type.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        var outputs = context.inputs
        let times = try Self.times(outputs.removeValue(forKey: "times"))
        let message = try Self.message(outputs.removeValue(forKey: "message"))
        if context.attempt <= times {
            throw TaskFailure(message ?? "failing on purpose: attempt \(context.attempt) of the first \(times)")
        }
        return outputs
    }

    private static func times(_ value: JSONValue?) throws -> Int {
        guard let value else { return 1 }
        guard case .number(let number) = value, number >= 0, number.rounded() == number, number < 1e15 else {
            throw TaskFailure("input 'times' of the fail kind must be a whole number of at least 0")
        }
        return Int(number)
    }

    private static func message(_ value: JSONValue?) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw TaskFailure("input 'message' of the fail kind must be a string")
        }
    }
}
