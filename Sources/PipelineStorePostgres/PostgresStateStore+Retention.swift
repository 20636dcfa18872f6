public import PipelineEngine
public import PipelineModel
internal import PostgresNIO

// What a retention pass (`kiln gc`) reads and deletes.
extension PostgresStateStore {
    /// Finished runs that ended before `cutoff`, oldest first, with their task and log line counts.
    /// - Throws: ``PostgresStoreError``; ``StoredValueError``-like failures for a stored state that cannot be read.
    public func finishedRuns(before cutoff: Timestamp) async throws -> [FinishedRun] {
        let rows = try await database.rows(
            "list finished runs",
            """
            SELECT id, pipeline, state, COALESCE(finished_at, created_at) AS ended,
                (SELECT COUNT(*) FROM task_runs WHERE run_id = runs.id),
                (SELECT COUNT(*) FROM logs WHERE run_id = runs.id)
            FROM runs
            WHERE state IN ('succeeded', 'failed', 'cancelled') AND COALESCE(finished_at, created_at) < \(cutoff.nanosecondsSince1970)
            ORDER BY ended, id
            """)
        return try rows.map { row in
            let cells = row.makeRandomAccess()
            let state = try cells[2].decode(String.self)
            guard let parsed = RunState(rawValue: state) else {
                throw PostgresStoreError.statementFailed(
                    operation: "list finished runs", sqlState: "-", message: "runs.state holds '\(state)', not a run state")
            }
            return FinishedRun(
                id: RunID(rawValue: try cells[0].decode(String.self)), pipeline: try cells[1].decode(String.self),
                state: parsed, finishedAt: Timestamp(nanosecondsSince1970: try cells[3].decode(Int64.self)),
                tasks: Int(try cells[4].decode(Int64.self)), logLines: Int(try cells[5].decode(Int64.self)))
        }
    }

    /// The artifact references in the outputs of the tasks of every run not in `excluded`.
    /// - Throws: ``PostgresStoreError``.
    public func artifactReferences(excludingRuns excluded: Set<RunID>) async throws -> Set<String> {
        let rows = try await database.rows(
            "collect artifact references",
            "SELECT run_id, outputs FROM task_runs WHERE outputs LIKE '%sha256:%'")
        var references = Set<String>()
        for row in rows {
            let cells = row.makeRandomAccess()
            guard !excluded.contains(RunID(rawValue: try cells[0].decode(String.self))),
                let outputs = try cells[1].decode(String?.self)
            else { continue }
            ArtifactReference.scan(outputs, into: &references)
        }
        return references
    }

    /// Deletes the finished runs of `ids` with their task records and log lines (one transaction).
    /// - Throws: ``PostgresStoreError``.
    public func deleteFinishedRuns(_ ids: [RunID]) async throws -> RunDeletion {
        guard !ids.isEmpty else { return RunDeletion() }
        let logger = logger
        let names = ids.map(\.rawValue)
        return try await database.transaction("delete finished runs") { connection in
            // Lock the rows first: a run being resumed meanwhile (its state changing) is not deleted.
            let finished = try await connection.rows(
                """
                SELECT id FROM runs WHERE id = ANY(\(names)) AND state IN ('succeeded', 'failed', 'cancelled')
                FOR UPDATE
                """, logger: logger
            ).map { try $0.decode(String.self) }
            guard !finished.isEmpty else { return RunDeletion() }
            let logLines = try await connection.count(
                "DELETE FROM logs WHERE run_id = ANY(\(finished)) RETURNING 1", logger: logger)
            let tasks = try await connection.count(
                "DELETE FROM task_runs WHERE run_id = ANY(\(finished)) RETURNING 1", logger: logger)
            let runs = try await connection.count(
                "DELETE FROM runs WHERE id = ANY(\(finished)) RETURNING 1", logger: logger)
            return RunDeletion(runs: runs, tasks: tasks, logLines: logLines)
        }
    }
}
