import Foundation
import Testing
import Features
import Tabular

@Suite("Feature pipeline")
struct PipelineTests {
    static let json = """
    {"steps": [
      {"fill_missing": {"column": "amount", "strategy": "median"}},
      {"ratio": {"numerator": "amount", "denominator": "count", "as": "amount_per_count"}},
      {"standardize": {"column": "amount", "as": "amount_z"}},
      {"min_max": {"column": "count"}},
      {"log1p": {"column": "amount", "as": "log_amount"}},
      {"product": {"left": "amount", "right": "count", "as": "p"}},
      {"difference": {"left": "amount", "right": "count", "as": "d"}},
      {"bucketize": {"column": "amount", "boundaries": [5, 50], "as": "amount_band"}},
      {"one_hot": {"column": "color", "prefix": "c"}},
      {"ordinal": {"column": "size"}},
      {"date_parts": {"column": "day", "parts": ["month", "weekday"]}}
    ]}
    """

    let train = try! DataFrame(columns: [
        Column(name: "amount", doubles: [10, nil, 30, 40]),
        Column(name: "count", ints: [1, 2, 0, 4]),
        Column(name: "color", strings: ["red", "blue", "red", nil]),
        Column(name: "size", strings: ["S", "M", "L", "M"]),
        Column(name: "day", strings: ["2024-01-01", "2024-01-02", "bad", nil]),
    ])
    let test = try! DataFrame(columns: [
        Column(name: "amount", doubles: [1000, nil]),
        Column(name: "count", ints: [8, 0]),
        Column(name: "color", strings: ["green", "blue"]),
        Column(name: "size", strings: ["XL", "S"]),
        Column(name: "day", strings: ["2024-03-10T08:00", "2024-12-25"]),
    ])

    @Test("decodes every transform from snake_case JSON and re-encodes to an equal pipeline")
    func decodesJSON() throws {
        let pipeline = try FeaturePipeline(json: Data(Self.json.utf8))
        #expect(pipeline.steps.map(\.name) == ["fill_missing", "ratio", "standardize", "min_max", "log1p", "product",
                                               "difference", "bucketize", "one_hot", "ordinal", "date_parts"])
        #expect(pipeline.steps[1] == .ratio(RatioSpec(numerator: "amount", denominator: "count", as: "amount_per_count")))
        let encoded = try JSONEncoder().encode(pipeline)
        #expect(try FeaturePipeline(json: encoded) == pipeline)
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"as\":\"amount_per_count\""))
    }

    @Test("rejects unknown transforms, unknown keys and objects with several keys", arguments: [
        "{\"steps\": [{\"sqrt\": {\"column\": \"a\"}}]}",
        "{\"steps\": [{\"log1p\": {\"column\": \"a\", \"output\": \"b\"}}]}",
        "{\"steps\": [{\"log1p\": {\"column\": \"a\"}, \"min_max\": {\"column\": \"a\"}}]}",
        "{\"step\": []}",
        "{\"steps\": [{\"fill_missing\": {\"column\": \"a\", \"strategy\": \"mode\"}}]}",
    ])
    func rejectsBadJSON(json: String) {
        let error = #expect(throws: FeatureConfigError.self) { try FeaturePipeline(json: Data(json.utf8)) }
        #expect(error?.description.contains("Fix:") == true)
    }

    @Test("a bad key names the step and the known keys")
    func badKeyMessage() {
        let json = "{\"steps\": [{\"log1p\": {\"column\": \"a\"}}, {\"min_max\": {\"colum\": \"a\"}}]}"
        let error = #expect(throws: FeatureConfigError.self) { try FeaturePipeline(json: Data(json.utf8)) }
        #expect(error?.message == "unknown key 'colum' in min_max; known keys: column, as")
        #expect(error?.path.contains("min_max") == true)
    }

    @Test("statistics come only from the fit frame (no leakage into prediction-time data)")
    func noLeakage() throws {
        let pipeline = try FeaturePipeline(json: Data(Self.json.utf8))
        let fitted = try pipeline.fit(on: train)
        let out = try fitted.apply(to: test)
        // median of train amount {10, 30, 40} = 30 fills the test null, not a test statistic.
        #expect(out["amount"]?.doubleValues == [1000, 30])
        // standardize uses the train mean/std after filling: values {10, 30, 30, 40}.
        let mean = 27.5, std = (((10 - mean) * (10 - mean) + 2 * (30 - mean) * (30 - mean) + (40 - mean) * (40 - mean)) / 4).squareRoot()
        let z = try #require(out["amount_z"]?.doubleValues)
        #expect(abs(z[0]! - (1000 - mean) / std) < 1e-9)
        // min_max of count uses the train range 0...4, so 8 maps to 2.
        #expect(out["count"]?.doubleValues == [2, 0])
        #expect(out["amount_per_count"]?.doubleValues == [125, nil])
        #expect(out["c_blue"]?.intValues == [0, 1])
        #expect(out["c_red"]?.intValues == [0, 0])
        #expect(!out.contains(column: "c_green"), "categories unseen at fit time add no column")
        #expect(out["size"]?.intValues == [-1, 2])
        #expect(out["day_month"]?.intValues == [3, 12])
        #expect(out["day_weekday"]?.intValues == [7, 3])
        #expect(out["amount_band"]?.intValues == [2, 1])
    }

    @Test("fitted state survives JSON encoding and re-applies identically")
    func fittedStateCodable() throws {
        let fitted = try FeaturePipeline(json: Data(Self.json.utf8)).fit(on: train)
        let stored = try JSONEncoder().encode(fitted)
        let restored = try JSONDecoder().decode(FittedPipeline.self, from: stored)
        #expect(restored == fitted)
        #expect(try restored.apply(to: test) == fitted.apply(to: test))
        let text = String(decoding: stored, as: UTF8.self)
        #expect(text.contains("\"categories\":[\"blue\",\"red\"]"))
        #expect(text.contains("\"fill\":30"))
    }

    @Test("fitTransform returns the transformed training frame")
    func fitTransform() throws {
        let pipeline = FeaturePipeline(steps: [.standardize(ColumnSpec(column: "count"))])
        let (fitted, frame) = try pipeline.fitTransform(on: train)
        #expect(try fitted.apply(to: train) == frame)
        #expect(fitted.steps.first?.state.mean == 1.75)
    }

    @Test("a fitted step without its state fails clearly")
    func missingState() throws {
        let broken = FittedTransform(transform: .standardize(ColumnSpec(column: "count")))
        #expect(throws: FeatureError.missingState(transform: "standardize", column: "count", field: "mean")) {
            try broken.apply(to: train)
        }
    }
}
