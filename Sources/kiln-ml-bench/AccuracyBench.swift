import BoostedTrees
import Foundation
import Tabular
import LinearModels
import ClassificationMetrics

/// F1 / ROC AUC of Kiln's trees (and logistic regression) on adult.csv and telco_churn.csv with
/// bench_train.py's split and one-hot encoding; also times loading each CSV file.
///
/// With `splitCount` > 0 the trees are also fitted on `<splits>/<dataset>.split<k>.test.txt` (k < splitCount, the
/// stratified splits export_splits.py writes) with xgboost's hyperparameters including its default base score
/// (the training positive rate), and the mean test ROC AUC is reported under `multi_split`.
enum AccuracyBench {
    static func run(data: String, splits: String, threads: Int, maxBin: Int = 256, splitCount: Int = 0,
                    output: BenchOutput) throws -> [String: Any] {
        var result: [String: Any] = [:]
        for name in ["adult", "telco_churn"] {
            var entry: [String: Any] = [:]
            let path = "\(data)/\(name).csv"
            guard FileManager.default.fileExists(atPath: path) else {
                throw BenchError("\(path) not found; pass --data DIR or set KILN_SHARED")
            }
            // The load figure is Kiln's own reader (what extract-csv uses: typed columns, inference); the
            // accuracy comparison then reads the same file's fields with the bench's plain splitter.
            let loadClock = ContinuousClock()
            let loadStart = loadClock.now
            _ = try CSVReader().read(contentsOf: path)
            let loadTime = (loadClock.now - loadStart).seconds
            let table = try CSVTable(path: path)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            output.line(String(format: "%@ csv load: %d rows, %.1f MB in %.3f s (%.0f rows/s, %.1f MB/s)", name,
                               table.rowCount, Double(bytes) / 1e6, loadTime, Double(table.rowCount) / loadTime,
                               Double(bytes) / 1e6 / loadTime))
            entry["csv_rows"] = table.rowCount
            entry["csv_bytes"] = bytes
            entry["csv_load_s"] = loadTime
            let testRows = try OneHotDataset.readIndices("\(splits)/\(name).test.txt")
            let ds = try OneHotDataset(table: table, testRows: testRows)
            let xTrain = try FeatureMatrix(columns: ds.train, names: ds.names)
            let xTest = try FeatureMatrix(columns: ds.test, names: ds.names)
            var p = BoostingParameters()
            p.nEstimators = 100
            p.maxDepth = 6
            p.learningRate = 0.3
            p.threads = threads
            p.maxBin = maxBin
            let positiveRate = ds.trainLabels.reduce(0, +) / Double(ds.trainLabels.count)
            for baseScore in [nil, positiveRate] {
                p.baseScore = baseScore
                let clock = ContinuousClock()
                let start = clock.now
                let model = try GradientBoostedTrees(parameters: p).fit(xTrain, labels: ds.trainLabels)
                let fitTime = clock.now - start
                let prob = try model.predict(xTest)
                let report = try BinaryMetrics.report(labels: ds.testLabels, scores: prob, threshold: 0.5)
                let label = baseScore == nil ? "base_score 0.5" : String(format: "base_score %.4f (train positive rate, as xgboost>=2)", positiveRate)
                output.line(String(format: "%@ kiln gbdt (one-hot, %d features, %d train rows, max_bin %d, %@): F1 %.4f AUC %.4f acc %.4f logloss %.4f fit %@",
                             name, ds.names.count, ds.trainLabels.count, maxBin, label, report.f1, report.rocAUC ?? .nan,
                             report.accuracy, report.logLoss ?? .nan, "\(fitTime)"))
                entry[baseScore == nil ? "gbdt_base_score_0.5" : "gbdt_base_score_positive_rate"] = [
                    "f1": report.f1, "auc": report.rocAUC ?? .nan, "accuracy": report.accuracy,
                    "fit_s": fitTime.seconds, "base_score": baseScore ?? 0.5,
                ]
            }
            entry["features"] = ds.names.count
            entry["train_rows"] = ds.trainLabels.count
            entry["test_rows"] = ds.testLabels.count
            entry["logreg"] = try linear(name: name, ds: ds, output: output)
            if splitCount > 0 {
                var aucs: [Double] = []
                for k in 0..<splitCount {
                    let rows = try OneHotDataset.readIndices("\(splits)/\(name).split\(k).test.txt")
                    let split = try OneHotDataset(table: table, testRows: rows)
                    var q = p
                    q.baseScore = split.trainLabels.reduce(0, +) / Double(split.trainLabels.count)
                    let model = try GradientBoostedTrees(parameters: q)
                        .fit(try FeatureMatrix(columns: split.train, names: split.names), labels: split.trainLabels)
                    let prob = try model.predict(try FeatureMatrix(columns: split.test, names: split.names))
                    aucs.append(try BinaryMetrics.rocAUC(labels: split.testLabels, scores: prob))
                }
                let mean = aucs.reduce(0, +) / Double(aucs.count)
                output.line(String(format: "%@ kiln gbdt: mean ROC AUC over %d stratified splits %.4f", name, splitCount, mean))
                entry["multi_split"] = ["auc": aucs, "mean_auc": mean]
            }
            result[name] = entry
        }
        return ["datasets": result, "threads": threads, "max_bin": maxBin]
    }

    /// bench_train.py's logreg: median-imputed numeric columns (standardised inside the model) + one-hot.
    static func linear(name: String, ds: OneHotDataset, output: BenchOutput) throws -> [String: Any] {
        var train = ds.train, test = ds.test
        for c in 0..<ds.numericCount {
            let present = train[c].filter { !$0.isNaN }.sorted()
            let median = present.isEmpty ? 0 : (present.count % 2 == 1 ? present[present.count / 2]
                : (present[present.count / 2 - 1] + present[present.count / 2]) / 2)
            train[c] = train[c].map { $0.isNaN ? median : $0 }
            test[c] = test[c].map { $0.isNaN ? median : $0 }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let model = try LogisticRegression(l2: 1.0).fit(columns: train, labels: ds.trainLabels, featureNames: ds.names)
        let fitTime = clock.now - start
        let prob = try model.predictProbability(columns: test)
        let report = try BinaryMetrics.report(labels: ds.testLabels, scores: prob, threshold: 0.5)
        output.line(String(format: "%@ kiln logreg (C=1 equivalent): F1 %.4f AUC %.4f acc %.4f fit %@ iterations %d",
                           name, report.f1, report.rocAUC ?? .nan, report.accuracy, "\(fitTime)", model.iterations))
        return ["f1": report.f1, "auc": report.rocAUC ?? .nan, "accuracy": report.accuracy, "fit_s": fitTime.seconds]
    }
}
