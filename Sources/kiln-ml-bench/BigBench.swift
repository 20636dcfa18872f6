import BoostedTrees
import Foundation
import LinearModels
import ClassificationMetrics

/// Fit time and peak RSS on the 1,000,000 × 30 synthetic table (raw file written by benchmarks/ml/export_synth.py).
enum BigBench {
    /// Reads `int64 rows, int64 cols, cols×rows float32 column-major, rows float32 labels`.
    static func load(_ path: String) throws -> (FeatureMatrix, [Double]) {
        guard let file = fopen(path, "rb") else { throw BenchError("cannot open \(path); run benchmarks/ml/export_synth.py (or pass --synth DIR)") }
        defer { fclose(file) }
        var shape = [Int64](repeating: 0, count: 2)
        guard fread(&shape, 8, 2, file) == 2 else { throw BenchError("\(path): short header") }
        let rows = Int(shape[0]), cols = Int(shape[1])
        var values = [Float](repeating: 0, count: rows * cols)
        let got = values.withUnsafeMutableBufferPointer { fread($0.baseAddress, 4, rows * cols, file) }
        var labels32 = [Float](repeating: 0, count: rows)
        let gotLabels = labels32.withUnsafeMutableBufferPointer { fread($0.baseAddress, 4, rows, file) }
        guard got == rows * cols, gotLabels == rows else { throw BenchError("\(path): truncated") }
        let names = (0..<cols).map { String(format: "f%02d", $0) }
        return (try FeatureMatrix(rowCount: rows, columnCount: cols, columnMajorValues: values, names: names),
                labels32.map(Double.init))
    }

    /// Peak resident set size of this process so far, MiB.
    static func peakRSS() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Process CPU seconds (user + system).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func run(path: String, testPath: String, threads: Int, model: String, output: BenchOutput) throws -> [String: Any] {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let (x, y) = try load(path)
        let loadTime = (clock.now - loadStart).seconds
        let rssAfterLoad = peakRSS()
        output.line(String(format: "loaded %d × %d in %.2f s; peak RSS after load %.0f MiB", x.rowCount, x.columnCount,
                           loadTime, rssAfterLoad))
        var result: [String: Any] = ["rows": x.rowCount, "columns": x.columnCount, "load_s": loadTime,
                                     "peak_rss_after_load_mib": rssAfterLoad, "model": model, "threads": threads]
        if model == "logreg" {
            return result.merging(try logistic(x, y, testPath: testPath, output: output)) { $1 }
        }
        var p = BoostingParameters()
        p.nEstimators = 100
        p.maxDepth = 6
        p.learningRate = 0.3
        p.threads = threads
        let cpu0 = cpuSeconds()
        let start = clock.now
        let fitted = try GradientBoostedTrees(parameters: p).fit(x, labels: y)
        let fit = clock.now - start
        let cpu = cpuSeconds() - cpu0
        let peak = peakRSS()
        output.line(String(format: "kiln gbdt threads=%d: fit %@ (CPU %.2f s), peak RSS %.0f MiB", threads,
                           "\(fit)", cpu, peak))
        result["fit_s"] = fit.seconds
        result["fit_cpu_s"] = cpu
        result["peak_rss_mib"] = peak
        if FileManager.default.fileExists(atPath: testPath) {
            let (xt, yt) = try load(testPath)
            let t0 = clock.now
            let prob = try fitted.predict(xt)
            let predictTime = (clock.now - t0).seconds
            let auc = try BinaryMetrics.rocAUC(labels: yt, scores: prob)
            output.line(String(format: "predict %d rows in %.3f s (%.0f rows/s, threads=%d); test AUC %.4f", xt.rowCount,
                               predictTime, Double(xt.rowCount) / predictTime, threads, auc))
            result["predict_rows"] = xt.rowCount
            result["predict_s"] = predictTime
            result["predict_rows_per_s"] = Double(xt.rowCount) / predictTime
            result["test_auc"] = auc
        } else {
            output.line("no test table at \(testPath): prediction not measured")
        }
        return result
    }

    /// bench_big.py's logreg: median-impute NaN (training medians), then fit (standardisation is internal).
    static func logistic(_ x: FeatureMatrix, _ y: [Double], testPath: String, output: BenchOutput) throws -> [String: Any] {
        func columns(_ m: FeatureMatrix, medians: [Double]) -> [[Double]] {
            (0..<m.columnCount).map { c in
                m.values[(c * m.rowCount)..<((c + 1) * m.rowCount)].map { $0.isNaN ? medians[c] : Double($0) }
            }
        }
        let medians = (0..<x.columnCount).map { c -> Double in
            let v = x.values[(c * x.rowCount)..<((c + 1) * x.rowCount)].filter { !$0.isNaN }.sorted()
            return v.count % 2 == 1 ? Double(v[v.count / 2]) : (Double(v[v.count / 2 - 1]) + Double(v[v.count / 2])) / 2
        }
        let train = columns(x, medians: medians)
        let clock = ContinuousClock()
        let cpu0 = cpuSeconds()
        let start = clock.now
        let model = try LogisticRegression(l2: 1).fit(columns: train, labels: y)
        let fit = clock.now - start
        let cpu = cpuSeconds() - cpu0
        let peak = peakRSS()
        output.line(String(format: "kiln logreg: fit %@ (CPU %.2f s, %d Newton iterations), peak RSS %.0f MiB", "\(fit)",
                           cpu, model.iterations, peak))
        var result: [String: Any] = ["fit_s": fit.seconds, "fit_cpu_s": cpu, "peak_rss_mib": peak,
                                     "iterations": model.iterations]
        if FileManager.default.fileExists(atPath: testPath) {
            let (xt, yt) = try load(testPath)
            let p = try model.predictProbability(columns: columns(xt, medians: medians))
            let auc = try BinaryMetrics.rocAUC(labels: yt, scores: p)
            output.line(String(format: "test AUC %.4f", auc))
            result["test_auc"] = auc
        }
        return result
    }
}
