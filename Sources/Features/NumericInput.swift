import Tabular

/// The values of an int or double column as contiguous doubles plus validity.
struct NumericInput {
    /// The values (placeholders at null rows).
    let values: [Double]
    /// `false` at null rows.
    let valid: [Bool]

    /// Reads a numeric column.
    /// - Throws: ``TabularError/columnNotFound(name:available:)`` or ``FeatureError/notNumeric(transform:column:type:)``.
    init(_ frame: DataFrame, _ name: String, transform: String) throws {
        let column = try frame.column(name)
        switch column.storage {
        case .double(let doubles): values = doubles
        case .int(let ints): values = ints.map(Double.init)
        default: throw FeatureError.notNumeric(transform: transform, column: name, type: column.type)
        }
        valid = column.validity
    }

    /// The finite non-null values.
    var finiteValues: [Double] {
        var result: [Double] = []
        result.reserveCapacity(values.count)
        values.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where valid[index] && buffer[index].isFinite { result.append(buffer[index]) }
        }
        return result
    }
}
