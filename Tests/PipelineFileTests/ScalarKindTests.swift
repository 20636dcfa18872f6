import Testing

@testable import PipelineFile

@Suite struct ScalarKindTests {
    @Test(
        "a short decimal integer reads in one pass, to the value the general reading gives",
        arguments: [
            ("0", 0.0), ("7", 7), ("-7", -7), ("+7", 7), ("007", 7), ("1000", 1000),
            ("999999999999999", 999_999_999_999_999), ("-999999999999999", -999_999_999_999_999),
        ])
    func shortDecimal(text: String, value: Double) {
        #expect(ScalarKind.shortDecimal(text) == value)
        #expect(Double(text) == value)  // the reference reading, independent of both
        #expect(ScalarKind.integerValue(text) == value)
        #expect(ScalarKind(YAMLNode.Scalar(string: text, style: .plain, tag: .implicit, mark: .init(line: 1, column: 1)))
            == .integer)
    }

    @Test(
        "anything else is left to the general reading",
        arguments: ["", "-", "+", "1.5", "1e3", "0x1F", "0o17", "1_000", " 1", "1 ", "١٢", "9999999999999999", "--1"])
    func notShort(text: String) {
        #expect(ScalarKind.shortDecimal(text) == nil)
    }

    @Test("-0 stays a negative zero, as the general reading keeps it")
    func negativeZero() {
        #expect(ScalarKind.shortDecimal("-0")?.sign == .minus)
        #expect(Double("-0")?.sign == .minus)
    }
}
