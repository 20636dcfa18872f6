public import DriftStatistics
import Foundation
public import PipelineModel
public import Tabular

/// Data drift between two frames: turns columns into ``DriftColumn``s (numbers as they are, booleans and text as
/// category codes shared by both sides) and runs ``DriftDetector`` with Evidently's defaults.
public enum DriftComparison {
    /// Compares `current` with `reference`.
    /// - Parameters:
    ///   - reference: The reference rows (e.g. training data).
    ///   - current: The new rows.
    ///   - columns: Columns to compare; `nil` = every reference column.
    ///   - method: One method for every column (`ks`, `chisquare`, `psi`, `wasserstein`, `jensenshannon`);
    ///     `nil` = the default for each column's kind and the reference size.
    ///   - threshold: Per-column threshold; `nil` = the method's default (0.05 for p-values, 0.1 for distances).
    ///   - share: Share of drifted columns that means dataset drift; `nil` = 0.5.
    /// - Returns: The report.
    /// - Throws: ``DriftComparisonError`` naming the column or option at fault.
    public static func compare(
        reference: DataFrame, current: DataFrame, columns: [String]? = nil, method: DriftMethod? = nil,
        threshold: Double? = nil, share: Double? = nil, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> DatasetDriftReport {
        let names = columns ?? reference.columnNames
        guard !names.isEmpty else { throw DriftComparisonError("there are no columns to compare") }
        var referenceColumns: [DriftColumn] = []
        var currentColumns: [DriftColumn] = []
        var overrides: [String: DriftOptions.ColumnOverride] = [:]
        for name in names {
            guard let ref = reference[name] else {
                throw DriftComparisonError("column '\(name)' is not in the reference data; columns are: "
                    + reference.columnNames.joined(separator: ", "))
            }
            guard let cur = current[name] else {
                throw DriftComparisonError("column '\(name)' is not in the current data; columns are: "
                    + current.columnNames.joined(separator: ", ") + " (choose the columns to compare: `columns:` in a pipeline, --column on the command line)")
            }
            let pair = try encode(ref, cur)
            referenceColumns.append(pair.0)
            currentColumns.append(pair.1)
            if method != nil || threshold != nil { overrides[name] = .init(method: method, threshold: threshold) }
        }
        if let share, !(share > 0 && share <= 1) {
            throw DriftComparisonError("share must be in (0, 1] (0.5 = half of the columns), got \(share)")
        }
        let options = DriftOptions(driftShareThreshold: share ?? 0.5, columnOverrides: overrides)
        do {
            return try DriftDetector.detect(reference: referenceColumns, current: currentColumns, options: options,
                                           shouldStop: shouldStop)
        } catch {
            throw DriftComparisonError("\(error)")
        }
    }

    /// The report as JSON, as the `drift` kind outputs it: `columns` (per column: `method`, `value`, `drifted`,
    /// `threshold`, and `p_value` for KS / chi-squared), `drift_share`, `dataset_drift`, `drifted_columns`.
    /// - Parameter report: A drift report.
    public static func summary(_ report: DatasetDriftReport) -> [String: JSONValue] {
        var columns: [String: JSONValue] = [:]
        for result in report.columns {
            var entry: [String: JSONValue] = [
                "method": .string(result.method.rawValue), "value": .number(result.value),
                "drifted": .bool(result.drifted), "threshold": .number(result.threshold),
            ]
            if let p = result.pValue { entry["p_value"] = .number(p) }
            columns[result.column] = .object(entry)
        }
        return [
            "columns": .object(columns), "drift_share": .number(report.driftShare),
            "dataset_drift": .bool(report.datasetDrift),
            "drifted_columns": .array(report.columns.filter(\.drifted).map { .string($0.column) }),
        ]
    }

    /// A method from its name.
    /// - Parameter name: `ks`, `chisquare`, `psi`, `wasserstein` or `jensenshannon`.
    /// - Throws: ``DriftComparisonError`` listing the names.
    public static func method(named name: String) throws -> DriftMethod {
        guard let method = DriftMethod(rawValue: name.lowercased()) else {
            throw DriftComparisonError("unknown drift method '\(name)'; use one of "
                + DriftMethod.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return method
    }

    private static func encode(_ ref: Column, _ cur: Column) throws -> (DriftColumn, DriftColumn) {
        let refAllNull = ref.nullCount == ref.count, curAllNull = cur.nullCount == cur.count
        if (ref.type.isNumeric || refAllNull) && (cur.type.isNumeric || curAllNull) && !(refAllNull && curAllNull) {
            return (DriftColumn(name: ref.name, values: numbers(ref)), DriftColumn(name: ref.name, values: numbers(cur)))
        }
        if ref.type.isNumeric != cur.type.isNumeric && !refAllNull && !curAllNull {
            throw DriftComparisonError("column '\(ref.name)' is \(ref.type) in the reference data but \(cur.type) in "
                + "the current data; make the types agree (or leave the column out with `columns`)")
        }
        let refText = texts(ref), curText = texts(cur)
        let categories = Set(refText.compactMap { $0 }).union(curText.compactMap { $0 }).sorted()
        let code = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Double($0)) })
        func codes(_ values: [String?]) -> [Double] { values.map { $0.flatMap { code[$0] } ?? .nan } }
        return (DriftColumn(name: ref.name, values: codes(refText), isCategorical: true),
                DriftColumn(name: ref.name, values: codes(curText), isCategorical: true))
    }

    private static func numbers(_ column: Column) -> [Double] {
        column.numericValues?.map { $0 ?? .nan } ?? Array(repeating: .nan, count: column.count)
    }

    private static func texts(_ column: Column) -> [String?] {
        (0..<column.count).map { column.isNull(at: $0) ? nil : column[$0].description }
    }
}
