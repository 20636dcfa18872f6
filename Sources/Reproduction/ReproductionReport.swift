public import PipelineEngine
public import PipelineModel

/// The outcome of rebuilding a registered version (``Reproducer/reproduce(_:useRecordedInputs:)``).
public struct ReproductionReport: Sendable {
    /// `model@version`.
    public var version: String
    /// The run that produced it.
    public var run: String
    /// Every task re-executed, in the pipeline's order, with how its outputs compare.
    public var tasks: [TaskComparison]
    /// The registered model file and the rebuilt one, when the rebuild got that far.
    public var model: (registered: String, rebuilt: String?)?
    /// The first divergence, explained; `nil` when the rebuild is identical.
    public var divergence: Divergence?
    /// The tasks downstream of the divergence whose outputs differ because of it.
    public var affected: [String]
    /// What the reproduction did besides re-running: inputs substituted, tasks not re-run.
    public var notes: [String]
    /// The seconds the reproduction took, when the caller measured it (the library reads no machine clock).
    public var seconds: Double?

    /// Creates a report.
    public init(
        version: String, run: String, tasks: [TaskComparison], model: (registered: String, rebuilt: String?)?,
        divergence: Divergence?, affected: [String], notes: [String], seconds: Double? = nil
    ) {
        self.version = version
        self.run = run
        self.tasks = tasks
        self.model = model
        self.divergence = divergence
        self.affected = affected
        self.notes = notes
        self.seconds = seconds
    }

    /// Whether every task's outputs and the model file are as recorded.
    public var identical: Bool { divergence == nil }

    /// How one task's outputs compare.
    public struct TaskComparison: Sendable, Hashable {
        /// The task.
        public var task: String
        /// `identical`, `differs`, `substituted` (recorded outputs used: `--use-recorded-inputs`) or `failed`.
        public var status: String
        /// The output keys whose values differ (or that only one side has), sorted.
        public var differing: [String]
    }

    /// The text report: `identical` or the divergence, then one line per task.
    public var text: String {
        var lines: [String] = []
        if let divergence {
            lines.append("\(version): not reproduced — \(divergence.summary)")
            lines += divergence.details.map { "  " + $0 }
            if !affected.isEmpty { lines.append("  affected downstream: \(affected.joined(separator: ", "))") }
        } else {
            lines.append("\(version): identical (run \(run) rebuilt, \(tasks.count) task\(tasks.count == 1 ? "" : "s") compared)")
        }
        if let seconds { lines.append("  took \(JSONValue.format((seconds * 100).rounded() / 100)) s") }
        if let model {
            lines.append("  model file: registered \(model.registered), rebuilt \(model.rebuilt ?? "—")")
        }
        for note in notes { lines.append("  note: \(note)") }
        for task in tasks {
            let keys = task.differing.isEmpty ? "" : " (\(task.differing.joined(separator: ", ")))"
            lines.append("  \(task.task): \(task.status)\(keys)")
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON document `kiln reproduce --json` prints.
    public var json: JSONValue {
        var document: [String: JSONValue] = [
            "version": .string(version), "run": .string(run), "identical": .bool(identical),
            "tasks": .array(tasks.map { task -> JSONValue in
                ["task": .string(task.task), "status": .string(task.status),
                 "differing": .array(task.differing.map(JSONValue.string))]
            }),
            "affected": .array(affected.map(JSONValue.string)), "notes": .array(notes.map(JSONValue.string)),
            "seconds": seconds.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
            "divergence": divergence?.json ?? .null,
        ]
        if let model {
            document["model"] = ["registered": .string(model.registered), "rebuilt": model.rebuilt.map(JSONValue.string) ?? .null]
        }
        return .object(document)
    }
}

/// Why a rebuild is not the same as the recorded run: the first task (in the pipeline's order) whose outputs differ
/// while everything it needs matched, and what explains it.
public enum Divergence: Sendable, Hashable {
    /// A file the task read changed since: its name, the recorded facts (`nil`: the run did not read it — a new file in
    /// a folder or glob) and the current ones (`nil`: gone), and the data rows that differ when the task's dataset
    /// output could be compared row by row.
    case inputChanged(task: String, file: String, recorded: FileFacts?, current: FileFacts?, rows: RowDifference?)
    /// A command task that named no file: what it read is unknown, so it is not reproducible by nature.
    case undeclaredInputs(task: String, keys: [String])
    /// The task ran on another Kiln version than this one, and its outputs differ.
    case kilnVersion(task: String, recorded: String, current: String, keys: [String])
    /// The task's kind is not registered in this process.
    case missingKind(task: String, kind: String)
    /// The task's record has no lineage (recorded before Kiln kept it): its outputs differ and nothing tells why.
    case noLineage(task: String, keys: [String])
    /// Same inputs, same Kiln, yet different outputs: the kind (or command) is not deterministic.
    case outputsDiffer(task: String, keys: [String], recorded: JSONValue, rebuilt: JSONValue)
    /// The task failed in the rebuild.
    case failed(task: String, error: String)
    /// Every task matched but the rebuilt model file is not the registered one.
    case modelDiffers(registered: String, rebuilt: String?)
    /// The run that produced the version is gone from the store.
    case runMissing(run: String)

    /// The task the divergence starts at, if one.
    public var task: String? {
        switch self {
        case .inputChanged(let task, _, _, _, _), .undeclaredInputs(let task, _), .kilnVersion(let task, _, _, _),
            .missingKind(let task, _), .noLineage(let task, _), .outputsDiffer(let task, _, _, _), .failed(let task, _):
            return task
        case .modelDiffers, .runMissing: return nil
        }
    }

    /// One line: what diverged where.
    public var summary: String {
        switch self {
        case .inputChanged(let task, let file, let recorded, let current, _):
            let what = recorded == nil ? "is new" : current == nil ? "is gone" : "changed"
            return "input file \(file) of task \(task) \(what) since the run"
        case .undeclaredInputs(let task, _):
            return "task \(task) is a command with no declared inputs, not reproducible by nature, and its outputs differ"
        case .kilnVersion(let task, let recorded, let current, _):
            return "task \(task) ran on Kiln \(recorded), this is Kiln \(current), and its outputs differ"
        case .missingKind(let task, let kind):
            return "task \(task) uses kind '\(kind)', which this kiln does not have"
        case .noLineage(let task, _):
            return "task \(task) was recorded before Kiln kept lineage, and its outputs differ"
        case .outputsDiffer(let task, let keys, _, _):
            return "task \(task) gave different outputs (\(keys.joined(separator: ", "))) from the same inputs"
        case .failed(let task, _):
            return "task \(task) failed in the rebuild"
        case .modelDiffers:
            return "the rebuilt model file is not the registered one"
        case .runMissing(let run):
            return "run \(run) that produced it is no longer in this home"
        }
    }

    /// Further lines: digests, rows, values, and how to go on.
    public var details: [String] {
        switch self {
        case .inputChanged(_, _, let recorded, let current, let rows):
            var lines = ["recorded \(recorded.map { "\($0.digest) (\(Self.size($0)))" } ?? "not read by the run")",
                         "current  \(current.map { "\($0.digest) (\(Self.size($0)))" } ?? "no such file")"]
            if let rows { lines.append(rows.description) }
            lines.append("to rebuild from the data as it was, run with --use-recorded-inputs")
            return lines
        case .undeclaredInputs(_, let keys):
            return ["outputs that differ: \(keys.joined(separator: ", "))",
                    "name the files it reads in its arguments (or pass them as ${{ }} values) so Kiln records them"]
        case .kilnVersion(_, _, _, let keys), .noLineage(_, let keys):
            return ["outputs that differ: \(keys.joined(separator: ", "))"]
        case .outputsDiffer(_, _, let recorded, let rebuilt):
            return ["recorded \(recorded.compactJSON)", "rebuilt  \(rebuilt.compactJSON)"]
        case .missingKind:
            return ["run it with the kiln (or the Swift program) that registers the kind"]
        case .failed(_, let error):
            return [error]
        case .modelDiffers(let registered, let rebuilt):
            return ["registered \(registered)", "rebuilt    \(rebuilt ?? "no task output holds the registered file")"]
        case .runMissing:
            return []
        }
    }

    /// `{"kind", "task", "summary", "details", …}`.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "task": task.map(JSONValue.string) ?? .null, "summary": .string(summary),
            "details": .array(details.map(JSONValue.string)),
        ]
        switch self {
        case .inputChanged(_, let file, let recorded, let current, let rows):
            members["kind"] = "input_changed"
            members["file"] = .string(file)
            members["recorded"] = recorded?.json ?? .null
            members["current"] = current?.json ?? .null
            members["rows"] = rows?.json ?? .null
        case .undeclaredInputs: members["kind"] = "undeclared_inputs"
        case .kilnVersion(_, let recorded, let current, _):
            members["kind"] = "kiln_version"
            members["recorded"] = .string(recorded)
            members["current"] = .string(current)
        case .missingKind(_, let kind):
            members["kind"] = "missing_kind"
            members["task_kind"] = .string(kind)
        case .noLineage: members["kind"] = "no_lineage"
        case .outputsDiffer: members["kind"] = "outputs_differ"
        case .failed: members["kind"] = "failed"
        case .modelDiffers: members["kind"] = "model_differs"
        case .runMissing: members["kind"] = "run_missing"
        }
        return .object(members)
    }

    private static func size(_ facts: FileFacts) -> String {
        "\(facts.bytes) bytes" + (facts.rows.map { ", \($0) rows" } ?? "")
    }
}

/// Which data rows of a dataset differ between the recorded run and the rebuild.
public struct RowDifference: Sendable, Hashable, CustomStringConvertible {
    /// Rows then and now.
    public var recordedRows: Int
    /// Rows now.
    public var currentRows: Int
    /// The first differing rows (1-based data rows, the header not counted), at most ``RowDifference/shown``.
    public var rows: [Int]
    /// How many rows differ in all (rows only one side has included).
    public var count: Int
    /// For the first differing row, the columns that differ as `column: then → now`.
    public var firstRow: [String]

    /// The most rows listed.
    public static let shown = 10

    /// Creates a difference.
    public init(recordedRows: Int, currentRows: Int, rows: [Int], count: Int, firstRow: [String]) {
        self.recordedRows = recordedRows
        self.currentRows = currentRows
        self.rows = rows
        self.count = count
        self.firstRow = firstRow
    }

    /// `rows: 20000 then, 20000 now; 1 row differs: row 17 (amount: 12.5 → 13)`.
    public var description: String {
        var text = "rows: \(recordedRows) then, \(currentRows) now"
        guard count > 0 else { return text + "; every row is the same" }
        text += "; \(count) row\(count == 1 ? " differs" : "s differ"): row\(rows.count == 1 ? "" : "s") "
            + rows.map(String.init).joined(separator: ", ") + (count > rows.count ? ", …" : "")
        if !firstRow.isEmpty { text += " (row \(rows[0]): \(firstRow.joined(separator: ", ")))" }
        return text
    }

    /// `{"recorded_rows", "current_rows", "rows", "count", "first_row"}`.
    public var json: JSONValue {
        ["recorded_rows": .number(Double(recordedRows)), "current_rows": .number(Double(currentRows)),
         "rows": .array(rows.map { .number(Double($0)) }), "count": .number(Double(count)),
         "first_row": .array(firstRow.map(JSONValue.string))]
    }
}
