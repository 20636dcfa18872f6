import Foundation
import Tabular

/// CSV → frame timing of Kiln's reader (`Tabular.CSVReader`, as the `extract-csv` kind reads files), best and median
/// of `reps` reads in this process, with the peak RSS afterwards.
enum CSVBench {
    static func run(path: String, reps: Int, output: BenchOutput) throws -> [String: Any] {
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        let clock = ContinuousClock()
        var times: [Double] = []
        var shape = (rows: 0, columns: 0)
        for _ in 0..<max(1, reps) {
            let start = clock.now
            let frame = try CSVReader().read(contentsOf: path)
            times.append((clock.now - start).seconds)
            shape = (frame.rowCount, frame.columnCount)
        }
        times.sort()
        let best = times[0], median = times[times.count / 2]
        output.line(String(format: "CSV read %@: %d rows × %d columns, %.1f MB: best %.3f s, median %.3f s (%.0f MB/s); peak RSS %.0f MiB",
                           path, shape.rows, shape.columns, Double(bytes) / 1e6, best, median, Double(bytes) / 1e6 / best,
                           BigBench.peakRSS()))
        return ["csv_path": path, "csv_bytes": bytes, "csv_rows": shape.rows, "csv_columns": shape.columns,
                "csv_read_best_s": best, "csv_read_median_s": median, "peak_rss_mib": BigBench.peakRSS()]
    }
}
