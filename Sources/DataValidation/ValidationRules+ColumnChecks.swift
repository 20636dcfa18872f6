import Tabular

extension ValidationRules {
    /// All violations of one column rule.
    /// - Parameters:
    ///   - rule: The column rule.
    ///   - name: The column name.
    ///   - frame: The data.
    func check(_ rule: ColumnRule, column name: String, in frame: DataFrame) -> [Violation] {
        guard let column = frame[name] else {
            guard rule.required ?? true else { return [] }
            return [Violation(rule: "required", column: name,
                              message: "column \(name): required column is missing. Fix: add it or set \"required\": false")]
        }
        var violations: [Violation] = []
        if let type = rule.type, type != column.type, !(type == .double && column.type == .int) {
            violations.append(Violation(rule: "type", column: name, message: "column \(name): type \(column.type), expected \(type)"))
        }
        if let limit = rule.maxNullRatio {
            let ratio = column.count == 0 ? 0 : Double(column.nullCount) / Double(column.count)
            if ratio > limit {
                let text = NumberText.percents(ratio, limit)
                violations.append(Violation(
                    rule: "max_null_ratio", column: name,
                    message: "column \(name): \(text.actual) % null > \(text.limit) % allowed",
                    actual: ratio, limit: limit))
            }
        }
        if rule.min != nil || rule.max != nil { violations += checkRange(rule, column) }
        if let allowed = rule.allowed { violations += checkAllowed(Set(allowed), column) }
        if rule.unique == true { violations += checkUnique(column) }
        return violations
    }

    /// The min / max checks; NaN values break both bounds.
    private func checkRange(_ rule: ColumnRule, _ column: Column) -> [Violation] {
        let name = column.name
        guard let values = column.numericValues else {
            return [Violation(rule: rule.min != nil ? "min" : "max", column: name,
                              message: "column \(name): min/max need a numeric column, found \(column.type)")]
        }
        var below = 0, above = 0, nans = 0
        var lowest = Double.infinity, highest = -Double.infinity
        for case let value? in values {
            if value.isNaN {
                nans += 1
                continue
            }
            lowest = Swift.min(lowest, value)
            highest = Swift.max(highest, value)
            if let min = rule.min, value < min { below += 1 }
            if let max = rule.max, value > max { above += 1 }
        }
        var violations: [Violation] = []
        if let min = rule.min, below > 0 {
            violations.append(Violation(rule: "min", column: name,
                                        message: "column \(name): \(below) values < min \(NumberText.number(min)) (lowest \(NumberText.number(lowest)))",
                                        actual: lowest, limit: min))
        }
        if let max = rule.max, above > 0 {
            violations.append(Violation(rule: "max", column: name,
                                        message: "column \(name): \(above) values > max \(NumberText.number(max)) (highest \(NumberText.number(highest)))",
                                        actual: highest, limit: max))
        }
        if nans > 0 {
            violations.append(Violation(rule: rule.min != nil ? "min" : "max", column: name,
                                        message: "column \(name): \(nans) NaN values cannot satisfy min/max",
                                        actual: Double(nans)))
        }
        return violations
    }

    /// The allowed-categories check, listing up to three unexpected values.
    private func checkAllowed(_ allowed: Set<String>, _ column: Column) -> [Violation] {
        var unexpected: [String: Int] = [:]
        for row in 0..<column.count where !column.isNull(at: row) {
            let text = column[row].description
            if !allowed.contains(text) { unexpected[text, default: 0] += 1 }
        }
        guard !unexpected.isEmpty else { return [] }
        let count = unexpected.values.reduce(0, +)
        let examples = unexpected.keys.sorted().prefix(3).map { "'\($0)'" }.joined(separator: ", ")
        return [Violation(rule: "allowed", column: column.name,
                          message: "column \(column.name): \(count) values not allowed (\(unexpected.count) distinct, e.g. \(examples)); "
                              + "allowed: \(allowed.sorted().joined(separator: ", "))",
                          actual: Double(count))]
    }

    /// The uniqueness check over non-null values.
    private func checkUnique(_ column: Column) -> [Violation] {
        var seen = Set<CellValue>()
        var duplicates: [String] = []
        var duplicateCount = 0
        for row in 0..<column.count where !column.isNull(at: row) {
            let value = column[row]
            if !seen.insert(value).inserted {
                duplicateCount += 1
                if duplicates.count < 3, !duplicates.contains(value.description) { duplicates.append(value.description) }
            }
        }
        guard duplicateCount > 0 else { return [] }
        return [Violation(rule: "unique", column: column.name,
                          message: "column \(column.name): \(duplicateCount) duplicate values (e.g. \(duplicates.joined(separator: ", ")))",
                          actual: Double(duplicateCount))]
    }
}
