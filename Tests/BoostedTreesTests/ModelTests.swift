import Foundation
import Testing

@testable import BoostedTrees

/// Constants shared with the implementation.
enum GradientBoostedTreesTestsConstants {
    static let chunk = TreeGrower.histogramChunk
}

/// Determinism, serialisation, parameters, early stopping and input validation.
@Suite struct ModelTests {
    /// A seeded synthetic table: 4,000 rows × 6 features (one categorical, some NaN).
    static func table(rows: Int = 4_000, seed: UInt64 = 9) throws -> (FeatureMatrix, [Double]) {
        var rng = SplitMix64(seed: seed)
        var columns = [[Double]](repeating: [], count: 6)
        var labels: [Double] = []
        for _ in 0..<rows {
            let v = (0..<5).map { _ in rng.nextUnit() * 4 - 2 }
            let code = Double(rng.next() % 6)
            let logit = 1.5 * v[0] - v[1] * v[2] + (code == 2 || code == 4 ? 1 : -0.5)
            labels.append(rng.nextUnit() < 1 / (1 + exp(-logit)) ? 1 : 0)
            for j in 0..<5 { columns[j].append(j == 3 && rng.nextUnit() < 0.1 ? .nan : v[j]) }
            columns[5].append(code)
        }
        let names = ["a", "b", "c", "d", "e", "code"]
        return (try FeatureMatrix(columns: columns, names: names, isCategorical: [false, false, false, false, false, true]),
                labels)
    }

    static func parameters(threads: Int) -> BoostingParameters {
        var p = BoostingParameters()
        p.nEstimators = 20
        p.subsample = 0.8
        p.colsampleBytree = 0.7
        p.seed = 42
        p.threads = threads
        return p
    }

    @Test("same seed gives an identical model and predictions with 1, 2 or 3 threads")
    func determinism() throws {
        let (x, y) = try Self.table()
        let one = try GradientBoostedTrees(parameters: Self.parameters(threads: 1)).fit(x, labels: y)
        for threads in [2, 3] {
            let other = try GradientBoostedTrees(parameters: Self.parameters(threads: threads)).fit(x, labels: y)
            #expect(other.trees == one.trees)
            #expect(try other.predictMargin(x, threads: threads) == one.predictMargin(x, threads: 1))
        }
        var reseeded = Self.parameters(threads: 1)
        reseeded.seed = 43
        #expect(try GradientBoostedTrees(parameters: reseeded).fit(x, labels: y).trees != one.trees)
    }

    @Test("block scoring gives the same bits as walking each tree row by row (NaN, categorical, unequal depths)")
    func blockScoringMatchesRowWalk() throws {
        let (x, y) = try Self.table(rows: 1_000)
        var p = Self.parameters(threads: 1)
        p.maxDepth = 5
        let model = try GradientBoostedTrees(parameters: p).fit(x, labels: y)
        #expect(Set(model.trees.map(\.nodeCount)).count > 1)
        // A block boundary (256 rows) falls inside the table; a row of all NaN takes every default direction.
        var columns = (0..<x.columnCount).map { c in (0..<x.rowCount).map { Double(x[$0, c]) } }
        for c in columns.indices where c != 5 { columns[c][7] = .nan }
        let table = try FeatureMatrix(columns: columns, names: x.names, isCategorical: x.isCategorical)
        let margins = try model.predictMargin(table, threads: 2)
        for row in 0..<table.rowCount {
            var expected = model.baseMargin
            for tree in model.trees { expected += tree.leaf { table[row, $0] } }
            #expect(margins[row] == expected, "row \(row)")
        }
        // One or two rows (a prediction request) take the row walk that stops at each leaf: the same bits.
        for row in 0..<40 {
            #expect(try model.predictMargin(table.selectingRows([row])) == [margins[row]], "row \(row) alone")
            #expect(try model.predictMargin(table.selectingRows([row, 7])) == [margins[row], margins[7]], "rows \(row), 7")
        }
    }

    @Test("histograms over several row chunks are identical for any thread count")
    func determinismAcrossChunks() throws {
        let (x, y) = try Self.table(rows: 3 * GradientBoostedTreesTestsConstants.chunk + 123)
        var p = Self.parameters(threads: 1)
        p.nEstimators = 3
        p.maxDepth = 4
        let one = try GradientBoostedTrees(parameters: p).fit(x, labels: y)
        p.threads = 4
        let four = try GradientBoostedTrees(parameters: p).fit(x, labels: y)
        #expect(one.trees == four.trees)
    }

    @Test("the model round-trips through versioned JSON with identical predictions")
    func jsonRoundTrip() throws {
        let (x, y) = try Self.table(rows: 1_000)
        let model = try GradientBoostedTrees(parameters: Self.parameters(threads: 2)).fit(x, labels: y)
        let data = try model.jsonData()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["format_version"] as? Int == 1)
        #expect((json["params"] as? [String: Any])?["colsample_bytree"] as? Double == 0.7)
        let loaded = try BoostedTreesModel.load(from: data, expectedFeatureNames: x.names)
        #expect(loaded == model)
        #expect(try loaded.predict(x) == model.predict(x))
    }

    @Test("loading rejects another format version, other feature names, and corrupt trees")
    func loadErrors() throws {
        let (x, y) = try Self.table(rows: 500)
        var p = Self.parameters(threads: 1)
        p.nEstimators = 2
        let data = try GradientBoostedTrees(parameters: p).fit(x, labels: y).jsonData()
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(throws: BoostingError.unsupportedFormatVersion(found: 2, supported: 1)) {
            try BoostedTreesModel.load(from: Data(text.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":2").utf8))
        }
        #expect(throws: BoostingError.featureNamesMismatch(index: 1, expected: "b", found: "x")) {
            try BoostedTreesModel.load(from: data, expectedFeatureNames: ["a", "x", "c", "d", "e", "code"])
        }
        #expect(throws: BoostingError.featureCountMismatch(expected: 6, found: 2)) {
            try BoostedTreesModel.load(from: data, expectedFeatureNames: ["a", "b"])
        }
        #expect(throws: BoostingError.self) {
            try BoostedTreesModel.load(from: Data(text.replacingOccurrences(of: "\"left_child\":[1", with: "\"left_child\":[0").utf8))
        }
        #expect(throws: BoostingError.self) { try BoostedTreesModel.load(from: Data("{\"format_version\":1}".utf8)) }
    }

    @Test("prediction checks the feature count, names and kinds")
    func predictionSchema() throws {
        let (x, y) = try Self.table(rows: 300)
        var p = Self.parameters(threads: 1)
        p.nEstimators = 1
        let model = try GradientBoostedTrees(parameters: p).fit(x, labels: y)
        let wrongCount = try FeatureMatrix(columns: [[1.0]], names: ["a"])
        #expect(throws: BoostingError.featureCountMismatch(expected: 6, found: 1)) { try model.predict(wrongCount) }
        let renamed = try FeatureMatrix(columns: Array(repeating: [0.0], count: 6), names: ["a", "b", "c", "d", "e", "plan"],
                                        isCategorical: [false, false, false, false, false, true])
        #expect(throws: BoostingError.featureNamesMismatch(index: 5, expected: "code", found: "plan")) { try model.predict(renamed) }
        let numeric = try FeatureMatrix(columns: Array(repeating: [0.0], count: 6), names: x.names)
        #expect(throws: BoostingError.featureKindMismatch(name: "code", modelIsCategorical: true)) { try model.predict(numeric) }
    }

    @Test("parameters decode from snake_case JSON with defaults and reject unknown or out-of-range values")
    func parameterJSON() throws {
        let p = try JSONDecoder().decode(BoostingParameters.self, from: Data("""
            {"n_estimators": 5, "max_depth": 3, "learning_rate": 0.1, "min_child_weight": 2, "lambda": 0.5,
             "gamma": 0.1, "subsample": 0.9, "colsample_bytree": 0.8, "scale_pos_weight": 2,
             "early_stopping_rounds": 3, "seed": 7, "threads": 2}
            """.utf8))
        #expect(p.nEstimators == 5 && p.maxDepth == 3 && p.learningRate == 0.1 && p.minChildWeight == 2)
        #expect(p.lambda == 0.5 && p.gamma == 0.1 && p.subsample == 0.9 && p.colsampleBytree == 0.8)
        #expect(p.scalePosWeight == 2 && p.earlyStoppingRounds == 3 && p.seed == 7 && p.threads == 2)
        #expect(p.objective == .binaryLogistic && p.maxBin == 256)
        #expect(throws: BoostingError.unknownParameter(name: "eta")) {
            try JSONDecoder().decode(BoostingParameters.self, from: Data("{\"eta\": 0.1}".utf8))
        }
        #expect(throws: BoostingError.invalidParameter(name: "subsample", value: "0.0", expected: "a number in (0, 1]")) {
            try JSONDecoder().decode(BoostingParameters.self, from: Data("{\"subsample\": 0}".utf8))
        }
        #expect(BoostingParameters.parameterNames.contains("early_stopping_rounds"))
    }

    @Test("early stopping keeps the best round on the validation set")
    func earlyStopping() throws {
        let (x, y) = try Self.table(rows: 3_000)
        let train = x.selectingRows(Array(0..<2_000)), valid = x.selectingRows(Array(2_000..<3_000))
        var p = Self.parameters(threads: 2)
        p.nEstimators = 300
        p.learningRate = 0.5
        p.maxDepth = 6
        p.earlyStoppingRounds = 5
        let model = try GradientBoostedTrees(parameters: p).fit(
            train, labels: Array(y[0..<2_000]),
            validation: .init(features: valid, labels: Array(y[2_000..<3_000])))
        let best = try #require(model.bestIteration)
        #expect(model.trees.count == best + 1)
        #expect(model.validationLoss.count == best + 1 + 5)
        #expect(model.validationLoss[best] == model.validationLoss.min())
        #expect(model.validationLoss.count < 300)
    }

    @Test("scale_pos_weight and sample weights raise the predicted positive rate")
    func weighting() throws {
        let (x, y) = try Self.table(rows: 1_000)
        var p = Self.parameters(threads: 1)
        p.subsample = 1
        let base = try GradientBoostedTrees(parameters: p).fit(x, labels: y).predict(x).reduce(0, +)
        p.scalePosWeight = 3
        let scaled = try GradientBoostedTrees(parameters: p).fit(x, labels: y).predict(x).reduce(0, +)
        p.scalePosWeight = 1
        let weighted = try GradientBoostedTrees(parameters: p).fit(x, labels: y, weights: y.map { $0 == 1 ? 3 : 1 })
            .predict(x).reduce(0, +)
        #expect(scaled > base)
        #expect(abs(weighted - scaled) < 1e-6 * scaled)
    }

    @Test("bad input throws BoostingError with a clear message, never crashes")
    func badInput() throws {
        let x = try FeatureMatrix(columns: [[1, 2, 3, 4]])
        let trainer = GradientBoostedTrees()
        #expect(throws: BoostingError.nonFiniteLabel(index: 1, value: .infinity)) {
            try trainer.fit(x, labels: [0, .infinity, 1, 0])
        }
        #expect(throws: BoostingError.self) { try trainer.fit(x, labels: [0, .nan, 1, 0]) }
        #expect(throws: BoostingError.singleClassLabels(presentClass: 1)) { try trainer.fit(x, labels: [1, 1, 1, 1]) }
        #expect(throws: BoostingError.invalidClassLabel(index: 0, value: 2)) { try trainer.fit(x, labels: [2, 0, 1, 0]) }
        #expect(throws: BoostingError.countMismatch(what: "labels", expected: 4, found: 3)) {
            try trainer.fit(x, labels: [0, 1, 0])
        }
        #expect(throws: BoostingError.emptyTrainingSet) {
            try trainer.fit(try FeatureMatrix(columns: [[]]), labels: [])
        }
        #expect(throws: BoostingError.invalidWeight(index: 2, value: -1)) {
            try trainer.fit(x, labels: [0, 1, 0, 1], weights: [1, 1, -1, 1])
        }
        #expect(throws: BoostingError.self) {
            try trainer.fit(try FeatureMatrix(rowCount: 2, columnCount: 0, columnMajorValues: []), labels: [0, 1])
        }
        let allMissing = try FeatureMatrix(columns: [[.nan, .nan, .nan, .nan]])
        #expect(try trainer.fit(allMissing, labels: [0, 1, 0, 1]).trees.allSatisfy { $0.nodeCount == 1 })
        #expect(throws: BoostingError.self) { try FeatureMatrix(columns: [[1, .infinity]]) }
        #expect(throws: BoostingError.self) { try FeatureMatrix(columns: [[0.5]], isCategorical: [true]) }
        #expect(throws: BoostingError.self) { try FeatureMatrix(columns: [[1], [2]], names: ["a", "a"]) }
        var bad = BoostingParameters()
        bad.maxDepth = 0
        #expect(throws: BoostingError.invalidParameter(name: "max_depth", value: "0", expected: "an integer in 1…16")) {
            try GradientBoostedTrees(parameters: bad).fit(x, labels: [0, 1, 0, 1])
        }
        #expect(BoostingError.singleClassLabels(presentClass: 1).description.contains("both classes"))
    }
}
