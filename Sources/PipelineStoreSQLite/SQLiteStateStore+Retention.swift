internal import GRDB
public import PipelineEngine
public import PipelineModel

// What a retention pass (`kiln gc`) reads and deletes.
extension SQLiteStateStore {
    /// Finished runs that ended before `cutoff`, oldest first, with their task and log line counts.
    /// - Throws: ``StoredValueError`` for a stored state that cannot be read; a database error.
    public func finishedRuns(before cutoff: Timestamp) async throws -> [FinishedRun] {
        try await writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, pipeline, state, COALESCE(finished_at, created_at) AS ended,
                    (SELECT COUNT(*) FROM task_runs WHERE run_id = runs.id) AS tasks,
                    (SELECT COUNT(*) FROM logs WHERE run_id = runs.id) AS lines
                FROM runs
                WHERE state IN ('succeeded', 'failed', 'cancelled') AND COALESCE(finished_at, created_at) < ?
                ORDER BY ended, id
                """, arguments: [cutoff.nanosecondsSince1970])
            return try rows.map { row in
                let state = try Self.enumValue(RunState.self, text: row["state"], "runs.state")
                return FinishedRun(
                    id: RunID(rawValue: row["id"]), pipeline: row["pipeline"], state: state,
                    finishedAt: Timestamp(nanosecondsSince1970: row["ended"]), tasks: row["tasks"], logLines: row["lines"])
            }
        }
    }

    /// The artifact references in the outputs of the tasks of every run not in `excluded`.
    /// - Throws: A database error.
    public func artifactReferences(excludingRuns excluded: Set<RunID>) async throws -> Set<String> {
        try await writer.read { db in
            var references = Set<String>()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT run_id, outputs FROM task_runs WHERE outputs LIKE '%sha256:%'")
            while let row = try rows.next() {
                guard !excluded.contains(RunID(rawValue: row["run_id"])), let outputs: String = row["outputs"] else { continue }
                ArtifactReference.scan(outputs, into: &references)
            }
            return references
        }
    }

    /// Deletes the finished runs of `ids` with their task records and log lines (one transaction).
    /// - Throws: A database error.
    public func deleteFinishedRuns(_ ids: [RunID]) async throws -> RunDeletion {
        guard !ids.isEmpty else { return RunDeletion() }
        return try await writer.writeRetryingWhileBusy { db in
            var deletion = RunDeletion()
            for id in ids {
                let finished = try Bool.fetchOne(
                    db, sql: "SELECT state IN ('succeeded', 'failed', 'cancelled') FROM runs WHERE id = ?",
                    arguments: [id.rawValue]) ?? false
                guard finished else { continue }
                deletion.tasks += try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM task_runs WHERE run_id = ?", arguments: [id.rawValue]) ?? 0
                deletion.logLines += try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM logs WHERE run_id = ?", arguments: [id.rawValue]) ?? 0
                try db.execute(sql: "DELETE FROM logs WHERE run_id = ?", arguments: [id.rawValue])
                try db.execute(sql: "DELETE FROM task_runs WHERE run_id = ?", arguments: [id.rawValue])
                try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id.rawValue])
                deletion.runs += 1
            }
            return deletion
        }
    }
}
