import Tabular

extension FittedTransform {
    /// The bucket index (number of boundaries `<= x`) of each value; NaN and nulls give null.
    func bucketize(_ frame: inout DataFrame, _ spec: BucketizeSpec) throws {
        let x = try NumericInput(frame, spec.column, transform: transform.name)
        let boundaries = spec.boundaries
        var codes = [Int](repeating: 0, count: frame.rowCount)
        var valid = [Bool](repeating: false, count: frame.rowCount)
        for row in 0..<frame.rowCount where x.valid[row] && !x.values[row].isNaN {
            let value = x.values[row]
            var low = 0, high = boundaries.count
            while low < high {
                let middle = (low + high) / 2
                if boundaries[middle] <= value { low = middle + 1 } else { high = middle }
            }
            codes[row] = low
            valid[row] = true
        }
        try frame.place(Column(name: spec.output ?? spec.column, storage: .int(codes), validity: valid),
                        source: spec.column, transform: transform.name)
    }

    /// One int 0/1 column per fitted category, named `<prefix>_<category>`; the input column is dropped.
    func oneHot(_ frame: inout DataFrame, _ spec: OneHotSpec, categories: [String]) throws {
        let texts = try frame.column(spec.column).categoryTexts
        let positions = CategoryPositions(categories, lookups: frame.rowCount)
        var indicators = [[Int]](repeating: [Int](repeating: 0, count: frame.rowCount), count: categories.count)
        for (row, text) in texts.enumerated() {
            if let text, let position = positions[text] { indicators[position][row] = 1 }
        }
        try frame.removeColumn(spec.column)
        let prefix = spec.prefix ?? spec.column
        for (position, category) in categories.enumerated() {
            try frame.place(Column(name: "\(prefix)_\(category)", ints: indicators[position]), source: nil,
                            transform: transform.name)
        }
    }

    /// The index of each value in the fitted categories; unseen values and nulls give -1.
    func ordinal(_ frame: inout DataFrame, _ spec: ColumnSpec, categories: [String]) throws {
        let texts = try frame.column(spec.column).categoryTexts
        let positions = CategoryPositions(categories, lookups: frame.rowCount)
        let codes = texts.map { text in text.flatMap { positions[$0] } ?? -1 }
        try frame.place(Column(name: spec.outputName, ints: codes), source: spec.column, transform: transform.name)
    }

    /// Int columns `<prefix>_<part>` from ISO-8601 strings; unparseable values give nulls. The input column is dropped.
    func dateParts(_ frame: inout DataFrame, _ spec: DatePartsSpec) throws {
        let column = try frame.column(spec.column)
        guard let texts = column.stringValues else {
            throw FeatureError.notText(transform: transform.name, column: spec.column, type: column.type)
        }
        let parsed = texts.map { $0.flatMap(ISODateParts.init) }
        try frame.removeColumn(spec.column)
        let prefix = spec.prefix ?? spec.column
        for part in spec.parts ?? DatePart.allCases {
            try frame.place(Column(name: "\(prefix)_\(part.rawValue)", ints: parsed.map { $0?.value(of: part) }),
                            source: nil, transform: transform.name)
        }
    }
}

/// Where each fitted category is in the list. A few lookups (a one-row prediction request) search the list; more
/// build a dictionary once, which costs a hash and an insert per category.
struct CategoryPositions {
    private let categories: [String]
    private let table: [String: Int]?

    /// Positions in `categories` (the first, for a repeated one), for `lookups` values to come.
    init(_ categories: [String], lookups: Int) {
        self.categories = categories
        table = lookups > 4
            ? Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }) : nil
    }

    /// The position of `text`, or `nil` when it is not a category.
    subscript(text: String) -> Int? {
        if let table { return table[text] }
        return categories.firstIndex(of: text)
    }
}
