import Foundation
public import ModelRegistry
public import PipelineModel

/// Online scoring for `kiln serve`'s `POST /v1/models/NAME/predict` and `/feedback`: the versions served (with hot
/// swap, ``ServedModels``), the log of predictions and labels (``PredictionLog``), the clock and the request ids.
///
/// ```swift
/// let service = PredictionService(models: served, log: log, clock: clock)
/// let result = try await service.predict(model: "fraud-detection", rows: [["amount": 12.5, …]], requestID: "tx-1")
/// // result.version.reference == "fraud-detection@3", result.ids == ["tx-1"]
/// try service.feedback(model: "fraud-detection", labels: [("tx-1", 1)])
/// ```
public final class PredictionService: Sendable {
    /// What one request's rows scored.
    public struct Result: Sendable {
        /// The version that scored every row of the request.
        public var version: ModelVersion
        /// The request id of the batch.
        public var requestID: String
        /// One request id per row (feedback names them).
        public var ids: [String]
        /// The probability of class 1, per row.
        public var scores: [Double]
        /// 1 when the score reaches the threshold, per row.
        public var predictions: [Int]
        /// The version's decision threshold.
        public var threshold: Double

        /// Creates a result.
        public init(version: ModelVersion, requestID: String, ids: [String], scores: [Double], predictions: [Int],
                    threshold: Double) {
            self.version = version
            self.requestID = requestID
            self.ids = ids
            self.scores = scores
            self.predictions = predictions
            self.threshold = threshold
        }
    }

    /// The versions served.
    public let models: ServedModels
    /// Where predictions and labels are logged, or `nil` for no logging (feedback is then refused).
    public let log: PredictionLog?
    let clock: any PipelineClock
    let makeID: @Sendable () -> String

    /// Creates the service.
    /// - Parameters:
    ///   - models: The versions served.
    ///   - log: The prediction log, or `nil`.
    ///   - clock: Times of predictions and labels.
    ///   - makeID: Request ids for requests that bring none (default: random UUIDs).
    public init(
        models: ServedModels, log: PredictionLog?, clock: any PipelineClock,
        makeID: @escaping @Sendable () -> String = PredictionService.randomID
    ) {
        self.models = models
        self.log = log
        self.clock = clock
        self.makeID = makeID
    }

    /// Scores `rows` with the version `alias` of `model` points at now, and logs a sample of them.
    /// - Parameters:
    ///   - model: The model name.
    ///   - alias: The alias (default `production`).
    ///   - rows: JSON rows (``PredictionRows``).
    ///   - requestID: The batch's id, or `nil` for a new one; rows get it (one row) or `ID-0`, `ID-1`, … (several).
    ///   - ids: One id per row, overriding the derived ones.
    /// - Throws: ``PredictionError``: `invalid` for bad rows or ids, `notFound` for an unknown model, `conflict`
    ///   when the alias points at no version.
    public func predict(
        model: String, alias: String = RegistryNames.production, rows: [[String: JSONValue]], requestID: String? = nil,
        ids: [String]? = nil
    ) async throws -> Result {
        for id in [requestID].compactMap({ $0 }) + (ids ?? []) { try Self.check(id) }
        if let ids, ids.count != rows.count {
            throw PredictionError(.invalid, "'ids' has \(ids.count) ids for \(rows.count) rows; give one id per row")
        }
        let served = try await models.current(model, alias: alias)
        let (frame, scores) = try served.score(rows)
        let batch = requestID ?? makeID()
        let rowIDs = ids ?? (rows.count == 1 ? [batch] : rows.indices.map { "\(batch)-\($0)" })
        log?.record(model: model, served: served, frame: frame, ids: rowIDs, scores: scores, at: clock.now)
        return Result(
            version: served.version, requestID: batch, ids: rowIDs, scores: scores,
            predictions: scores.map { $0 >= served.threshold ? 1 : 0 }, threshold: served.threshold)
    }

    /// Joins labels to logged predictions of `model` by request id (written to `feedback/MODEL/` at the next flush).
    /// - Returns: The number of rows labelled.
    /// - Throws: ``PredictionError``: `notFound` naming an id that was not logged, `conflict` without a log.
    @discardableResult
    public func feedback(model: String, labels: [(id: String, label: JSONValue)]) throws -> Int {
        guard let log else {
            throw PredictionError(.conflict, "this server does not log predictions (--prediction-sample-rate 0), so it has "
                + "nothing to join feedback to")
        }
        guard !labels.isEmpty else {
            throw PredictionError(.invalid, "no labels: send {\"request_id\": \"…\", \"label\": 1} or {\"labels\": [{…}, …]}")
        }
        for pair in labels { try Self.check(pair.id) }
        return try log.feedback(model: model, labels: labels, at: clock.now)
    }

    /// A random (version 4) UUID in lowercase, from the system's generator. (Foundation's `UUID()` opens, reads and
    /// closes `/dev/urandom` each time: three system calls for every request without an id.)
    @Sendable public static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64, low = generator.next() as UInt64
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC << 60)) | (0x8 << 60)  // variant 10
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, word) in [high, low].enumerated() {
            for nibble in 0..<16 {
                if (index == 0 && (nibble == 8 || nibble == 12)) || (index == 1 && (nibble == 0 || nibble == 4)) {
                    text.append(UInt8(ascii: "-"))
                }
                text.append(digits[Int((word >> UInt64(60 - 4 * nibble)) & 0xF)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// One maintenance step, off the request path: follow moved aliases, then write the waiting log rows.
    /// - Returns: The alias changes seen (`MODEL@ALIAS: vOLD → vNEW`).
    /// - Throws: When the log cannot be written.
    @discardableResult
    public func maintain() async throws -> [String] {
        let changes = await models.refresh()
        if let log {
            let now = clock.now
            try await log.flush(at: now) { write in try await Self.inBackground(write) }
        }
        return changes
    }

    /// Runs blocking work (writing the log's files) on a thread of its own at a lower priority (nice 10): the
    /// concurrency pool, which has one thread per core, keeps answering requests meanwhile. (Flushing a second of
    /// 100-row requests on a pool thread held up every request queued behind it: a p99 of half a second.)
    static func inBackground<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let thread = Thread {
                #if os(Linux)
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)  // on Linux: this thread only
                #endif
                continuation.resume(with: Swift.Result { try work() })
            }
            thread.name = "kiln-prediction-log"
            thread.start()
        }
    }

    /// Refuses an id that is empty, longer than 200 characters or holds control characters (it ends up in CSV files).
    static func check(_ id: String) throws {
        guard !id.isEmpty, id.count <= 200, !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw PredictionError(.invalid, "request id '\(id.prefix(40))' must be 1–200 characters without control characters")
        }
    }
}
