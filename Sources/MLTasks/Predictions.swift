public import Tabular

/// Scoring rows with a model file: what `predict` (the kind), `kiln predict` and an HTTP prediction handler share.
///
/// ```swift
/// let scored = try Predictions.score(frame, with: model, threshold: 0.42)
/// // scored has frame's columns, then `score` (probability of class 1) and `prediction` (0/1)
/// ```
public enum Predictions {
    /// `frame` with a `score` column (the probability of class 1) and, with a threshold, a 0/1 `prediction` column
    /// (1 when `score ≥ threshold`). Existing `score` / `prediction` columns are replaced.
    /// - Parameters:
    ///   - frame: Raw rows with the model's input columns (other columns are kept and ignored).
    ///   - model: The model file.
    ///   - threshold: The decision threshold for `prediction`, or `nil` for scores only.
    /// - Throws: ``ModelFileError`` naming the column when the rows do not fit the model's input schema.
    public static func score(_ frame: DataFrame, with model: ModelFile, threshold: Double? = nil) throws -> DataFrame {
        let scores = try model.score(frame)
        var out = frame
        for name in ["score", "prediction"] where out.contains(column: name) {
            _ = try out.removeColumn(name)
        }
        try out.addColumn(Column(name: "score", doubles: scores))
        if let threshold {
            try out.addColumn(Column(name: "prediction", ints: scores.map { $0 >= threshold ? 1 : 0 }))
        }
        return out
    }
}
