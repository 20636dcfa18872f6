import Tabular

/// Builds random frames with awkward strings, nulls and extreme numbers for property-style tests.
enum RandomFrame {
    static let stringPieces = ["a", "Z", ",", "\"", "\n", "\r\n", "\r", " ", "NA", "null", "NaN", "é", "日本", "x y", "''", ";", "1"]

    /// A random frame with 1...5 columns of random types and 0...30 rows.
    /// - Parameters:
    ///   - generator: The seeded source of randomness.
    static func make(using generator: inout SeededGenerator) -> DataFrame {
        let columnCount = Int.random(in: 1...5, using: &generator)
        let rows = Int.random(in: 0...30, using: &generator)
        var columns: [Column] = []
        for index in 0..<columnCount {
            let name = index == 0 ? "c0, \"quoted\"\nname" : "c\(index)"
            let type = ColumnType.allCases.randomElement(using: &generator)!
            func maybe<T>(_ make: (inout SeededGenerator) -> T) -> [T?] {
                (0..<rows).map { _ in Int.random(in: 0..<5, using: &generator) == 0 ? nil : make(&generator) }
            }
            switch type {
            case .double: columns.append(Column(name: name, doubles: maybe(randomDouble)))
            case .int: columns.append(Column(name: name, ints: maybe { Int.random(in: Int.min...Int.max, using: &$0) }))
            case .bool: columns.append(Column(name: name, bools: maybe { Bool.random(using: &$0) }))
            case .string: columns.append(Column(name: name, strings: maybe(randomString)))
            }
        }
        return try! DataFrame(columns: columns)
    }

    /// A double from a mix of ordinary, tiny, huge, negative zero and infinite values.
    static func randomDouble(_ generator: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: return Double.random(in: -1000...1000, using: &generator)
        case 1:
            let any = Double(bitPattern: generator.next())
            return any.isNaN ? 0.1 : any
        case 2: return Double.random(in: -1e-300...1e-300, using: &generator)
        case 3: return [0.0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude].randomElement(using: &generator)!
        case 4: return Double(Int.random(in: -1_000_000...1_000_000, using: &generator))
        default: return Double.random(in: -1e300...1e300, using: &generator)
        }
    }

    /// A string of 0...6 awkward pieces (may be empty or equal a missing token).
    static func randomString(_ generator: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...6, using: &generator)).map { _ in stringPieces.randomElement(using: &generator)! }.joined()
    }
}
