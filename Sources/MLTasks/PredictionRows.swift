public import PipelineModel
public import Tabular

/// JSON rows (`[{"amount": 12.5, "merchant_category": "fuel", …}, …]`) as a frame a model can score.
///
/// A column the model's input schema names gets the schema's type: `double` and `int` take JSON numbers (`int` only
/// whole ones), `string` takes strings, `bool` takes `true`/`false`; `null` is a missing value. Other keys (raw
/// columns the version's feature transforms read) get the type their values have: whole numbers `int`, other
/// numbers `double`, strings, booleans. Every row must carry every schema column the transforms do not compute.
///
/// ```swift
/// let frame = try PredictionRows.frame([["amount": 12.5, "hour": 3]], schema: model.inputSchema)
/// ```
public enum PredictionRows {
    /// The most rows one request may carry.
    public static let maxRows = 10_000

    /// The frame of `rows`.
    /// - Parameters:
    ///   - rows: JSON objects, one per row.
    ///   - schema: The model's raw input columns and their types.
    ///   - checkMissing: Whether a schema column no row has is an error here (`false` when feature transforms may
    ///     compute it: scoring then names it if they do not).
    /// - Returns: One column per key, in the order keys first appear.
    /// - Throws: ``PredictionError`` (`invalid`) naming the row and column: a missing schema column, a value of the
    ///   wrong type, a key whose values mix types, no rows, or too many.
    public static func frame(
        _ rows: [[String: JSONValue]], schema: [String: ColumnType], checkMissing: Bool = true
    ) throws -> DataFrame {
        guard !rows.isEmpty else {
            throw PredictionError(.invalid, "no rows to score: send {\"rows\": [{\"column\": value, …}]} or one row object")
        }
        guard rows.count <= maxRows else {
            throw PredictionError(.invalid, "\(rows.count) rows in one request; send at most \(maxRows) per request")
        }
        var names: [String]
        if rows.count == 1 {
            names = rows[0].keys.sorted()  // the common request: no set needed to merge the rows' keys
        } else {
            names = []
            var seen: Set<String> = []
            for row in rows {
                for key in row.keys.sorted() where seen.insert(key).inserted { names.append(key) }
            }
        }
        if checkMissing {
            for name in schema.keys.sorted() where !rows.contains(where: { $0[name] != nil }) {
                throw PredictionError(.invalid, "column '\(name)' is missing: the model reads it (as \(schema[name]!)); "
                    + "add \"\(name)\" to every row (null for a missing value)")
            }
        }
        var columns: [Column] = []
        columns.reserveCapacity(names.count)
        for name in names {
            let declared = schema[name]
            let values = try rows.enumerated().map { index, row -> JSONValue in
                guard let value = row[name] else {
                    if declared != nil {
                        throw PredictionError(.invalid, "row \(index + 1) lacks column '\(name)', which the model reads; "
                            + "send it in every row (null for a missing value)")
                    }
                    return .null
                }
                return value
            }
            let type = try declared ?? inferredType(of: values, column: name)
            columns.append(try column(name, values, as: type, declared: declared != nil))
        }
        return try DataFrame(columns: columns)
    }

    /// The type a key's values have, when the schema does not say.
    static func inferredType(of values: [JSONValue], column name: String) throws -> ColumnType {
        var type: ColumnType?
        for value in values {
            let this: ColumnType
            switch value {
            case .null: continue
            case .bool: this = .bool
            case .string: this = .string
            case .number(let number): this = number.rounded() == number && abs(number) < 9e15 ? .int : .double
            case .array, .object:
                throw PredictionError(.invalid, "column '\(name)' holds \(value.compactJSON); values must be numbers, "
                    + "strings, booleans or null")
            }
            switch (type, this) {
            case (nil, _): type = this
            case (.int, .double), (.double, .int): type = .double
            case (let known?, _) where known != this:
                throw PredictionError(.invalid, "column '\(name)' mixes \(known) and \(this) values; send one type per column")
            default: break
            }
        }
        return type ?? .string
    }

    /// One column of `values` as `type`, refusing a value of another type by row and column.
    static func column(_ name: String, _ values: [JSONValue], as type: ColumnType, declared: Bool) throws -> Column {
        func refuse(_ row: Int, _ value: JSONValue) -> PredictionError {
            let expected: String
            switch type {
            case .double: expected = "a number"
            case .int: expected = "a whole number"
            case .string: expected = "a string"
            case .bool: expected = "true or false"
            }
            return PredictionError(.invalid, "column '\(name)' must be \(expected)"
                + (declared ? " (the model was trained on \(type))" : "") + ": row \(row + 1) has \(value.compactJSON)")
        }
        switch type {
        case .double:
            return Column(name: name, doubles: try values.enumerated().map { row, value in
                switch value {
                case .null: return nil
                case .number(let number): return number
                default: throw refuse(row, value)
                }
            })
        case .int:
            return Column(name: name, ints: try values.enumerated().map { row, value in
                switch value {
                case .null: return nil
                case .number(let number) where number.rounded() == number && abs(number) < 9e15: return Int(number)
                default: throw refuse(row, value)
                }
            })
        case .string:
            return Column(name: name, strings: try values.enumerated().map { row, value in
                switch value {
                case .null: return nil
                case .string(let text): return text
                default: throw refuse(row, value)
                }
            })
        case .bool:
            return Column(name: name, bools: try values.enumerated().map { row, value in
                switch value {
                case .null: return nil
                case .bool(let flag): return flag
                default: throw refuse(row, value)
                }
            })
        }
    }
}
