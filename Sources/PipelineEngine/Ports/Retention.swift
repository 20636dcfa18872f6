public import PipelineModel

/// A finished run as a retention pass sees it (``StateStore/finishedRuns(before:)``).
public struct FinishedRun: Sendable, Hashable {
    /// The run.
    public var id: RunID
    /// Its pipeline.
    public var pipeline: String
    /// `succeeded`, `failed` or `cancelled`.
    public var state: RunState
    /// When it ended (its creation time when no end was recorded).
    public var finishedAt: Timestamp
    /// How many task records it has.
    public var tasks: Int
    /// How many log lines it has.
    public var logLines: Int

    /// Creates a summary.
    public init(id: RunID, pipeline: String, state: RunState, finishedAt: Timestamp, tasks: Int, logLines: Int) {
        self.id = id
        self.pipeline = pipeline
        self.state = state
        self.finishedAt = finishedAt
        self.tasks = tasks
        self.logLines = logLines
    }
}

/// What ``StateStore/deleteFinishedRuns(_:)`` removed.
public struct RunDeletion: Sendable, Hashable {
    /// Runs deleted.
    public var runs: Int
    /// Their task records.
    public var tasks: Int
    /// Their log lines.
    public var logLines: Int

    /// Creates a count.
    public init(runs: Int = 0, tasks: Int = 0, logLines: Int = 0) {
        self.runs = runs
        self.tasks = tasks
        self.logLines = logLines
    }
}

extension ArtifactReference {
    /// Every artifact reference (`sha256:` and 64 lowercase hex digits) written anywhere in `text` — the stored
    /// JSON of task outputs, say — added to `references`. Text that merely mentions a reference counts too: a
    /// retention pass keeps what it cannot rule out.
    public static func scan(_ text: String, into references: inout Set<String>) {
        let bytes = Array(text.utf8)
        let marker = Array("sha256:".utf8)
        var index = 0
        while index + 71 <= bytes.count {
            guard bytes[index] == marker[0], bytes[index..<index + 7].elementsEqual(marker) else {
                index += 1
                continue
            }
            let digits = bytes[index + 7..<index + 71]
            if digits.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) {
                references.insert(String(decoding: bytes[index..<index + 71], as: UTF8.self))
                index += 71
            } else {
                index += 7
            }
        }
    }
}
