import Tabular

extension FittedTransform {
    /// Replaces nulls by the fitted value; an int column filled by `mean` / `median` becomes a double column.
    func fill(_ frame: inout DataFrame, _ spec: FillMissingSpec, with value: FillValue) throws {
        let column = try frame.column(spec.column)
        let invalid = FeatureError.invalidFillValue(column: spec.column, type: column.type, value: value)
        let filled: Column
        switch (column.storage, value) {
        case (.int(let ints), .number(let number)):
            if spec.strategy == .mean || spec.strategy == .median || number != number.rounded() || abs(number) > 9e15 {
                filled = Column(name: spec.column, doubles: zip(ints, column.validity).map { $1 ? Double($0) : number })
            } else {
                filled = Column(name: spec.column, ints: zip(ints, column.validity).map { $1 ? $0 : Int(number) })
            }
        case (.double(let doubles), .number(let number)):
            filled = Column(name: spec.column, doubles: zip(doubles, column.validity).map { $1 ? $0 : number })
        case (.string(let strings), .string(let text)):
            filled = Column(name: spec.column, strings: zip(strings, column.validity).map { $1 ? $0 : text })
        case (.bool(let bools), .bool(let flag)):
            filled = Column(name: spec.column, bools: zip(bools, column.validity).map { $1 ? $0 : flag })
        default:
            throw invalid
        }
        try frame.replaceColumn(filled)
    }
}
