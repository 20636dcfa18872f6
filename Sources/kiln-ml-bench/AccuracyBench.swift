import BoostedTrees
import Foundation
import LinearModels
import Metrics

/// F1 / ROC AUC of Kiln's trees (and logistic regression) on adult.csv and telco_churn.csv with
/// bench_train.py's split and one-hot encoding.
enum AccuracyBench {
    static func run(data: String, splits: String, threads: Int, maxBin: Int = 256) throws {
        for name in ["adult", "telco_churn"] {
            let table = try CSVTable(path: "\(data)/\(name).csv")
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
                print(String(format: "%@ kiln gbdt (one-hot, %d features, %d train rows, max_bin %d, %@): F1 %.4f AUC %.4f acc %.4f logloss %.4f fit %@",
                             name, ds.names.count, ds.trainLabels.count, maxBin, label, report.f1, report.rocAUC ?? .nan,
                             report.accuracy, report.logLoss ?? .nan, "\(fitTime)"))
            }
            try linear(name: name, ds: ds)
        }
    }

    /// bench_train.py's logreg: median-imputed numeric columns (standardised inside the model) + one-hot.
    static func linear(name: String, ds: OneHotDataset) throws {
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
        print(String(format: "%@ kiln logreg (C=1 equivalent): F1 %.4f AUC %.4f acc %.4f fit %@ iterations %d",
                     name, report.f1, report.rocAUC ?? .nan, report.accuracy, "\(fitTime)", model.iterations))
    }
}
