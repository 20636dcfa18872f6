import DriftStatistics
import Foundation
import CommandTasks
import DeploymentTasks
import MLTasks
import Tabular
import Testing

/// The public helpers behind the kinds and the CLI: dataset files, profiles, drift comparison.
@Suite("Dataset helpers")
struct DatasetToolsTests {
    static let reference = try! CSVReader().read(text: "x,c,f\n1,a,true\n2,b,false\n3,a,true\n4,,true\n5,b,false\n")

    @Test("Datasets.read takes CSV files and binary frames alike")
    func readsBothFormats() async throws {
        try await withTemporaryDirectory { directory in
            try Self.reference.writeBinary(to: directory + "/frame.bin")
            try CSVWriter().write(Self.reference, to: directory + "/frame.csv")
            #expect(try Datasets.read(path: directory + "/frame.bin") == Self.reference)
            #expect(try Datasets.read(path: directory + "/frame.csv") == Self.reference)
            #expect(throws: (any Error).self) { try Datasets.read(path: directory + "/none.csv") }
        }
    }

    @Test("a profile counts rows, nulls and distinct values and summarises each column")
    func profile() {
        let profile = DataProfile(Self.reference)
        #expect(profile.rows == 5)
        #expect(profile.columns.map(\.name) == ["x", "c", "f"])
        let x = profile.columns[0], c = profile.columns[1], f = profile.columns[2]
        #expect(x.type == .int && x.min == "1" && x.max == "5" && x.mean == 3 && x.distinct == 5 && x.nulls == 0)
        #expect(c.type == .string && c.nulls == 1 && c.distinct == 2 && c.min == "a" && c.max == "b" && c.mean == nil)
        #expect(f.type == .bool && f.mean == 0.6)
        #expect(profile.table.hasPrefix("5 rows, 3 columns"))
    }

    @Test("drift comparison names a missing column, a type clash and a bad option")
    func driftErrors() throws {
        let other = try CSVReader().read(text: "x,c\nq,a\nr,b\n")
        #expect { try DriftComparison.compare(reference: Self.reference, current: other) } throws: {
            "\($0)".contains("column 'x' is int in the reference data but string in the current data")
        }
        #expect { try DriftComparison.compare(reference: Self.reference, current: other, columns: ["f"]) } throws: {
            "\($0)".contains("column 'f' is not in the current data")
        }
        #expect { try DriftComparison.compare(reference: Self.reference, current: Self.reference, share: 2) } throws: {
            "\($0)".contains("share must be in (0, 1]")
        }
        let same = try DriftComparison.compare(reference: Self.reference, current: Self.reference)
        #expect(!same.datasetDrift && same.columns.map(\.method.rawValue) == ["ks", "chisquare", "chisquare"])
        let psi = try DriftComparison.compare(reference: Self.reference, current: Self.reference,
                                              method: DriftComparison.method(named: "PSI"), threshold: 0.3)
        #expect(psi.columns.allSatisfy { $0.method.rawValue == "psi" && $0.threshold == 0.3 })
    }
}
