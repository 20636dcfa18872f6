/// A readable error for feature pipeline JSON that cannot be decoded.
public struct FeatureConfigError: Error, Sendable, CustomStringConvertible {
    /// The dotted key path of the problem (e.g. `steps.Index 2.log1p`), empty for the top level.
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
        var message = context?.debugDescription ?? "\(error)"
        if case .keyNotFound(let key, _) = error { message = "missing key '\(key.stringValue)'" }
        path = context?.codingPath.map(\.stringValue).joined(separator: ".") ?? ""
        self.message = message
    }

    /// `feature pipeline at <path>: <message>. Fix: ...`.
    public var description: String {
        "feature pipeline\(path.isEmpty ? "" : " at \(path)"): \(message). "
            + "Fix: correct the pipeline JSON (see FeatureTransform for every transform and its keys)."
    }
}
