import Foundation
import Testing
import Features
import Tabular

@Suite("Numeric transforms")
struct NumericTransformTests {
    func frame() throws -> DataFrame {
        try DataFrame(columns: [
            Column(name: "amount", doubles: [10, 0, nil, -1, 3]),
            Column(name: "count", ints: [2, 0, 5, 4, 0]),
        ])
    }

    func run(_ transform: FeatureTransform, _ frame: DataFrame) throws -> DataFrame {
        try transform.fit(on: frame).apply(to: frame)
    }

    @Test("ratio divides and gives null for division by zero or null inputs")
    func ratio() throws {
        let out = try run(.ratio(RatioSpec(numerator: "amount", denominator: "count", as: "per")), frame())
        #expect(out["per"]?.doubleValues == [5, nil, nil, -0.25, nil])
        #expect(out.columnNames == ["amount", "count", "per"])
    }

    @Test("product and difference combine two numeric columns")
    func productAndDifference() throws {
        let product = try run(.product(PairSpec(left: "amount", right: "count", as: "p")), frame())
        #expect(product["p"]?.doubleValues == [20, 0, nil, -4, 0])
        let difference = try run(.difference(PairSpec(left: "amount", right: "count", as: "d")), frame())
        #expect(difference["d"]?.doubleValues == [8, 0, nil, -5, 3])
    }

    @Test("log1p replaces in place by default and nulls values at or below -1")
    func log1pValues() throws {
        let out = try run(.log1p(ColumnSpec(column: "amount")), frame())
        let values = try #require(out["amount"]?.doubleValues)
        #expect(values[0] == Foundation.log1p(10.0))
        #expect(values[1] == 0)
        #expect(values[2] == nil && values[3] == nil)
        #expect(out.columnNames == ["amount", "count"])
    }

    @Test("standardize uses the population mean and standard deviation of the fit frame")
    func standardize() throws {
        let train = try DataFrame(columns: [Column(name: "x", doubles: [1, 2, 3, nil, .nan])])
        let fitted = try FeatureTransform.standardize(ColumnSpec(column: "x", as: "z")).fit(on: train)
        #expect(fitted.state.mean == 2)
        #expect(fitted.state.std == (2.0 / 3.0).squareRoot())
        let out = try fitted.apply(to: train)
        let z = try #require(out["z"]?.doubleValues)
        #expect(abs(z[0]! + 1.224744871391589) < 1e-12)
        #expect(z[1] == 0)
        #expect(z[3] == nil)
        #expect(z[4]?.isNaN == true, "NaN propagates")
    }

    @Test("min_max scales to the fit range without clipping, and a constant column maps to 0")
    func minMax() throws {
        let train = try DataFrame(columns: [Column(name: "x", ints: [10, 20, 30])])
        let fitted = try FeatureTransform.minMax(ColumnSpec(column: "x")).fit(on: train)
        let test = try DataFrame(columns: [Column(name: "x", ints: [15, 40, nil])])
        #expect(try fitted.apply(to: test)["x"]?.doubleValues == [0.25, 1.5, nil])
        let constant = try DataFrame(columns: [Column(name: "x", ints: [7, 7])])
        #expect(try run(.minMax(ColumnSpec(column: "x")), constant)["x"]?.doubleValues == [0, 0])
    }

    @Test("bucketize counts the boundaries at or below each value")
    func bucketize() throws {
        let data = try DataFrame(columns: [Column(name: "age", doubles: [5, 18, 29.9, 30, 80, nil, .nan])])
        let out = try run(.bucketize(BucketizeSpec(column: "age", boundaries: [18, 30, 65], as: "band")), data)
        #expect(out["band"]?.intValues == [0, 1, 1, 2, 3, nil, nil])
        #expect(throws: FeatureError.invalidBoundaries(column: "age", boundaries: [30, 18])) {
            try FeatureTransform.bucketize(BucketizeSpec(column: "age", boundaries: [30, 18])).fit(on: data)
        }
    }

    @Test("numeric transforms reject text columns and unfit-able columns with clear errors")
    func errors() throws {
        let data = try DataFrame(columns: [Column(name: "s", strings: ["a"]), Column(name: "n", doubles: [nil])])
        let error = #expect(throws: FeatureError.self) { try FeatureTransform.log1p(ColumnSpec(column: "s")).fit(on: data) }
        #expect(error == .notNumeric(transform: "log1p", column: "s", type: .string))
        #expect(error?.description.contains("Fix:") == true)
        #expect(throws: FeatureError.nothingToFit(transform: "standardize", column: "n")) {
            try FeatureTransform.standardize(ColumnSpec(column: "n")).fit(on: data)
        }
        #expect(throws: TabularError.self) { try FeatureTransform.log1p(ColumnSpec(column: "zzz")).fit(on: data) }
        #expect(throws: FeatureError.outputExists(transform: "ratio", column: "s")) {
            try FeatureTransform.ratio(RatioSpec(numerator: "n", denominator: "n", as: "s")).fit(on: data).apply(to: data)
        }
    }
}
