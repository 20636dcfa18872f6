import DriftStatistics
import Foundation

/// Drift statistics timing on the synthetic reference/current tables (1,000,000 × 30 each), one thread per
/// method as in the scipy reference, then `DriftDetector.detect` with Evidently's defaults on 2 threads.
enum DriftBench {
    static func columns(_ path: String) throws -> [DriftColumn] {
        let (x, _) = try BigBench.load(path)
        return (0..<x.columnCount).map { c in
            DriftColumn(name: x.names[c], values: x.values[(c * x.rowCount)..<((c + 1) * x.rowCount)].map(Double.init))
        }
    }

    static func run(reference: String, current: String, output: BenchOutput) throws -> [String: Any] {
        let ref = try columns(reference), cur = try columns(current)
        let clock = ContinuousClock()
        var result: [String: Any] = ["columns": ref.count, "reference_rows": ref.first?.values.count ?? 0,
                                     "current_rows": cur.first?.values.count ?? 0]
        func time(_ name: String, key: String, _ body: (DriftColumn, DriftColumn) throws -> Double) throws {
            let start = clock.now
            var flagged: [String] = []
            for (r, c) in zip(ref, cur) where try body(r, c) >= 0.1 { flagged.append(r.name) }
            let elapsed = clock.now - start
            output.line("\(name): \(elapsed) for \(ref.count) columns (value ≥ 0.1: \(flagged.joined(separator: " ")))")
            result[key + "_s"] = elapsed.seconds
            result[key + "_flagged"] = flagged
        }
        var total = clock.now
        try time("KS (statistic)", key: "ks") { try KolmogorovSmirnov.test(reference: $0.values, current: $1.values).statistic }
        try time("PSI", key: "psi") { try PopulationStabilityIndex.numeric(reference: $0.values, current: $1.values) }
        try time("Jensen-Shannon (deciles)", key: "js") { try JensenShannonDistance.numeric(reference: $0.values, current: $1.values) }
        try time("Wasserstein / std", key: "wasserstein") { try WassersteinDistance.normalized(reference: $0.values, current: $1.values) }
        let all = clock.now - total
        output.line("all four, one call each (each sorts again), one thread: \(all)")
        result["total_s"] = all.seconds
        total = clock.now
        var flagged: [String] = []
        for (r, c) in zip(ref, cur) {
            let stats = try NumericDriftStatistics(reference: r.values, current: c.values)
            if stats.wasserstein >= 0.1 { flagged.append(r.name) }
        }
        let shared = clock.now - total
        output.line("all four from one sort per sample (NumericDriftStatistics), one thread: \(shared) "
                    + "(Wasserstein ≥ 0.1: \(flagged.joined(separator: " ")))")
        result["shared_s"] = shared.seconds
        total = clock.now
        let report = try DriftDetector.detect(reference: ref, current: cur, options: DriftOptions(threads: 2))
        let detect = clock.now - total
        let drifted = report.columns.filter(\.drifted).map(\.column)
        output.line("detect (defaults: Wasserstein at 0.1), 2 threads: \(detect); drifted "
                    + drifted.joined(separator: " ") + "; share \(report.driftShare), dataset drift \(report.datasetDrift)")
        output.line(String(format: "peak RSS %.0f MiB", BigBench.peakRSS()))
        result["detect_2_threads_s"] = detect.seconds
        result["detect_drifted"] = drifted
        result["peak_rss_mib"] = BigBench.peakRSS()
        return result
    }
}
