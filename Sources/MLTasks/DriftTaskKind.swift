import DriftStatistics
public import PipelineEngine
public import PipelineModel

/// The kind `drift`: per-column data drift of `current` against `reference` (see ``DriftComparison``).
///
/// Inputs: `reference`, `current` (datasets), `columns` (optional list; default every reference column), `method`
/// (optional: `ks`, `chisquare`, `psi`, `wasserstein`, `jensenshannon`), `threshold` (optional per-column
/// threshold), `share` (share of drifted columns for dataset drift, default 0.5).
/// Outputs: `columns` (per column: `method`, `value`, `drifted`, and `p_value` for KS / chi-squared),
/// `drift_share`, `dataset_drift`, `drifted_columns` (list).
public struct DriftTaskKind: TaskKind {
    /// `"drift"`.
    public let name = "drift"

    let readers: DataReaders

    /// Creates the kind.
    /// - Parameter readers: Its ``DataReaders/limits`` bound the bytes read per file.
    public init(readers: DataReaders = DataReaders()) { self.readers = readers }

    /// Compares the datasets.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs,
                                    allowed: ["reference", "current", "columns", "method", "threshold", "share"])
        let referenceRef = try inputs.string("reference", hint: "the reference dataset, e.g. the training data")
        let currentRef = try inputs.string("current", hint: "the new dataset")
        let reference = try await Datasets.load(referenceRef, artifacts: context.artifacts,
                                          workingDirectory: context.workingDirectory, what: "drift: input 'reference'",
                                                limits: readers.limits)
        let current = try await Datasets.load(currentRef, artifacts: context.artifacts,
                                        workingDirectory: context.workingDirectory, what: "drift: input 'current'",
                                              limits: readers.limits)
        let report: DatasetDriftReport
        do {
            let columns = try inputs.optionalStringList("columns")
            let method = try inputs.optionalString("method").map(DriftComparison.method(named:))
            let threshold = try inputs.optionalNumber("threshold"), share = try inputs.optionalNumber("share")
            report = try await Offload.run { flag in
                try DriftComparison.compare(reference: reference, current: current, columns: columns, method: method,
                                            threshold: threshold, share: share, shouldStop: flag.check)
            }
        } catch let error as DriftComparisonError {
            throw inputs.failure(error.message)
        }
        context.log("\(report.driftedCount) of \(report.columns.count) columns drifted; dataset drift: \(report.datasetDrift)")
        return DriftComparison.summary(report)
    }
}
