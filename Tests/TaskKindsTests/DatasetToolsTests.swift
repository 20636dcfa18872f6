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

    @Test("the profile read from typed columns equals one computed from every cell (zeros, infinities, NaN, nulls)")
    func profileMatchesCells() throws {
        let frame = try DataFrame(columns: [
            Column(name: "d", doubles: [0.0, -0.0, .infinity, -.infinity, .nan, .nan, nil, 2.5, 2.5, -7]),
            Column(name: "n", doubles: [nil, nil, nil, nil, nil, nil, nil, nil, nil, .nan]),
            Column(name: "i", ints: [3, nil, -4, 3, 9_007_199_254_740_993, 0, 0, nil, 1, 2]),
            Column(name: "s", strings: ["b", "a", nil, "é", "B", "b", "", nil, "a", "z"]),
            Column(name: "t", bools: [nil, true, true, nil, true, true, true, true, nil, true]),
            Column(name: "e", bools: [nil, nil, nil, nil, nil, nil, nil, nil, nil, nil]),
        ])
        let profile = DataProfile(frame)
        for (summary, column) in zip(profile.columns, frame.columns) {
            // The definition, cell by cell.
            let cells = (0..<column.count).map { column[$0] }.filter { !$0.isNull }
            #expect(summary.distinct == Set(cells).count, "\(column.name)")
            #expect(summary.nulls == column.nullCount)
            if let numbers = column.numericValues?.compactMap({ $0 }).filter({ !$0.isNaN }), !numbers.isEmpty {
                let finite = numbers.filter(\.isFinite)
                #expect(summary.mean == (finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)), "\(column.name)")
                #expect(summary.min != nil && summary.max != nil)
            } else if let texts = column.stringValues?.compactMap({ $0 }), !texts.isEmpty {
                #expect(summary.min == texts.min() && summary.max == texts.max())
            } else if let flags = column.boolValues?.compactMap({ $0 }), !flags.isEmpty {
                #expect(summary.mean == Double(flags.filter { $0 }.count) / Double(flags.count))
                #expect(summary.min == (flags.contains(false) ? "false" : "true"))
            } else {
                #expect(summary.min == nil && summary.max == nil && summary.mean == nil, "\(column.name)")
            }
        }
        let d = profile.columns[0]
        #expect(d.min == "-inf" && d.max == "inf" && d.distinct == 7)
        #expect(profile.columns[2].min == "-4")
        #expect(profile.columns[2].max == "9007199254740992.0")
    }

    @Test("a profile built block by block equals the profile of the whole (any cut, an empty block included)")
    func profileInBlocks() throws {
        let frame = try DataFrame(columns: [
            Column(name: "d", doubles: [0.0, -0.0, .infinity, -.infinity, .nan, .nan, nil, 2.5, 2.5, -7]),
            Column(name: "i", ints: [3, nil, -4, 3, 9_007_199_254_740_993, 0, 0, nil, 1, 2]),
            Column(name: "s", strings: ["b", "a", nil, "é", "B", "b", "", nil, "a", "z"]),
            Column(name: "t", bools: [nil, true, true, nil, true, true, true, true, nil, false]),
        ])
        let whole = DataProfile(frame)
        for cuts in [[0, 10], [0, 0, 10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0, 4, 4, 10], [0, 7, 10, 10]] {
            var builder = DataProfile.Builder()
            for (lower, upper) in zip(cuts, cuts.dropFirst()) {
                builder.add(try frame.selecting(rows: Array(lower..<upper)))
            }
            #expect(builder.profile == whole, "cut at \(cuts)")
        }
    }

    @Test("Datasets.profile reads a CSV file in blocks and a binary frame whole, with the same result as a read")
    func profileOfFiles() async throws {
        try await withTemporaryDirectory { directory in
            var lines = ["id,amount,kind,flag"]
            for row in 0..<80_000 {
                lines.append("t\(row),\(row % 97 == 0 ? "" : String(Double(row % 1_000) / 8)),k\(row % 9),\(row % 3 == 0)")
            }
            let text = lines.joined(separator: "\n") + "\n"
            #expect(text.utf8.count > CSVReader.defaultBlockBytes, "one block only")
            try text.write(toFile: directory + "/big.csv", atomically: true, encoding: .utf8)
            let frame = try Datasets.read(path: directory + "/big.csv")
            try frame.writeBinary(to: directory + "/big.bin")
            #expect(try Datasets.profile(path: directory + "/big.csv") == DataProfile(frame))
            #expect(try Datasets.profile(path: directory + "/big.bin") == DataProfile(frame))
            #expect(throws: (any Error).self) { try Datasets.profile(path: directory + "/none.csv") }
        }
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
