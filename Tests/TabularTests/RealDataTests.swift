import Foundation
import Testing
import Tabular

@Suite("Shared real datasets")
struct RealDataTests {
    static let adult = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/adult.csv").standardizedFileURL.path
    static let telco = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/telco_churn.csv").standardizedFileURL.path

    @Test("adult.csv loads with the documented rows and missing counts",
          .enabled(if: FileManager.default.fileExists(atPath: adult)))
    func adultLoads() throws {
        let frame = try CSVReader().read(contentsOf: Self.adult)
        #expect(frame.rowCount == 48_842)
        #expect(frame.columnCount == 15)
        #expect(frame["workclass"]?.nullCount == 2_799)
        #expect(frame["occupation"]?.nullCount == 2_809)
        #expect(frame["native_country"]?.nullCount == 857)
        #expect(frame["label"]?.intValues?.reduce(0) { $0 + ($1 ?? 0) } == 11_687)
        #expect(try DataFrame(binaryEncoded: frame.binaryEncoded()) == frame)
    }

    @Test("telco_churn.csv loads with total_charges as double with 11 nulls",
          .enabled(if: FileManager.default.fileExists(atPath: telco)))
    func telcoLoads() throws {
        let frame = try CSVReader().read(contentsOf: Self.telco)
        #expect(frame.rowCount == 7_043)
        #expect(frame["total_charges"]?.type == .double)
        #expect(frame["total_charges"]?.nullCount == 11)
        #expect(frame["label"]?.intValues?.reduce(0) { $0 + ($1 ?? 0) } == 1_869)
    }
}
