internal import Logging
internal import PostgresNIO

/// The PostgreSQL schema, as an append-only list of numbered SQL migrations recorded in `kiln_schema_migrations`.
///
/// Rules (as for the SQLite schema): a shipped migration is never edited, a change is a new number; table and column
/// names and stored values are a contract. The tables mirror SQLite's, with these value conventions:
/// - Timestamps are `BIGINT` nanoseconds since 1970-01-01T00:00:00Z (`timestamptz` keeps only microseconds, and
///   records must read back exactly as written).
/// - JSON columns are `TEXT` holding compact JSON with sorted keys, the same text SQLite stores: kiln never queries
///   inside them, TEXT keeps the bytes as written (`jsonb` reorders and re-formats, and refuses `\u0000`), and a
///   later migration can convert a column with `USING column::jsonb` once a query needs it.
/// - Integers are `BIGINT`; booleans `BOOLEAN`; metric values `DOUBLE PRECISION`.
/// - Text columns use the `"C"` collation: compared and sorted by bytes, as SQLite does, whatever the database's
///   locale (id prefixes, the order of runs with equal times, models by name).
/// - `seq` identity columns give the write order SQLite's `rowid` gives (task records, log lines, alias moves,
///   intents, metric pushes).
enum PostgresSchema {
    /// One migration: its number and the statements that apply it.
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// Every migration, in order. Numbers are consecutive from 1.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "state-and-registry", statements: v1),
        Migration(version: 2, name: "task-lineage", statements: v2),
        Migration(version: 3, name: "scheduler-leases", statements: v3),
        Migration(version: 4, name: "task-queue", statements: v4),
        Migration(version: 5, name: "replay-safe-writes", statements: v5),
        Migration(version: 6, name: "task-revisions", statements: v6),
        Migration(version: 7, name: "queue-claim-index", statements: v7),
    ]

    /// The newest schema version this binary knows.
    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The key of the advisory lock that serializes migrations of every kiln schema in the database.
    static let migrationLockKey: Int64 = 0x6B696C6E_00000001  // "kiln", 1

    /// Brings the schema up to date on `connection`, in one transaction holding the migration lock.
    ///
    /// - Throws: ``PostgresStoreError/newerSchema(found:known:)`` when the database has a migration this binary lacks;
    ///   the driver's error when a statement fails (the transaction rolls back: nothing is half-applied).
    static func migrate(_ connection: PostgresConnection, schema: String?, logger: Logger) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.run("SELECT pg_advisory_xact_lock(\(migrationLockKey))", logger: logger)
            if let schema {
                // A checked plain identifier (PostgresStoreConfiguration.isPlainIdentifier): safe to quote as a name.
                precondition(PostgresStoreConfiguration.isPlainIdentifier(schema))
                try await connection.run(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
            }
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS kiln_schema_migrations (
                    version BIGINT NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let applied = try await connection.rows("SELECT COALESCE(MAX(version), 0) FROM kiln_schema_migrations", logger: logger)
            let current = try applied.first?.decode(Int.self) ?? 0
            guard current <= latestVersion else {
                throw PostgresStoreError.newerSchema(found: current, known: latestVersion)
            }
            for migration in migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run(
                    "INSERT INTO kiln_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// As SQLite's `v6-scheduler-leases`: `name` `triggers` is the right to evaluate triggers.
    static let v3: [String] = [
        """
        CREATE TABLE scheduler_leases (
            name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            owner TEXT COLLATE "C" NOT NULL,
            acquired_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """,
    ]

    /// What each successful task depended on, for `kiln reproduce`: `task_runs.lineage`, the same compact JSON as
    /// SQLite's column (see `TaskLineage`), `NULL` until the task succeeds and for rows written before.
    static let v2: [String] = [
        "ALTER TABLE task_runs ADD COLUMN lineage TEXT COLLATE \"C\"",
    ]

    /// Attempts handed to workers and the process groups of lapsed claims: SQLite's `v7-task-queue` (same columns
    /// and values; `id` and `token` as there).
    /// Retries after a lost `COMMIT` reply change nothing: `runs.last_batch` is the id of the last batch applied to
    /// the run (a batch committed again with it is skipped), and one queue row per attempt at most (a replayed
    /// enqueue inserts nothing).
    static let v5: [String] = [
        "ALTER TABLE runs ADD COLUMN last_batch TEXT COLLATE \"C\"",
        "CREATE UNIQUE INDEX task_queue_attempt ON task_queue (run_id, task_id, attempt)",
    ]

    /// What changed in a run since a look at it (`StateStore.tasks(of:changedAfter:)`; SQLite keeps no revisions):
    /// `runs.revision` grows by one with each commit that writes one of the run's tasks (the update locks the run's
    /// row, so revisions follow the order of commits); `task_runs.revision` is the run's revision when the row was
    /// last written, 0 for a row written when the run was created or before this migration.
    static let v6: [String] = [
        "ALTER TABLE runs ADD COLUMN revision BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE task_runs ADD COLUMN revision BIGINT NOT NULL DEFAULT 0",
    ]

    /// Queued attempts in claim order, in an index of them alone. `task_queue_state (state, id)` held every row, and
    /// its statistics (a queue table is mostly empty when analyzed) led the planner to a bitmap scan of all queued
    /// rows and a sort for each claim, and of all claimed rows for each stored result: work that grew with the queue.
    static let v7: [String] = [
        "DROP INDEX task_queue_state",
        "CREATE INDEX task_queue_queued ON task_queue (id) WHERE state = 'queued'",
    ]

    static let v4: [String] = [
        """
        CREATE TABLE task_queue (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            run_id TEXT COLLATE "C" NOT NULL,
            epoch BIGINT NOT NULL,
            task_id TEXT COLLATE "C" NOT NULL,
            attempt BIGINT NOT NULL,
            labels TEXT COLLATE "C" NOT NULL,
            work TEXT COLLATE "C" NOT NULL,
            queued_at BIGINT NOT NULL,
            state TEXT COLLATE "C" NOT NULL,
            token BIGINT NOT NULL DEFAULT 0,
            worker TEXT COLLATE "C",
            host TEXT COLLATE "C",
            expires_at BIGINT,
            process TEXT COLLATE "C",
            result TEXT COLLATE "C"
        )
        """,
        "CREATE INDEX task_queue_state ON task_queue (state, id)",
        "CREATE INDEX task_queue_run ON task_queue (run_id, state)",
        "CREATE TABLE task_queue_orphans (host TEXT COLLATE \"C\" NOT NULL, process TEXT COLLATE \"C\" NOT NULL)",
    ]

    /// Runs, tasks, logs, cache, leases, trigger state, the registry, deployments and metrics: SQLite's `v1` to
    /// `v4-deployments` in one step.
    static let v1: [String] = [
        """
        CREATE TABLE runs (
            id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            pipeline TEXT COLLATE "C" NOT NULL,
            state TEXT COLLATE "C" NOT NULL,
            params TEXT COLLATE "C" NOT NULL,
            snapshot TEXT COLLATE "C" NOT NULL,
            base_directory TEXT COLLATE "C" NOT NULL,
            "trigger" TEXT COLLATE "C",
            created_at BIGINT NOT NULL,
            started_at BIGINT,
            finished_at BIGINT,
            error TEXT COLLATE "C",
            idempotency_key TEXT COLLATE "C",
            lease_owner TEXT COLLATE "C",
            lease_epoch BIGINT NOT NULL DEFAULT 0,
            lease_acquired_at BIGINT,
            lease_heartbeat_at BIGINT,
            lease_expires_at BIGINT,
            CONSTRAINT runs_idempotency_key UNIQUE (idempotency_key)
        )
        """,
        "CREATE INDEX runs_pipeline_created_at ON runs (pipeline, created_at)",
        """
        CREATE TABLE task_runs (
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            task_id TEXT COLLATE "C" NOT NULL,
            state TEXT COLLATE "C" NOT NULL,
            attempts BIGINT NOT NULL,
            outputs TEXT COLLATE "C",
            error TEXT COLLATE "C",
            cache_key TEXT COLLATE "C",
            cache_note TEXT COLLATE "C",
            started_at BIGINT,
            finished_at BIGINT,
            retry_at BIGINT,
            deadline_at BIGINT,
            decision TEXT COLLATE "C",
            process TEXT COLLATE "C",
            PRIMARY KEY (run_id, task_id)
        )
        """,
        """
        CREATE TABLE logs (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            task_id TEXT COLLATE "C" NOT NULL,
            attempt BIGINT NOT NULL,
            stream TEXT COLLATE "C" NOT NULL,
            text TEXT COLLATE "C" NOT NULL,
            at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX logs_run_task_attempt ON logs (run_id, task_id, attempt)",
        """
        CREATE TABLE cache_entries (
            key TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            pipeline TEXT COLLATE "C" NOT NULL,
            task_id TEXT COLLATE "C" NOT NULL,
            run_id TEXT COLLATE "C" NOT NULL,
            outputs TEXT COLLATE "C" NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT
        )
        """,
        "CREATE INDEX cache_entries_task_id ON cache_entries (task_id)",
        """
        CREATE TABLE trigger_state (
            pipeline TEXT COLLATE "C" NOT NULL,
            rule TEXT COLLATE "C" NOT NULL,
            last_fire_at BIGINT,
            mark BIGINT,
            queued TEXT COLLATE "C",
            PRIMARY KEY (pipeline, rule)
        )
        """,
        """
        CREATE TABLE models (
            name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE model_versions (
            model TEXT COLLATE "C" NOT NULL REFERENCES models (name),
            version BIGINT NOT NULL,
            idempotency_key TEXT COLLATE "C" NOT NULL,
            metrics TEXT COLLATE "C" NOT NULL,
            params TEXT COLLATE "C" NOT NULL,
            artifact TEXT COLLATE "C" NOT NULL,
            data_fingerprint TEXT COLLATE "C" NOT NULL,
            run_id TEXT COLLATE "C" NOT NULL,
            pipeline TEXT COLLATE "C" NOT NULL,
            task_id TEXT COLLATE "C" NOT NULL,
            code_version TEXT COLLATE "C",
            upstream TEXT COLLATE "C" NOT NULL,
            created_at BIGINT NOT NULL,
            CONSTRAINT model_versions_idempotency_key UNIQUE (idempotency_key),
            PRIMARY KEY (model, version)
        )
        """,
        """
        CREATE TABLE aliases (
            model TEXT COLLATE "C" NOT NULL,
            alias TEXT COLLATE "C" NOT NULL,
            version BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (model, alias),
            FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
        )
        """,
        """
        CREATE TABLE alias_history (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            model TEXT COLLATE "C" NOT NULL REFERENCES models (name),
            alias TEXT COLLATE "C" NOT NULL,
            from_version BIGINT,
            to_version BIGINT,
            at BIGINT NOT NULL,
            reason TEXT COLLATE "C",
            actor TEXT COLLATE "C" NOT NULL
        )
        """,
        "CREATE INDEX alias_history_model_seq ON alias_history (model, seq)",
        """
        CREATE TABLE model_metrics (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            model TEXT COLLATE "C" NOT NULL,
            version BIGINT NOT NULL,
            metric TEXT COLLATE "C" NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX model_metrics_model_metric_at ON model_metrics (model, metric, at)",
        """
        CREATE TABLE deployments (
            model TEXT COLLATE "C" NOT NULL,
            alias TEXT COLLATE "C" NOT NULL,
            export_path TEXT COLLATE "C" NOT NULL,
            version BIGINT,
            at BIGINT NOT NULL,
            actor TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (model, alias)
        )
        """,
        """
        CREATE TABLE deployment_intents (
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            model TEXT COLLATE "C" NOT NULL,
            alias TEXT COLLATE "C" NOT NULL,
            from_version BIGINT,
            to_version BIGINT NOT NULL,
            export_path TEXT COLLATE "C",
            staged_path TEXT COLLATE "C",
            backup_path TEXT COLLATE "C",
            had_previous_file BOOLEAN NOT NULL,
            owner_pid BIGINT NOT NULL,
            owner_start BIGINT,
            actor TEXT COLLATE "C" NOT NULL,
            started_at BIGINT NOT NULL,
            state TEXT COLLATE "C" NOT NULL,
            CONSTRAINT deployment_intents_export_path UNIQUE (export_path),
            CONSTRAINT deployment_intents_model_alias UNIQUE (model, alias)
        )
        """,
    ]
}
