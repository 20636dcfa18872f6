import Foundation
import Testing
import DataValidation
import Tabular

@Suite("Validation of shared real datasets")
struct RealDataValidationTests {
    static let adultPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/adult.csv").standardizedFileURL.path

    @Test("adult.csv reports its documented missing values and label share",
          .enabled(if: FileManager.default.fileExists(atPath: adultPath)))
    func adult() throws {
        let frame = try CSVReader().read(contentsOf: Self.adultPath)
        let rules = try ValidationRules(json: Data("""
        {"min_rows": 40000,
         "columns": {"age": {"type": "int", "min": 17, "max": 90},
                     "workclass": {"type": "string", "max_null_ratio": 0.05},
                     "occupation": {"max_null_ratio": 0.05},
                     "sex": {"allowed": ["Male", "Female"]}},
         "label": "label", "label_balance": {"min": 0.3, "positive": "1"}}
        """.utf8))
        let report = rules.validate(frame)
        #expect(report.rows == 48_842)
        #expect(report.violations.map(\.message) == [
            "column occupation: 5.8 % null > 5 % allowed",
            "column workclass: 5.7 % null > 5 % allowed",
            "label label: class 1 share 23.9 % < 30 % required",
        ])
        #expect(abs(report.nullRatios["native_country"]! - 857.0 / 48_842.0) < 1e-12)
    }
}
