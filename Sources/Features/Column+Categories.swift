import Tabular

extension Column {
    /// The text of every non-null value (`nil` at null rows), used for categorical encodings.
    var categoryTexts: [String?] {
        if let strings = stringValues { return strings }
        return (0..<count).map { isNull(at: $0) ? nil : self[$0].description }
    }
}
