import Tabular

extension DataFrame {
    /// Puts a transform output into the frame: replacing `source` when the names match, appending otherwise.
    /// - Throws: ``FeatureError/outputExists(transform:column:)`` when another column already has the name.
    mutating func place(_ column: Column, source: String?, transform: String) throws {
        if column.name == source {
            try replaceColumn(column)
        } else if contains(column: column.name) {
            throw FeatureError.outputExists(transform: transform, column: column.name)
        } else {
            try addColumn(column)
        }
    }
}
