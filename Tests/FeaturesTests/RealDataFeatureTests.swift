import Foundation
import Testing
import Features
import Tabular

@Suite("Features on shared real datasets")
struct RealDataFeatureTests {
    static let telcoPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/telco_churn.csv").standardizedFileURL.path

    @Test("a pipeline fitted on the first 5000 telco rows applies to the rest with train statistics",
          .enabled(if: FileManager.default.fileExists(atPath: telcoPath)))
    func telco() throws {
        let frame = try CSVReader().read(contentsOf: Self.telcoPath)
        let train = try frame.selecting(rows: Array(0..<5000))
        let test = try frame.selecting(rows: Array(5000..<frame.rowCount))
        let pipeline = try FeaturePipeline(json: Data("""
        {"steps": [
          {"fill_missing": {"column": "total_charges", "strategy": "median"}},
          {"ratio": {"numerator": "total_charges", "denominator": "tenure", "as": "charge_per_month"}},
          {"standardize": {"column": "monthly_charges"}},
          {"one_hot": {"column": "contract"}},
          {"ordinal": {"column": "payment_method"}}
        ]}
        """.utf8))
        let fitted = try pipeline.fit(on: train)
        let out = try fitted.apply(to: test)
        #expect(out.rowCount == 2043)
        #expect(out["total_charges"]?.nullCount == 0)
        #expect(out.columnNames.contains("contract_Month-to-month"))
        let trainCharges = try #require(train["monthly_charges"]?.numericValues).compactMap { $0 }
        #expect(fitted.steps[2].state.mean == trainCharges.reduce(0, +) / Double(trainCharges.count))
        let zeroTenure = try #require(test["tenure"]?.intValues).filter { $0 == 0 }.count
        #expect(out["charge_per_month"]?.nullCount == zeroTenure)
    }
}
