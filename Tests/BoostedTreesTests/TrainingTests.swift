import Foundation
import Testing

@testable import BoostedTrees

@Suite struct TrainingTests {
    static func parameters(_ configure: (inout BoostingParameters) -> Void = { _ in }) -> BoostingParameters {
        var p = BoostingParameters()
        p.threads = 1
        configure(&p)
        return p
    }

    @Test("a depth-1 tree on 8 rows picks the split and leaf values computed by hand")
    func handComputedStump() throws {
        // x = 1…8, y = 0 0 0 1 0 1 1 1; base_score 0.5 ⇒ p = 0.5, g = p − y = ±0.5, h = 0.25; G = 0, H = 2.
        // Candidate "x < t" with min_child_weight 1 needs ≥ 4 rows per side, so only t = 5 is valid:
        //   left  x ∈ {1,2,3,4}: G_L = 0.5·3 − 0.5 = 1,  H_L = 1
        //   right x ∈ {5,6,7,8}: G_R = 0.5 − 0.5·3 = −1, H_R = 1
        //   gain = 1²/(1+1) + (−1)²/(1+1) − 0²/(2+1) = 1
        //   leaves = −G/(H+λ)·η = ∓1/2·0.3 = −0.15 (left), +0.15 (right)
        let x = try FeatureMatrix(columns: [[1, 2, 3, 4, 5, 6, 7, 8]], names: ["x"])
        let y: [Double] = [0, 0, 0, 1, 0, 1, 1, 1]
        let model = try GradientBoostedTrees(parameters: Self.parameters {
            $0.nEstimators = 1
            $0.maxDepth = 1
        }).fit(x, labels: y)
        let tree = try #require(model.trees.first)
        #expect(tree.nodeCount == 3)
        #expect(tree.splitFeature[0] == 0)
        #expect(tree.threshold[0] == 5)
        #expect(abs(tree.splitGain[0] - 1) < 1e-12)
        #expect(abs(tree.cover[0] - 2) < 1e-12)
        #expect(abs(tree.leafValue[tree.leftChild[0]] - -0.15) < 1e-9)
        #expect(abs(tree.leafValue[tree.rightChild[0]] - 0.15) < 1e-9)
        let margins = try model.predictMargin(x)
        #expect(margins.prefix(4).allSatisfy { abs($0 - -0.15) < 1e-9 })
        #expect(margins.suffix(4).allSatisfy { abs($0 - 0.15) < 1e-9 })
        let p = try model.predict(x)
        #expect(abs(p[0] - 1 / (1 + exp(0.15))) < 1e-9)
    }

    @Test("gamma above the best gain prevents the split; lambda shrinks leaves")
    func gammaAndLambda() throws {
        let x = try FeatureMatrix(columns: [[1, 2, 3, 4, 5, 6, 7, 8]])
        let y: [Double] = [0, 0, 0, 1, 0, 1, 1, 1]
        let pruned = try GradientBoostedTrees(parameters: Self.parameters {
            $0.nEstimators = 1
            $0.maxDepth = 1
            $0.gamma = 1.01
        }).fit(x, labels: y)
        #expect(pruned.trees[0].nodeCount == 1)
        let shrunk = try GradientBoostedTrees(parameters: Self.parameters {
            $0.nEstimators = 1
            $0.maxDepth = 1
            $0.lambda = 3
        }).fit(x, labels: y)
        // G_L = 1, H_L = 1 ⇒ −1/(1+3)·0.3 = −0.075
        #expect(abs(shrunk.trees[0].leafValue[shrunk.trees[0].leftChild[0]] - -0.075) < 1e-9)
    }

    @Test("matches xgboost hist margins (logistic and squared error, NaN present), tolerance 1e-5")
    func matchesXGBoost() throws {
        let x = try FeatureMatrix(columns: XGBoostFixtures.columns)
        let q = try FeatureMatrix(columns: XGBoostFixtures.queryColumns)
        let p = Self.parameters {
            $0.nEstimators = 10
            $0.maxDepth = 3
        }
        let logistic = try GradientBoostedTrees(parameters: p).fit(x, labels: XGBoostFixtures.labels)
        for (a, b) in zip(try logistic.predictMargin(x), XGBoostFixtures.logisticTrainMargins) { #expect(abs(a - b) < 1e-5) }
        for (a, b) in zip(try logistic.predictMargin(q), XGBoostFixtures.logisticQueryMargins) { #expect(abs(a - b) < 1e-5) }
        var r = p
        r.objective = .squaredError
        r.baseScore = 0.5
        let regression = try GradientBoostedTrees(parameters: r).fit(x, labels: XGBoostFixtures.targets)
        for (a, b) in zip(try regression.predict(x), XGBoostFixtures.regressionTrainPredictions) { #expect(abs(a - b) < 1e-5) }
        for (a, b) in zip(try regression.predict(q), XGBoostFixtures.regressionQueryPredictions) { #expect(abs(a - b) < 1e-5) }
    }

    @Test("missing values follow the learned default direction")
    func missingDirection() throws {
        // Rows with NaN behave like the high group (label 1), so NaN must go right (with x ≥ 5).
        let values: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, .nan, .nan, .nan, .nan]
        let y: [Double] = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]
        let x = try FeatureMatrix(columns: [values])
        let model = try GradientBoostedTrees(parameters: Self.parameters {
            $0.nEstimators = 1
            $0.maxDepth = 1
            $0.minChildWeight = 0
        }).fit(x, labels: y)
        #expect(model.trees[0].threshold[0] == 5)
        #expect(model.trees[0].defaultLeft[0] == false)
        let flipped = try GradientBoostedTrees(parameters: Self.parameters {
            $0.nEstimators = 1
            $0.maxDepth = 1
            $0.minChildWeight = 0
        }).fit(x, labels: y.enumerated().map { $0.offset >= 8 ? 0 : $0.element })
        #expect(flipped.trees[0].defaultLeft[0] == true)
    }

    @Test("categorical features split by category partition; unseen codes go right")
    func categoricalPartition() throws {
        // Codes 0 and 2 are positive, 1 and 3 negative: one partition split separates them.
        let codes: [Double] = (0..<40).map { Double($0 % 4) }
        let y = codes.map { $0 == 0 || $0 == 2 ? 1.0 : 0.0 }
        let x = try FeatureMatrix(columns: [codes], names: ["plan"], isCategorical: [true])
        let model = try GradientBoostedTrees(parameters: Self.parameters {
            $0.nEstimators = 1
            $0.maxDepth = 1
        }).fit(x, labels: y)
        let tree = model.trees[0]
        #expect(Set(tree.categories[0]) == [1, 3] || Set(tree.categories[0]) == [0, 2])
        let p = try model.predict(x)
        #expect(p[0] > 0.5 && p[1] < 0.5 && p[2] > 0.5 && p[3] < 0.5)
        let unseen = try FeatureMatrix(columns: [[7]], names: ["plan"], isCategorical: [true])
        let right = tree.leafValue[tree.rightChild[0]]
        #expect(abs(try model.predictMargin(unseen)[0] - right) < 1e-12)
    }

    @Test("regression with squared error reduces the training error and starts from the label mean")
    func regression() throws {
        let xs = (0..<200).map { Double($0) / 20 }
        let y = xs.map { sin($0) * 3 }
        let x = try FeatureMatrix(columns: [xs])
        let model = try GradientBoostedTrees(parameters: Self.parameters { $0.objective = .squaredError })
            .fit(x, labels: y)
        #expect(abs(model.baseScore - y.reduce(0, +) / 200) < 1e-12)
        let predictions = try model.predict(x)
        let rmse = (zip(predictions, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 200).squareRoot()
        #expect(rmse < 0.05)
    }

    @Test("feature importance ranks the informative feature first")
    func importance() throws {
        let x = try FeatureMatrix(columns: XGBoostFixtures.columns, names: ["a", "b", "c"])
        let model = try GradientBoostedTrees(parameters: Self.parameters { $0.nEstimators = 10 })
            .fit(x, labels: XGBoostFixtures.labels)
        let total = model.featureImportance(.totalGain)
        #expect(total.map(\.name) == ["a", "b", "c"])
        #expect(total[0].score > total[1].score && total[0].score > total[2].score)
        let weight = model.featureImportance(.weight).map(\.score).reduce(0, +)
        let splits = model.trees.map { $0.splitFeature.filter { $0 >= 0 }.count }.reduce(0, +)
        #expect(weight == Double(splits))
    }
}
