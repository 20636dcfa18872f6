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

    static func run(reference: String, current: String) throws {
        let ref = try columns(reference), cur = try columns(current)
        let clock = ContinuousClock()
        func time(_ name: String, _ body: (DriftColumn, DriftColumn) throws -> Double) throws {
            let start = clock.now
            var flagged: [String] = []
            for (r, c) in zip(ref, cur) where try body(r, c) >= 0.1 { flagged.append(r.name) }
            print("\(name): \(clock.now - start) for \(ref.count) columns (value ≥ 0.1: \(flagged.joined(separator: " ")))")
        }
        var total = clock.now
        try time("KS (statistic)") { try KolmogorovSmirnov.test(reference: $0.values, current: $1.values).statistic }
        try time("PSI") { try PopulationStabilityIndex.numeric(reference: $0.values, current: $1.values) }
        try time("Jensen-Shannon (deciles)") { try JensenShannonDistance.numeric(reference: $0.values, current: $1.values) }
        try time("Wasserstein / std") { try WassersteinDistance.normalized(reference: $0.values, current: $1.values) }
        print("all four, one thread: \(clock.now - total)")
        total = clock.now
        let report = try DriftDetector.detect(reference: ref, current: cur, options: DriftOptions(threads: 2))
        print("detect (defaults: Wasserstein at 0.1), 2 threads: \(clock.now - total); drifted "
              + report.columns.filter(\.drifted).map(\.column).joined(separator: " ")
              + "; share \(report.driftShare), dataset drift \(report.datasetDrift)")
        print(String(format: "peak RSS %.0f MiB", BigBench.peakRSS()))
    }
}
