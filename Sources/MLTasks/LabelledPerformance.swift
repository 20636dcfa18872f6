import Foundation
public import ModelRegistry
public import PipelineEngine
public import PipelineModel
public import PipelineScheduler
public import Tabular

/// Measures a production model on newly labelled rows for `performance:` rules with `data:`: the rows of the files
/// under `data` modified in the window (or, with `time_column`, the rows whose time falls in it) are scored with the
/// version and measured as the `evaluate` kind does, at the version's registered `threshold` metric (0.5 without).
///
/// Give it to the trigger daemon's inputs (`StoreTriggerInputs(…, performance: LabelledPerformance(…))`).
public struct LabelledPerformance: PerformanceEvaluator {
    let registry: ModelRegistryService
    let artifacts: any ArtifactStore
    let runs: (any StateStore)?
    let limits: DataLimits
    let home: String?

    /// Creates the evaluator.
    /// - Parameters:
    ///   - registry: Where the version and its model file reference are found.
    ///   - artifacts: Where the model file is.
    ///   - runs: The run records, to recompute feature columns the rows lack from the version's lineage
    ///     (``LineageFeatures``); `nil` = the rows must have every model column.
    ///   - limits: The most bytes one data file may have.
    ///   - home: The home folder, where `predictions:NAME` and `feedback:NAME` data is (``MonitoringData``);
    ///     `nil` = those names are read as paths.
    public init(
        registry: ModelRegistryService, artifacts: any ArtifactStore, runs: (any StateStore)? = nil,
        limits: DataLimits = .default, home: String? = nil
    ) {
        self.home = home
        self.registry = registry
        self.artifacts = artifacts
        self.runs = runs
        self.limits = limits
    }

    /// The metric on the rows that arrived in the window; 0 rows when none did.
    /// - Throws: ``TaskFailure`` naming the file, column or metric at fault.
    public func measure(
        _ rule: PerformanceRule, version: Int, baseDirectory: String, at: Timestamp
    ) async throws -> LabelledMeasurement {
        guard let data = rule.data.map({ MonitoringData.resolve($0, home: home) }) else { throw TaskFailure("performance: the rule has no data: to measure on") }
        let window = try DurationText.parse(rule.window)
        let from = at.adding(.zero - window)
        let record = try await registry.resolve(ModelReference(model: rule.model, selector: .version(version)))
        let model = try await ModelEvaluation.loadModel(record.artifact, artifacts: artifacts, workingDirectory: baseDirectory,
                                                  kind: "performance")
        let found = try await Self.rows(in: data, from: from, through: at, timeColumn: rule.timeColumn,
                                        baseDirectory: baseDirectory, limits: limits)
        guard let rows = found, rows.rowCount > 0 else { return LabelledMeasurement(value: .nan, rows: 0) }
        let frame = try await LineageFeatures.complete(rows, for: record, model: model, runs: runs, artifacts: artifacts)
        let threshold = record.metrics["threshold"] ?? 0.5
        let metrics = try await Offload.run { () throws -> [String: Double] in
            let labels = try LabelValues.read(frame, label: model.label, kind: "performance")
            let scores: [Double]
            do {
                scores = try model.score(frame)
            } catch {
                throw TaskFailure("performance: cannot score \(data) with \(record.reference): \(error)")
            }
            return try ModelEvaluation.measure(labels: labels, scores: scores, threshold: .fixed(threshold))
        }
        guard let value = metrics[rule.metric] else {
            throw TaskFailure("performance: \(rule.metric) is undefined on these \(frame.rowCount) rows (it needs both "
                + "classes of \(model.label)); measured: " + metrics.keys.sorted().joined(separator: ", "))
        }
        return LabelledMeasurement(value: value, rows: frame.rowCount)
    }

    /// The rows of the CSV files `data` names that fall in `(from, through]`: whole files by modification time, or
    /// rows by `timeColumn` (ISO 8601 text, or seconds since 1970). `nil` when none.
    /// - Throws: ``TaskFailure`` for a missing path, an unreadable file, or a bad time column.
    static func rows(
        in data: String, from: Timestamp, through: Timestamp, timeColumn: String?, baseDirectory: String,
        limits: DataLimits
    ) async throws -> DataFrame? {
        let path = Datasets.resolve(data, workingDirectory: baseDirectory)
        let files: [String]
        do {
            files = try CSVReader.files(matching: path)
        } catch {
            throw TaskFailure("performance: cannot read labelled data \(data) (looked at \(path)): \(error)")
        }
        let chosen = timeColumn != nil ? files : files.filter { file in
            guard let modified = try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date
            else { return false }
            let time = Timestamp(millisecondsSince1970: Int64((modified.timeIntervalSince1970 * 1000).rounded(.down)))
            return time > from && time <= through
        }
        var frames: [DataFrame] = []
        for file in chosen {
            var frame = try await Datasets.load(file, artifacts: nil, workingDirectory: baseDirectory,
                                                what: "performance: labelled data", limits: limits)
            if let timeColumn { frame = try Self.filter(frame, file: file, timeColumn: timeColumn, from: from, through: through) }
            if frame.rowCount > 0 { frames.append(frame) }
        }
        guard !frames.isEmpty else { return nil }
        do {
            return try DataFrame.concatRows(frames)
        } catch {
            throw TaskFailure("performance: the labelled files under \(data) do not share their columns: \(error)")
        }
    }

    /// The rows of `frame` whose `timeColumn` is in `(from, through]`.
    static func filter(_ frame: DataFrame, file: String, timeColumn: String, from: Timestamp, through: Timestamp) throws -> DataFrame {
        guard let column = frame[timeColumn] else {
            throw TaskFailure("performance: \(file) has no time_column '\(timeColumn)'; columns are: "
                + frame.columnNames.joined(separator: ", "))
        }
        var mask = [Bool](repeating: false, count: frame.rowCount)
        for row in 0..<frame.rowCount where !column.isNull(at: row) {
            let time: Timestamp?
            switch column[row] {
            case .int(let seconds): time = Timestamp(millisecondsSince1970: Int64(seconds) * 1000)
            case .double(let seconds): time = seconds.isFinite && abs(seconds) < 9e12
                ? Timestamp(millisecondsSince1970: Int64((seconds * 1000).rounded(.down))) : nil
            case .string(let text): time = try? Timestamp.parse(text)
            default: time = nil
            }
            guard let time else {
                throw TaskFailure("performance: \(file) row \(row + 1): time_column '\(timeColumn)' holds "
                    + "\(column[row]), which is neither ISO 8601 time (2026-12-01T09:30:00Z) nor seconds since 1970")
            }
            mask[row] = time > from && time <= through
        }
        return try frame.filtering(mask: mask)
    }
}
