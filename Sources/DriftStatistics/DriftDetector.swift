import Dispatch

/// Per-column data drift between a reference and a current table, with Evidently's defaults.
///
/// Defaults: reference ≤ 1,000 rows → KS (numeric) / chi-squared (categorical), drift at p < 0.05;
/// larger → Wasserstein / reference std (numeric) / Jensen–Shannon (categorical), drift at ≥ 0.1;
/// dataset drift when ≥ 50 % of columns drift. Methods and thresholds can be overridden per column.
/// Differences from Evidently: column kind comes from ``DriftColumn/isCategorical`` (no "≤ 5 unique values ⇒
/// categorical" rule), and binary categorical columns use chi-squared rather than a Z-test.
///
/// ```swift
/// let report = try DriftDetector.detect(reference: refColumns, current: curColumns)
/// if report.datasetDrift { … }
/// ```
public enum DriftDetector {
    /// Tests every column.
    /// - Parameters:
    ///   - reference: Reference columns.
    ///   - current: Current columns with the same names, in the same order, of the same kinds.
    ///   - options: Defaults and overrides.
    ///   - shouldStop: Asked before every column; when it returns `true`, the remaining columns are skipped and
    ///     ``DriftError/cancelled`` is thrown.
    /// - Returns: Per-column results, drift share and dataset decision.
    /// - Throws: ``DriftError`` when the columns differ, a column is empty, a value is ±∞, an option is invalid,
    ///   or on cancellation.
    public static func detect(reference: [DriftColumn], current: [DriftColumn],
                              options: DriftOptions = DriftOptions(),
                              shouldStop: (@Sendable () -> Bool)? = nil) throws -> DatasetDriftReport {
        guard reference.count == current.count else {
            throw DriftError.columnMismatch("reference has \(reference.count) columns, current \(current.count)")
        }
        guard options.driftShareThreshold > 0 && options.driftShareThreshold <= 1 else {
            throw DriftError.invalidOption("driftShareThreshold \(options.driftShareThreshold) must be in (0, 1]")
        }
        for (r, c) in zip(reference, current) where r.name != c.name || r.isCategorical != c.isCategorical {
            throw DriftError.columnMismatch("column '\(r.name)' vs '\(c.name)' (names or categorical flags differ)")
        }
        let known = Set(reference.map(\.name))
        for name in options.columnOverrides.keys where !known.contains(name) {
            throw DriftError.invalidOption("override for unknown column '\(name)'")
        }
        let results = ResultSlots(count: reference.count)
        DispatchQueue.concurrentPerform(iterations: min(options.effectiveThreads, max(1, reference.count))) { worker in
            var k = worker
            while k < reference.count {
                if shouldStop?() == true {
                    results.set(k, .failure(DriftError.cancelled))
                    k += options.effectiveThreads
                    continue
                }
                let ref = reference[k]
                let override = options.columnOverrides[ref.name]
                let method = override?.method
                    ?? options.defaultMethod(isCategorical: ref.isCategorical, referenceRows: ref.values.count)
                results.set(k, Result { try test(ref, current[k], method: method,
                                                 threshold: override?.threshold ?? method.defaultThreshold) })
                k += options.effectiveThreads
            }
        }
        if shouldStop?() == true { throw DriftError.cancelled }
        return DatasetDriftReport(columns: try results.values(), driftShareThreshold: options.driftShareThreshold)
    }

    /// Prediction drift: the same test on two score (or predicted label) arrays.
    /// - Parameters:
    ///   - reference: Reference scores.
    ///   - current: Current scores.
    ///   - isCategorical: Whether the predictions are class labels. Default `false`.
    ///   - method: Method to use; `nil` picks the default for the reference size.
    ///   - threshold: Threshold; `nil` uses the method's default.
    ///   - smallReferenceLimit: Reference size up to which p-value tests are the default. Default 1,000.
    /// - Returns: The result for the column named "prediction".
    /// - Throws: ``DriftError`` as ``detect(reference:current:options:)``.
    public static func predictionDrift(reference: [Double], current: [Double], isCategorical: Bool = false,
                                       method: DriftMethod? = nil, threshold: Double? = nil,
                                       smallReferenceLimit: Int = 1_000) throws -> ColumnDriftResult {
        let options = DriftOptions(smallReferenceLimit: smallReferenceLimit)
        let chosen = method ?? options.defaultMethod(isCategorical: isCategorical, referenceRows: reference.count)
        return try test(DriftColumn(name: "prediction", values: reference, isCategorical: isCategorical),
                        DriftColumn(name: "prediction", values: current, isCategorical: isCategorical),
                        method: chosen, threshold: threshold ?? chosen.defaultThreshold)
    }

    /// Runs `method` on one column pair.
    static func test(_ ref: DriftColumn, _ cur: DriftColumn, method: DriftMethod,
                     threshold: Double) throws -> ColumnDriftResult {
        guard threshold.isFinite && threshold >= 0 else {
            throw DriftError.invalidOption("threshold \(threshold) for column '\(ref.name)' must be finite and ≥ 0")
        }
        func rename(_ error: DriftError) -> DriftError {
            switch error {
            case let .emptySample(_, which): return .emptySample(column: ref.name, which: which)
            case let .nonFiniteValue(_, value): return .nonFiniteValue(column: ref.name, value: value)
            default: return error
            }
        }
        do {
            var statistic: Double, value: Double, pValue: Double?
            switch method {
            case .kolmogorovSmirnov:
                let r = try KolmogorovSmirnov.test(reference: ref.values, current: cur.values)
                (statistic, value, pValue) = (r.statistic, r.pValue, r.pValue)
            case .chiSquared:
                let r = try ChiSquaredTest.test(reference: ref.values, current: cur.values)
                (statistic, value, pValue) = (r.statistic, r.pValue, r.pValue)
            case .psi:
                value = ref.isCategorical
                    ? try PopulationStabilityIndex.categorical(reference: ref.values, current: cur.values)
                    : try PopulationStabilityIndex.numeric(reference: ref.values, current: cur.values)
                statistic = value
            case .wasserstein:
                value = try WassersteinDistance.normalized(reference: ref.values, current: cur.values)
                statistic = value
            case .jensenShannon:
                value = ref.isCategorical
                    ? try JensenShannonDistance.categorical(reference: ref.values, current: cur.values)
                    : try JensenShannonDistance.numeric(reference: ref.values, current: cur.values)
                statistic = value
            }
            return ColumnDriftResult(column: ref.name, method: method, value: value, statistic: statistic,
                                     pValue: pValue, threshold: threshold,
                                     drifted: method.isDrift(value: value, threshold: threshold))
        } catch let error as DriftError {
            throw rename(error)
        }
    }
}
