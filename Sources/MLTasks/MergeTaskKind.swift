import Foundation
public import PipelineEngine
public import PipelineModel
import Tabular

/// The kind `merge`: combines several datasets into one.
///
/// Inputs: `frames` (list of datasets, at least one), `on` (optional join key), `how` (`inner` default, or
/// `left`; only with `on`). With `on`: the frames are joined in order on the key. Without it: their columns are
/// placed side by side (equal row counts); a column that appears in several frames with identical values is kept
/// once, with different values it is an error.
/// Outputs: `data` (artifact reference), `rows`, `columns`.
public struct MergeTaskKind: TaskKind {
    /// `"merge"`.
    public let name = "merge"

    /// Creates the kind.
    public init() {}

    /// Merges and stores the result.
    /// - Throws: ``TaskFailure`` saying what to fix.
    public func run(_ context: TaskContext) async throws -> [String: JSONValue] {
        let inputs = try TaskInputs(kind: name, context.inputs, allowed: ["frames", "on", "how"])
        guard let refs = try inputs.optionalStringList("frames"), !refs.isEmpty else {
            throw inputs.failure("missing input 'frames'; give a list of datasets, e.g. "
                + "[\"${{ tasks.a.outputs.data }}\", \"${{ tasks.b.outputs.data }}\"]")
        }
        var frames: [DataFrame] = []
        for (index, ref) in refs.enumerated() {
            frames.append(try await Datasets.load(ref, artifacts: context.artifacts, workingDirectory: context.workingDirectory,
                                                  what: "merge: frames[\(index)]"))
        }
        let key = try inputs.optionalString("on")
        let how = try inputs.optionalString("how") ?? "inner"
        guard let kind = JoinKind(rawValue: how) else { throw inputs.failure("'how' must be inner or left, got '\(how)'") }
        var merged = frames[0]
        for (index, frame) in frames.enumerated().dropFirst() {
            do {
                if let key {
                    merged = try merged.joined(with: frame, on: key, kind: kind)
                } else {
                    merged = try Self.besides(merged, frame, index: index)
                }
            } catch let error as TaskFailure {
                throw error
            } catch {
                throw inputs.failure("cannot merge frames[\(index)]: \(error)")
            }
        }
        let reference = try await Datasets.store(merged, artifacts: context.artifacts, what: name)
        return DatasetOutputs.describe(merged, reference: reference)
    }

    private static func besides(_ left: DataFrame, _ right: DataFrame, index: Int) throws -> DataFrame {
        guard left.rowCount == right.rowCount else {
            throw TaskFailure("merge: frames[\(index)] has \(right.rowCount) rows but the frames before it have "
                + "\(left.rowCount); without `on:` the frames must describe the same rows — give a join key with `on:`")
        }
        var result = left
        for column in right.columns {
            if let existing = left[column.name] {
                guard existing == column else {
                    throw TaskFailure("merge: column '\(column.name)' appears in frames[\(index)] and an earlier frame with "
                        + "different values; rename or drop one of them, or join with `on:`")
                }
                continue
            }
            try result.addColumn(column)
        }
        return result
    }
}
