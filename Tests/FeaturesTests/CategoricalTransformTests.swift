import Testing
import Features
import Tabular

@Suite("Categorical and date transforms")
struct CategoricalTransformTests {
    let train = try! DataFrame(columns: [
        Column(name: "color", strings: ["red", "green", nil, "red"]),
        Column(name: "n", ints: [1, 2, 3, 4]),
    ])
    let test = try! DataFrame(columns: [
        Column(name: "color", strings: ["green", "purple", nil]),
        Column(name: "n", ints: [5, 6, 7]),
    ])

    @Test("one_hot learns sorted categories and gives all zeros for unseen values and nulls")
    func oneHot() throws {
        let fitted = try FeatureTransform.oneHot(OneHotSpec(column: "color")).fit(on: train)
        #expect(fitted.state.categories == ["green", "red"])
        let out = try fitted.apply(to: test)
        #expect(out.columnNames == ["n", "color_green", "color_red"])
        #expect(out["color_green"]?.intValues == [1, 0, 0])
        #expect(out["color_red"]?.intValues == [0, 0, 0])
    }

    @Test("ordinal codes follow sorted fit categories with -1 for unseen values and nulls")
    func ordinal() throws {
        let fitted = try FeatureTransform.ordinal(ColumnSpec(column: "color", as: "code")).fit(on: train)
        let out = try fitted.apply(to: test)
        #expect(out["code"]?.intValues == [0, -1, -1])
        #expect(try fitted.apply(to: train)["code"]?.intValues == [1, 0, -1, 1])
    }

    @Test("one_hot refuses to overwrite an existing column")
    func oneHotClash() throws {
        let data = try train.adding(Column(name: "color_red", ints: [0, 0, 0, 0]))
        #expect(throws: FeatureError.outputExists(transform: "one_hot", column: "color_red")) {
            try FeatureTransform.oneHot(OneHotSpec(column: "color")).fit(on: data).apply(to: data)
        }
    }

    @Test("date_parts extracts year, month, day, ISO weekday and hour from ISO-8601 strings")
    func dateParts() throws {
        let data = try DataFrame(columns: [Column(name: "ts", strings: [
            "2024-02-29", "2021-03-04T10:30:00Z", "1999-12-31 23:59:59.123+02:00", "2000-01-02T00:00", "2023-02-29", "soon", nil,
        ])])
        let out = try FeatureTransform.dateParts(DatePartsSpec(column: "ts", prefix: "d")).fit(on: data).apply(to: data)
        #expect(out.columnNames == ["d_year", "d_month", "d_day", "d_weekday", "d_hour"])
        #expect(out["d_year"]?.intValues == [2024, 2021, 1999, 2000, nil, nil, nil])
        #expect(out["d_month"]?.intValues == [2, 3, 12, 1, nil, nil, nil])
        #expect(out["d_day"]?.intValues == [29, 4, 31, 2, nil, nil, nil])
        #expect(out["d_weekday"]?.intValues == [4, 4, 5, 7, nil, nil, nil])
        #expect(out["d_hour"]?.intValues == [0, 10, 23, 0, nil, nil, nil])
    }

    @Test("date_parts can extract a subset and rejects non-text columns")
    func datePartsSubset() throws {
        let data = try DataFrame(columns: [Column(name: "ts", strings: ["1970-01-01"])])
        let out = try FeatureTransform.dateParts(DatePartsSpec(column: "ts", parts: [.weekday])).fit(on: data).apply(to: data)
        #expect(out.columnNames == ["ts_weekday"])
        #expect(out["ts_weekday"]?.intValues == [4], "1970-01-01 was a Thursday")
        #expect(throws: FeatureError.notText(transform: "date_parts", column: "n", type: .int)) {
            try FeatureTransform.dateParts(DatePartsSpec(column: "n")).fit(on: train)
        }
    }
}
