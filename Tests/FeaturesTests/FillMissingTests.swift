import Testing
import Features
import Tabular

@Suite("fill_missing")
struct FillMissingTests {
    let data = try! DataFrame(columns: [
        Column(name: "x", ints: [1, nil, 3, 10, 3]),
        Column(name: "s", strings: ["b", "a", nil, "b", "a"]),
        Column(name: "f", bools: [nil, true, false, false, nil]),
    ])

    func fill(_ column: String, _ strategy: FillStrategy, _ value: FillValue? = nil) throws -> Column? {
        try FeatureTransform.fillMissing(FillMissingSpec(column: column, strategy: strategy, value: value))
            .fit(on: data).apply(to: data)[column]
    }

    @Test("mean and median fill an int column and make it double")
    func meanAndMedian() throws {
        #expect(try fill("x", .mean)?.doubleValues == [1, 4.25, 3, 10, 3])
        #expect(try fill("x", .median)?.doubleValues == [1, 3, 3, 10, 3])
    }

    @Test("most_frequent picks the commonest value and breaks ties by the smallest")
    func mostFrequent() throws {
        #expect(try fill("x", .mostFrequent)?.intValues == [1, 3, 3, 10, 3])
        #expect(try fill("s", .mostFrequent)?.stringValues == ["b", "a", "a", "b", "a"])
        #expect(try fill("f", .mostFrequent)?.boolValues == [false, true, false, false, false])
    }

    @Test("constant fills with a value of the column type and rejects mismatches")
    func constant() throws {
        #expect(try fill("x", .constant, .number(-1))?.intValues == [1, -1, 3, 10, 3])
        #expect(try fill("s", .constant, .string("unknown"))?.stringValues == ["b", "a", "unknown", "b", "a"])
        #expect(throws: FeatureError.invalidFillValue(column: "x", type: .int, value: .number(0.5))) {
            try fill("x", .constant, .number(0.5))
        }
        #expect(throws: FeatureError.invalidFillValue(column: "s", type: .string, value: nil)) { try fill("s", .constant) }
    }
}
