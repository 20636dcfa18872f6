import Foundation
import Testing

@testable import DriftStatistics

@Suite struct DriftDetectorTests {
    @Test("small reference: KS for numeric and chi-squared for categorical, drift at p < 0.05")
    func smallReferenceDefaults() throws {
        let report = try DriftDetector.detect(
            reference: [DriftColumn(name: "x", values: DriftFixtures.a),
                        DriftColumn(name: "k", values: DriftFixtures.referenceCategories, isCategorical: true)],
            current: [DriftColumn(name: "x", values: DriftFixtures.b),
                      DriftColumn(name: "k", values: DriftFixtures.currentCategories, isCategorical: true)])
        let x = report.columns[0], k = report.columns[1]
        #expect(x.method == .kolmogorovSmirnov)
        #expect(abs(x.value - DriftFixtures.ksABPValue) < 1e-10)
        #expect(x.drifted == false)  // p = 0.069
        #expect(k.method == .chiSquared)
        #expect(k.drifted == true)   // p = 1.4e-5
        #expect(report.driftedCount == 1)
        #expect(report.driftShare == 0.5)
        #expect(report.datasetDrift)  // ≥ 0.5
    }

    @Test("large reference: normalised Wasserstein and Jensen–Shannon at 0.1")
    func largeReferenceDefaults() throws {
        let ref = (0..<2000).map { Double($0 % 100) / 10 }
        let shifted = ref.map { $0 + 0.5 }
        let cats = (0..<2000).map { Double($0 % 4) }
        let report = try DriftDetector.detect(
            reference: [DriftColumn(name: "x", values: ref), DriftColumn(name: "c", values: cats, isCategorical: true),
                        DriftColumn(name: "same", values: ref)],
            current: [DriftColumn(name: "x", values: shifted), DriftColumn(name: "c", values: cats, isCategorical: true),
                      DriftColumn(name: "same", values: ref)])
        #expect(report.columns.map(\.method) == [.wasserstein, .jensenShannon, .wasserstein])
        // W1 of a 0.5 shift = 0.5; std of 0.0…9.9 uniform grid = 2.8866…
        let std = (ref.map { $0 * $0 }.reduce(0, +) / 2000 - pow(ref.reduce(0, +) / 2000, 2)).squareRoot()
        #expect(abs(report.columns[0].value - 0.5 / std) < 1e-12)
        #expect(report.columns.map(\.drifted) == [true, false, false])
        #expect(report.datasetDrift == false)
        #expect(report.columns[0].pValue == nil)
    }

    @Test("per-column overrides change method and threshold")
    func overrides() throws {
        let options = DriftOptions(columnOverrides: ["x": .init(method: .psi, threshold: 0.5)])
        let report = try DriftDetector.detect(reference: [DriftColumn(name: "x", values: DriftFixtures.a)],
                                              current: [DriftColumn(name: "x", values: DriftFixtures.b)],
                                              options: options)
        #expect(report.columns[0].method == .psi)
        #expect(abs(report.columns[0].value - DriftFixtures.psiAB) < 1e-12)
        #expect(report.columns[0].threshold == 0.5)
        #expect(report.columns[0].drifted == false)  // 0.289 < 0.5
    }

    @Test("prediction drift runs the same test on score arrays")
    func predictionDrift() throws {
        let r = try DriftDetector.predictionDrift(reference: DriftFixtures.c, current: DriftFixtures.d)
        #expect(r.method == .kolmogorovSmirnov)
        #expect(abs(r.value - DriftFixtures.ksCDPValue) < 1e-10)
        #expect(r.column == "prediction")
    }

    @Test("results do not depend on the thread count")
    func threadIndependence() throws {
        let columns = (0..<6).map { k in DriftColumn(name: "c\(k)", values: DriftFixtures.a.map { $0 + Double(k) / 10 }) }
        let current = columns.map { DriftColumn(name: $0.name, values: DriftFixtures.b) }
        let one = try DriftDetector.detect(reference: columns, current: current, options: DriftOptions(threads: 1))
        let two = try DriftDetector.detect(reference: columns, current: current, options: DriftOptions(threads: 3))
        #expect(one == two)
    }

    @Test("bad input throws a clear error instead of crashing")
    func badInput() throws {
        #expect(throws: DriftError.emptySample(column: "x", which: "current")) {
            try DriftDetector.detect(reference: [DriftColumn(name: "x", values: [1, 2])],
                                     current: [DriftColumn(name: "x", values: [.nan])])
        }
        #expect(throws: DriftError.nonFiniteValue(column: "x", value: .infinity)) {
            try DriftDetector.detect(reference: [DriftColumn(name: "x", values: [1, .infinity])],
                                     current: [DriftColumn(name: "x", values: [1])])
        }
        #expect(throws: DriftError.self) {
            try DriftDetector.detect(reference: [DriftColumn(name: "x", values: [1])],
                                     current: [DriftColumn(name: "y", values: [1])])
        }
        #expect(throws: DriftError.self) {
            try DriftDetector.detect(reference: [DriftColumn(name: "x", values: [1])],
                                     current: [DriftColumn(name: "x", values: [1])],
                                     options: DriftOptions(columnOverrides: ["nope": .init(threshold: 1)]))
        }
        #expect(throws: DriftError.emptySample(column: "sample", which: "reference")) {
            try KolmogorovSmirnov.test(reference: [], current: [1])
        }
        let empty = try DriftDetector.detect(reference: [], current: [])
        #expect(empty.driftShare == 0 && !empty.datasetDrift)
        #expect(DriftError.emptySample(column: "x", which: "current").description.contains("'x'"))
    }
}
