/// A readable error for rules JSON that cannot be decoded.
public struct ValidationRulesError: Error, Sendable, CustomStringConvertible {
    /// The dotted key path of the problem (empty for the top level).
    public let path: String
    /// What is wrong.
    public let message: String

    /// Wraps a `DecodingError`.
    /// - Parameters:
    ///   - error: The decoding failure.
    init(_ error: DecodingError) {
        let context: DecodingError.Context?
        switch error {
        case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c): context = c
        @unknown default: context = nil
        }
        path = context?.codingPath.map(\.stringValue).joined(separator: ".") ?? ""
        message = context?.debugDescription ?? "\(error)"
    }

    /// `rules at <path>: <message>. Fix: ...`.
    public var description: String {
        "rules\(path.isEmpty ? "" : " at \(path)"): \(message). Fix: correct the rules JSON (keys are snake_case; see ValidationRules)."
    }
}
