import Foundation
import CommandTasks
import DeploymentTasks
import MLTasks
import Tabular
import Testing

/// The comparison behind `drift:` trigger rules.
@Suite("Training data drift")
struct TrainingDataDriftTests {
    /// 200 rows: `temp` (0…199, or shifted by `shift`), `load` (a steady cycle), `plan` (alternating a/b).
    static func frame(shift: Double) throws -> DataFrame {
        var text = "temp,load,plan\n"
        for i in 0..<200 { text += "\(Double(i) + shift),\(i % 10),\(i % 2 == 0 ? "a" : "b")\n" }
        return try CSVReader().read(text: text)
    }

    @Test("a shifted column fires with evidence naming it; unshifted data does not")
    func shiftedColumn() throws {
        let reference = try Self.frame(shift: 0)
        let shifted = try TrainingDataDrift.compare(
            reference: reference, current: try Self.frame(shift: 150), columns: ["temp", "load"], method: "auto", share: 0.5)
        #expect(shifted.fires)
        #expect(shifted.columns == 2 && shifted.drifted == 1)
        #expect(shifted.evidence.hasPrefix("1/2 columns drifted (share 0.5 ≥ 0.5): temp "), "\(shifted.evidence)")

        let same = try TrainingDataDrift.compare(
            reference: reference, current: try Self.frame(shift: 0), columns: ["temp", "load", "plan"], method: "ks",
            share: 0.5)
        #expect(!same.fires)
        #expect(same.evidence == "0/3 columns drifted (share 0 < 0.5)")
    }

    @Test("an unknown method is an error naming the methods")
    func unknownMethod() throws {
        let reference = try Self.frame(shift: 0)
        #expect(throws: (any Error).self) {
            try TrainingDataDrift.compare(reference: reference, current: reference, columns: ["temp"], method: "magic", share: 0.5)
        }
    }
}
