import Foundation
import ModelRegistry
public import PipelineModel
import Synchronization
public import Tabular

/// The predictions `kiln serve` made, and the labels fed back for them, as CSV files that monitoring rules read.
///
/// ``record(model:served:frame:ids:scores:at:)`` keeps a sample of the scored rows in memory (the request path does
/// no I/O); ``flush(at:)``, called every second off the request path, writes them as new files, each written whole
/// (temporary file, then rename), and deletes the oldest files beyond ``Configuration/filesKept``. Layout under the
/// home:
///
/// - `predictions/MODEL/predictions-20261206T101500123Z-000001.csv`: the request's columns, then `request_id`,
///   `model_version`, `score`, `prediction`, `predicted_at` — what `current: predictions:MODEL` reads.
/// - `feedback/MODEL/labelled-….csv`: the same rows joined with their labels (column named as the model's label),
///   plus `labelled_at` — what `data: feedback:MODEL` reads.
///
/// Sampling is by request id (a hash), so a row is logged or not whatever the order of requests, and feedback can
/// only name sampled rows. Feedback joins to the last ``Configuration/feedbackWindow`` logged rows of the model.
public final class PredictionLog: Sendable {
    /// Sampling, sizes and bounds.
    public struct Configuration: Sendable {
        /// The home folder; files go under `predictions/` and `feedback/` in it.
        public var home: String
        /// The share of rows logged, 0…1. Default 1 (every row).
        public var sampleRate: Double
        /// The most rows in one file. Default 10,000.
        public var rowsPerFile: Int
        /// Files kept per model and kind (predictions, labelled); older ones are deleted. Default 20.
        public var filesKept: Int
        /// Rows waiting to be written, beyond which new rows are dropped (and counted). Default 100,000.
        public var maxPendingRows: Int
        /// Logged rows per model that feedback can still name (the most recent). Default 100,000.
        public var feedbackWindow: Int

        /// Creates a configuration; every bound is at least 1 and `sampleRate` in 0…1.
        public init(home: String, sampleRate: Double = 1, rowsPerFile: Int = 10_000, filesKept: Int = 20,
                    maxPendingRows: Int = 100_000, feedbackWindow: Int = 100_000) {
            precondition((0...1).contains(sampleRate), "sampleRate must be from 0 to 1")
            precondition(rowsPerFile > 0 && filesKept > 0 && maxPendingRows > 0 && feedbackWindow > 0, "bounds must be positive")
            self.home = home
            self.sampleRate = sampleRate
            self.rowsPerFile = rowsPerFile
            self.filesKept = filesKept
            self.maxPendingRows = maxPendingRows
            self.feedbackWindow = feedbackWindow
        }
    }

    /// One logged row: the request's values and what the model said.
    struct Row: Sendable {
        var columns: [String]
        var values: [CellValue]
        var id: String
        var version: String
        var label: String
        var score: Double
        var prediction: Int
        var at: Timestamp
    }

    /// A row with its label.
    struct Labelled: Sendable {
        var row: Row
        var label: CellValue
        var at: Timestamp
    }

    /// Rows remembered for feedback, oldest first.
    ///
    /// The rows are spread over many small tables by request id: one table of 100,000 rows stopped every request
    /// (this runs under the log's lock) for milliseconds each time it grew and rehashed, which showed on the
    /// endpoint's p99.
    struct Window: Sendable {
        static let shardCount = 64
        var shards = [[String: Row]](repeating: [:], count: shardCount)
        var count = 0
        var order: [String] = []
        var head = 0

        static func shard(of id: String) -> Int { Int(PredictionLog.hash(id) % UInt64(shardCount)) }

        subscript(id: String) -> Row? { shards[Self.shard(of: id)][id] }

        mutating func add(_ row: Row, limit: Int) {
            if shards[Self.shard(of: row.id)].updateValue(row, forKey: row.id) == nil {
                order.append(row.id)
                count += 1
            }
            while count > limit, head < order.count {
                let oldest = order[head]
                if shards[Self.shard(of: oldest)].removeValue(forKey: oldest) != nil { count -= 1 }
                head += 1
            }
            if head > 4096 && head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
    }

    struct State: Sendable {
        var predictions: [String: [Row]] = [:]
        var labelled: [String: [Labelled]] = [:]
        var pending = 0
        var dropped = 0
        var windows: [String: Window] = [:]
        var sequence = 0
    }

    /// The configuration.
    public let configuration: Configuration
    private let state = Mutex(State())

    /// Creates a log writing under `configuration.home`.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The folder of a model's logged predictions (`HOME/predictions/MODEL`).
    public static func predictionsFolder(home: String, model: String) -> String { "\(home)/predictions/\(model)" }

    /// The folder of a model's labelled rows (`HOME/feedback/MODEL`).
    public static func feedbackFolder(home: String, model: String) -> String { "\(home)/feedback/\(model)" }

    /// Rows dropped because too many waited to be written.
    public var droppedRows: Int { state.withLock { $0.dropped } }

    /// Whether the row with this request id is in the sample.
    public func isSampled(_ id: String) -> Bool {
        guard configuration.sampleRate < 1 else { return true }
        return Double(Self.hash(id) % 1_000_000) < configuration.sampleRate * 1_000_000
    }

    /// FNV-1a of a request id: the same on every run and machine (unlike `Hasher`), for sampling and sharding.
    static func hash(_ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// Keeps the sampled rows of one scored request to write at the next flush.
    /// - Parameters:
    ///   - model: The model name.
    ///   - served: The version that scored them.
    ///   - frame: The request's rows.
    ///   - ids: One request id per row.
    ///   - scores: One score per row.
    ///   - at: When they were scored.
    public func record(model: String, served: ServedModel, frame: DataFrame, ids: [String], scores: [Double], at: Timestamp) {
        let chosen = ids.indices.filter { isSampled(ids[$0]) }
        guard !chosen.isEmpty else { return }
        let columns = frame.columnNames
        let rows = chosen.map { index in
            Row(columns: columns, values: frame.columns.map { $0[index] }, id: ids[index],
                version: served.version.reference, label: served.file.label, score: scores[index],
                prediction: scores[index] >= served.threshold ? 1 : 0, at: at)
        }
        let limit = configuration.feedbackWindow
        state.withLock { state in
            for row in rows { state.windows[model, default: Window()].add(row, limit: limit) }
            guard state.pending + rows.count <= configuration.maxPendingRows else {
                state.dropped += rows.count
                return
            }
            state.pending += rows.count
            state.predictions[model, default: []].append(contentsOf: rows)
        }
    }

    /// Joins labels to logged predictions by request id; the labelled rows are written at the next flush.
    /// - Parameters:
    ///   - model: The model name.
    ///   - labels: Request id and label pairs; a label is a number, a boolean (as 0/1) or a string.
    ///   - at: When the labels arrived.
    /// - Returns: The number of rows labelled.
    /// - Throws: ``PredictionError``: `notFound` naming the first id that was not logged (nothing is recorded then);
    ///   `invalid` for a label that is not a number, boolean or string.
    @discardableResult
    public func feedback(model: String, labels: [(id: String, label: JSONValue)], at: Timestamp) throws -> Int {
        let values = try labels.map { pair -> CellValue in
            switch pair.label {
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .number(let number) where number.rounded() == number && abs(number) < 9e15: return .int(Int(number))
            case .number(let number): return .double(number)
            case .string(let text): return .string(text)
            default:
                throw PredictionError(.invalid, "the label of '\(pair.id)' is \(pair.label.compactJSON); send a number, "
                    + "a boolean or a string, such as {\"request_id\": \"\(pair.id)\", \"label\": 1}")
            }
        }
        let window = configuration.feedbackWindow
        let sampled = configuration.sampleRate < 1
        return try state.withLock { state in
            var joined: [Labelled] = []
            for (pair, value) in zip(labels, values) {
                guard let row = state.windows[model]?[pair.id] else {
                    throw PredictionError(.notFound, "no logged prediction of model '\(model)' has request_id '\(pair.id)'; "
                        + "feedback joins the last \(window) predictions this server logged"
                        + (sampled ? " (sampled at --prediction-sample-rate \(configuration.sampleRate))" : "")
                        + "; use the request_id a predict response returned")
                }
                joined.append(Labelled(row: row, label: value, at: at))
            }
            state.labelled[model, default: []].append(contentsOf: joined)
            return joined.count
        }
    }

    /// Writes every waiting row as new files and deletes the oldest beyond ``Configuration/filesKept``.
    /// - Parameter at: The time in the new files' names.
    /// - Returns: The files written.
    /// - Throws: When a folder or file cannot be written; the rows of the failed files are lost (and counted).
    @discardableResult
    public func flush(at: Timestamp) throws -> [String] {
        var files = takeFiles(at: at)
        for index in files.indices { files[index].render(0..<files[index].rows) }
        return try write(files.map(\.finished))
    }

    /// ``flush(at:)`` for a server: the CSV text is made on the concurrency pool in slices of a few hundred rows,
    /// each a short job among the requests' jobs, and `write` runs the file writes (blocking I/O, little CPU)
    /// elsewhere. (Made all at once on a thread of its own, a second of one-row requests' rows competed with the
    /// request threads for the processors in long bursts: 1–2 ms more on the endpoint's p99 on 2 cores.)
    /// - Parameters:
    ///   - at: The time in the new files' names.
    ///   - write: Runs its argument, which writes the files, and returns its result.
    /// - Returns: The files written.
    /// - Throws: As ``flush(at:)``.
    @discardableResult
    public func flush(
        at: Timestamp, writingWith write: (@escaping @Sendable () throws -> [String]) async throws -> [String]
    ) async throws -> [String] {
        var files = takeFiles(at: at)
        for index in files.indices {
            for start in stride(from: 0, to: files[index].rows, by: Self.renderSlice) {
                files[index].render(start..<min(files[index].rows, start + Self.renderSlice))
                await Task.yield()
            }
        }
        let finished = files.map(\.finished)
        return try await write { try self.write(finished) }
    }

    /// Rows made into CSV text between two yields of ``flush(at:writingWith:)``: a few tenths of a millisecond.
    public static let renderSlice = 128

    /// A file being made: its place, and its CSV text so far.
    struct FileText {
        var folder: String
        var path: String
        var rows: Int
        var bytes: [UInt8]
        /// Appends the records of these rows of the file to `bytes`.
        let records: (Range<Int>, inout [UInt8]) -> Void

        mutating func render(_ range: Range<Int>) { records(range, &bytes) }

        var finished: FinishedFile { FinishedFile(folder: folder, path: path, rows: rows, bytes: bytes) }
    }

    /// A file ready to be written.
    struct FinishedFile: Sendable {
        var folder: String
        var path: String
        var rows: Int
        var bytes: [UInt8]
    }

    /// Takes every waiting row, and returns the files they go to (headers written, records not yet).
    func takeFiles(at: Timestamp) -> [FileText] {
        let (predictions, labelled, first) = state.withLock { state -> ([String: [Row]], [String: [Labelled]], Int) in
            defer {
                state.predictions = [:]
                state.labelled = [:]
                state.pending = 0
            }
            let files = state.predictions.values.reduce(0) { $0 + ($1.count + configuration.rowsPerFile - 1) / configuration.rowsPerFile }
                + state.labelled.values.reduce(0) { $0 + ($1.count + configuration.rowsPerFile - 1) / configuration.rowsPerFile }
            state.sequence += files
            return (state.predictions, state.labelled, state.sequence - files)
        }
        var sequence = first
        var files: [FileText] = []
        // Rows are written as CSV records directly, cell by cell: no frame of them is built first.
        let csv = CSVWriter()
        func add<Row>(_ rows: [Row], columns: [String], folder: String, prefix: String,
                      _ record: @escaping (Row, inout [UInt8]) -> Void) {
            for start in stride(from: 0, to: rows.count, by: configuration.rowsPerFile) {
                sequence += 1
                let chunk = Array(rows[start..<min(rows.count, start + configuration.rowsPerFile)])
                var header: [UInt8] = []
                header.reserveCapacity(chunk.count * (columns.count * 12 + 100))
                for (index, name) in columns.enumerated() { csv.appendName(name, first: index == 0, to: &header) }
                csv.endRecord(&header)
                files.append(FileText(
                    folder: folder, path: "\(folder)/\(prefix)-\(Self.stamp(at))-\(Self.padded(sequence % 1_000_000)).csv",
                    rows: chunk.count, bytes: header
                ) { range, bytes in
                    for row in chunk[range] {
                        record(row, &bytes)
                        csv.endRecord(&bytes)
                    }
                })
            }
        }
        func cells(_ values: [CellValue], _ bytes: inout [UInt8]) {
            for (index, value) in values.enumerated() { csv.appendField(value, first: index == 0, to: &bytes) }
        }
        // Requests in the same millisecond share the text of their time (which shows milliseconds).
        let times = TimeTexts()
        for (model, rows) in predictions.sorted(by: { $0.key < $1.key }) {
            let folder = Self.predictionsFolder(home: configuration.home, model: model)
            for (columns, group) in Self.grouped(rows, by: \.columns) {
                let names = columns + ["request_id", "model_version", "score", "prediction", "predicted_at"]
                add(group, columns: names, folder: folder, prefix: "predictions") { row, bytes in
                    cells(row.values, &bytes)
                    csv.appendField(.string(row.id), first: row.values.isEmpty, to: &bytes)
                    csv.appendField(.string(row.version), first: false, to: &bytes)
                    csv.appendField(.double(row.score), first: false, to: &bytes)
                    csv.appendField(.int(row.prediction), first: false, to: &bytes)
                    csv.appendField(.string(times.text(row.at)), first: false, to: &bytes)
                }
            }
        }
        for (model, rows) in labelled.sorted(by: { $0.key < $1.key }) {
            let folder = Self.feedbackFolder(home: configuration.home, model: model)
            for (columns, group) in Self.grouped(rows, by: { $0.row.columns + [$0.row.label] }) {
                let names = columns + ["request_id", "model_version", "score", "predicted_at", "labelled_at"]
                add(group, columns: names, folder: folder, prefix: "labelled") { labelled, bytes in
                    cells(labelled.row.values, &bytes)
                    csv.appendField(labelled.label, first: labelled.row.values.isEmpty, to: &bytes)
                    csv.appendField(.string(labelled.row.id), first: false, to: &bytes)
                    csv.appendField(.string(labelled.row.version), first: false, to: &bytes)
                    csv.appendField(.double(labelled.row.score), first: false, to: &bytes)
                    csv.appendField(.string(times.text(labelled.row.at)), first: false, to: &bytes)
                    csv.appendField(.string(times.text(labelled.at)), first: false, to: &bytes)
                }
            }
        }
        return files
    }

    /// The text of times, the last one remembered: rows come in time order, and those of one millisecond share it.
    final class TimeTexts {
        private var last: (millisecond: Int64, text: String)?

        func text(_ time: Timestamp) -> String {
            let millisecond = time.millisecondsSince1970
            if let last, last.millisecond == millisecond { return last.text }
            let text = time.iso8601
            last = (millisecond, text)
            return text
        }
    }

    /// Writes the files, then deletes the oldest of their folders beyond ``Configuration/filesKept``.
    /// - Returns: The files written.
    /// - Throws: The first failure; the rows of the files not written are counted as dropped.
    func write(_ files: [FinishedFile]) throws -> [String] {
        var written: [String] = []
        var failure: (any Error)?
        let csv = CSVWriter()
        for file in files {
            do {
                try FileManager.default.createDirectory(atPath: file.folder, withIntermediateDirectories: true)
                try csv.write(bytes: file.bytes, to: file.path)
                written.append(file.path)
            } catch {
                failure = failure ?? error
                state.withLock { $0.dropped += file.rows }
            }
        }
        var pruned = Set<String>()
        for file in files where pruned.insert(file.folder).inserted { prune(file.folder) }
        if let failure { throw failure }
        return written
    }

    /// Deletes the oldest files of `folder` beyond ``Configuration/filesKept`` (names sort by time).
    func prune(_ folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let files = names.filter { $0.hasSuffix(".csv") }.sorted()
        for name in files.dropLast(configuration.filesKept) {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name)")
        }
    }

    /// `rows` grouped by a key, groups in order of first appearance.
    static func grouped<T, K: Hashable>(_ rows: [T], by key: (T) -> K) -> [(K, [T])] {
        var groups: [(key: K, rows: [T])] = []
        var positions: [K: Int] = [:]
        var last = -1
        for row in rows {
            let k = key(row)
            // Rows of one shape come in runs (a request's rows share their columns): compare with the last group
            // before hashing the key.
            if last < 0 || groups[last].key != k {
                if let found = positions[k] {
                    last = found
                } else {
                    last = groups.count
                    positions[k] = last
                    groups.append((k, []))
                }
            }
            groups[last].rows.append(row)
        }
        return groups.map { ($0.key, $0.rows) }
    }

    /// `n` with leading zeros to 6 digits.
    static func padded(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// `20261206T101500123Z`: sorts by time.
    static func stamp(_ time: Timestamp) -> String {
        let text = time.iso8601  // 2026-12-06T10:15:00Z or with fraction
        let digits = text.filter { $0.isNumber || $0 == "T" }
        let millis = String(padded(Int(time.millisecondsSince1970 % 1000 + 1000) % 1000).suffix(3))
        return String(digits.prefix(15)) + millis + "Z"
    }
}
