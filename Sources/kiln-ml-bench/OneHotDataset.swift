import Foundation

/// bench_train.py's "onehot" encoding of a CSV: numeric columns as-is (NaN kept), then each categorical column
/// one-hot encoded over the training part's sorted levels (missing = level "NA"; unseen levels = all zeros).
struct OneHotDataset {
    var names: [String] = []
    var train: [[Double]] = []
    var test: [[Double]] = []
    var trainLabels: [Double] = []
    var testLabels: [Double] = []
    /// Number of leading numeric columns (the rest are one-hot indicators).
    var numericCount = 0

    init(table: CSVTable, testRows: Set<Int>) throws {
        guard let labelColumn = table.header.firstIndex(of: "label"), let labels = table.numeric(labelColumn) else {
            throw BenchError("no numeric 'label' column")
        }
        let trainIdx = (0..<table.rowCount).filter { !testRows.contains($0) }
        let testIdx = (0..<table.rowCount).filter { testRows.contains($0) }
        trainLabels = trainIdx.map { labels[$0] }
        testLabels = testIdx.map { labels[$0] }
        var categorical: [Int] = []
        for c in table.header.indices where c != labelColumn {
            if let v = table.numeric(c) {
                names.append(table.header[c])
                train.append(trainIdx.map { v[$0] })
                test.append(testIdx.map { v[$0] })
            } else {
                categorical.append(c)
            }
        }
        numericCount = names.count
        for c in categorical {
            let raw = table.fields[c].map { $0.isEmpty ? "NA" : String($0) }
            let levels = Set(trainIdx.map { raw[$0] }).sorted()
            for level in levels {
                names.append("\(table.header[c])_\(level)")
                train.append(trainIdx.map { raw[$0] == level ? 1 : 0 })
                test.append(testIdx.map { raw[$0] == level ? 1 : 0 })
            }
        }
    }

    /// Reads 0-based test row indices (one per line).
    static func readIndices(_ path: String) throws -> Set<Int> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return Set(text.split(whereSeparator: \.isNewline).compactMap { Int($0) })
    }
}
