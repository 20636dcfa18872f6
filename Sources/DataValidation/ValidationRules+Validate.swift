import Tabular

extension ValidationRules {
    /// Checks a frame against every rule and reports all violations at once.
    /// - Parameters:
    ///   - frame: The data to check.
    public func validate(_ frame: DataFrame) -> ValidationReport {
        var violations: [Violation] = []
        let rows = frame.rowCount
        if let minRows, rows < minRows {
            violations.append(Violation(rule: "min_rows", message: "rows: \(rows) < \(minRows) required",
                                        actual: Double(rows), limit: Double(minRows)))
        }
        let cells = rows * frame.columnCount
        let tableRatio = cells == 0 ? 0 : Double(frame.nullCount) / Double(cells)
        if let maxNullRatio, tableRatio > maxNullRatio {
            let text = NumberText.percents(tableRatio, maxNullRatio)
            violations.append(Violation(
                rule: "max_null_ratio",
                message: "table: \(text.actual) % null cells > \(text.limit) % allowed",
                actual: tableRatio, limit: maxNullRatio))
        }
        for (name, rule) in (columns ?? [:]).sorted(by: { $0.key < $1.key }) {
            violations += check(rule, column: name, in: frame)
        }
        if let label {
            violations += checkLabel(label, in: frame)
        }
        var nullRatios: [String: Double] = [:]
        for column in frame.columns {
            nullRatios[column.name] = rows == 0 ? 0 : Double(column.nullCount) / Double(rows)
        }
        return ValidationReport(rows: rows, columns: frame.columnCount, nullRatio: tableRatio,
                                nullRatios: nullRatios, violations: violations)
    }

    /// The label existence and class-share checks.
    private func checkLabel(_ label: String, in frame: DataFrame) -> [Violation] {
        guard let column = frame[label] else {
            return [Violation(rule: "label", column: label,
                              message: "label \(label): column is missing (columns: \(frame.columnNames.joined(separator: ", ")))")]
        }
        guard let balance = labelBalance else { return [] }
        var counts: [String: Int] = [:]
        var total = 0
        for row in 0..<column.count where !column.isNull(at: row) {
            counts[column[row].description, default: 0] += 1
            total += 1
        }
        guard total > 0 else {
            return [Violation(rule: "label_balance", column: label, message: "label \(label): no non-null values to balance")]
        }
        let classes = balance.positive.map { [$0] } ?? counts.keys.sorted()
        var violations: [Violation] = []
        for value in classes {
            let share = Double(counts[value] ?? 0) / Double(total)
            if let min = balance.min, share < min {
                let text = NumberText.percents(share, min)
                violations.append(Violation(
                    rule: "label_balance", column: label,
                    message: "label \(label): class \(value) share \(text.actual) % < \(text.limit) % required",
                    actual: share, limit: min))
            }
            if let max = balance.max, share > max {
                let text = NumberText.percents(share, max)
                violations.append(Violation(
                    rule: "label_balance", column: label,
                    message: "label \(label): class \(value) share \(text.actual) % > \(text.limit) % allowed",
                    actual: share, limit: max))
            }
        }
        return violations
    }
}
