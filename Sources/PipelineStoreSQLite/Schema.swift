internal import GRDB

/// The database schema, as an append-only list of SQL migrations.
///
/// Rules: a migration that has shipped is never edited (add `v2`, `v3`, … instead); migrations are plain SQL
/// and never derive from the Swift record types; table names, column names and the stored raw values
/// (`RunState`, `TaskState`, `LogStream` raw values, nanosecond timestamps, compact JSON) are a contract.
///
/// Value conventions:
/// - Timestamps are `INTEGER` nanoseconds since 1970-01-01T00:00:00Z (UTC).
/// - JSON columns hold compact UTF-8 JSON text with sorted object keys.
/// - `runs.snapshot` holds the pipeline's `Codable` form (the same JSON the model encodes).
/// - Version numbers and alias targets are `INTEGER`s from 1; a missing version (an alias created or removed)
///   is `NULL` in `alias_history`.
enum Schema {
    /// Every migration, in the order applied: append-only, its identifier recorded in `grdb_migrations`.
    static let migrations: [(identifier: String, sql: String)] = [
        ("v1", v1),
        ("v2-task-decisions", v2TaskDecisions),
        ("v2-registry", v2Registry),
        ("v3-scheduler", v3Scheduler),
        ("v4-run-leases", v4RunLeases),
        ("v4-deployments", v4Deployments),
        ("v5-task-lineage", v5TaskLineage),
        ("v6-scheduler-leases", v6SchedulerLeases),
        ("v7-task-queue", v7TaskQueue),
        ("v8-replay-safe-writes", v8ReplaySafeWrites),
    ]

    /// The migrator that brings any older database up to date.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (identifier, sql) in migrations {
            migrator.registerMigration(identifier) { db in try db.execute(sql: sql) }
        }
        return migrator
    }

    /// Runs, task states, logs and the result cache.
    static let v1 = """
        CREATE TABLE runs (
            id TEXT NOT NULL PRIMARY KEY,
            pipeline TEXT NOT NULL,
            state TEXT NOT NULL,
            params TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            base_directory TEXT NOT NULL,
            "trigger" TEXT,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            error TEXT
        );
        CREATE INDEX runs_pipeline_created_at ON runs (pipeline, created_at);

        CREATE TABLE task_runs (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            task_id TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            outputs TEXT,
            error TEXT,
            cache_key TEXT,
            cache_note TEXT,
            started_at INTEGER,
            finished_at INTEGER,
            retry_at INTEGER,
            PRIMARY KEY (run_id, task_id)
        );

        CREATE TABLE logs (
            seq INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            task_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            stream TEXT NOT NULL,
            text TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX logs_run_task_attempt ON logs (run_id, task_id, attempt);

        CREATE TABLE cache_entries (
            key TEXT NOT NULL PRIMARY KEY,
            pipeline TEXT NOT NULL,
            task_id TEXT NOT NULL,
            run_id TEXT NOT NULL,
            outputs TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER
        );
        CREATE INDEX cache_entries_task_id ON cache_entries (task_id);
        """

    /// Waiting tasks: the deadline of a wait and the decision (approval or rejection) given to it.
    /// `decision` holds `{"approved", "reason", "actor", "at"}` JSON.
    static let v2TaskDecisions = """
        ALTER TABLE task_runs ADD COLUMN deadline_at INTEGER;
        ALTER TABLE task_runs ADD COLUMN decision TEXT;
        """

    /// The model registry: models, their numbered versions, aliases, and the audit history of alias moves.
    ///
    /// - `model_versions.metrics` is a compact JSON object of numbers, `params` a compact JSON object,
    ///   `upstream` a compact JSON array of `{"name", "version"}`.
    /// - `idempotency_key` is `"<run id>/<task id>"` for versions a pipeline task registered.
    /// - `alias_history.seq` orders the moves; `from_version`/`to_version` are `NULL` for no version.
    static let v2Registry = """
        CREATE TABLE models (
            name TEXT NOT NULL PRIMARY KEY,
            created_at INTEGER NOT NULL
        );

        CREATE TABLE model_versions (
            model TEXT NOT NULL REFERENCES models (name),
            version INTEGER NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            metrics TEXT NOT NULL,
            params TEXT NOT NULL,
            artifact TEXT NOT NULL,
            data_fingerprint TEXT NOT NULL,
            run_id TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            task_id TEXT NOT NULL,
            code_version TEXT,
            upstream TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            UNIQUE (model, version)
        );

        CREATE TABLE aliases (
            model TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (model, alias),
            FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
        );

        CREATE TABLE alias_history (
            seq INTEGER PRIMARY KEY,
            model TEXT NOT NULL REFERENCES models (name),
            alias TEXT NOT NULL,
            from_version INTEGER,
            to_version INTEGER,
            at INTEGER NOT NULL,
            reason TEXT,
            actor TEXT NOT NULL
        );
        CREATE INDEX alias_history_model_seq ON alias_history (model, seq);
        """

    /// The trigger daemon: run idempotency keys, what each trigger rule has handled, and production metrics.
    ///
    /// - `runs.idempotency_key` is `"<pipeline>/<rule>@<fire time>"` for triggered runs, `NULL` otherwise; unique.
    /// - `trigger_state` has one row per pipeline and rule (`schedule`, `performance`, `data`, `drift`,
    ///   `upstream:<model>`): `last_fire_at` is the last fire time handled, `mark` a rule-specific number (the row
    ///   count at the last run for `data`). The row with rule `*` is the pipeline's: `last_fire_at` is the start of
    ///   the last automatic run, `mark` when the daemon first saw the pipeline (nanoseconds), `queued` the run
    ///   waiting for a free slot as `{"trigger", "idempotency_key"}` JSON.
    /// - `model_metrics` holds pushed production metrics; `seq` orders pushes.
    static let v3Scheduler = """
        ALTER TABLE runs ADD COLUMN idempotency_key TEXT;
        CREATE UNIQUE INDEX runs_idempotency_key ON runs (idempotency_key);

        CREATE TABLE trigger_state (
            pipeline TEXT NOT NULL,
            rule TEXT NOT NULL,
            last_fire_at INTEGER,
            mark INTEGER,
            queued TEXT,
            PRIMARY KEY (pipeline, rule)
        );

        CREATE TABLE model_metrics (
            seq INTEGER PRIMARY KEY,
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            metric TEXT NOT NULL,
            value REAL NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX model_metrics_model_metric_at ON model_metrics (model, metric, at);
        """

    /// Run ownership: who executes a run (`lease_owner`, JSON `{"label","host","pid","started"}`), the fencing epoch
    /// (one more for every acquisition, kept when the lease is released), the last heartbeat and the expiry; and the
    /// process group of each running command task (`task_runs.process`, JSON `{"host","pid","started"}`).
    static let v4RunLeases = """
        ALTER TABLE runs ADD COLUMN lease_owner TEXT;
        ALTER TABLE runs ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN lease_acquired_at INTEGER;
        ALTER TABLE runs ADD COLUMN lease_heartbeat_at INTEGER;
        ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
        ALTER TABLE task_runs ADD COLUMN process TEXT;
        """

    /// What each successful task depended on, for `kiln reproduce`: `task_runs.lineage`, compact JSON
    /// `{"files": {name: {"bytes", "digest", "rows"?}}, "kiln", "platform", "seeds": [...], "started_at"}` (see
    /// `TaskLineage`), `NULL` for tasks that have not succeeded and for rows written before this migration.
    static let v5TaskLineage = """
        ALTER TABLE task_runs ADD COLUMN lineage TEXT;
        """

    /// Rights that one process of several sharing the store holds at a time: `name` `triggers` is the right to
    /// evaluate triggers (one `kiln serve` at a time); `owner` is JSON `{"label","host","pid","started"}`, the times
    /// nanoseconds since 1970.
    static let v6SchedulerLeases = """
        CREATE TABLE scheduler_leases (
            name TEXT NOT NULL PRIMARY KEY,
            owner TEXT NOT NULL,
            acquired_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """

    /// Attempts handed to workers (`kiln worker`), one row each: `state` is `queued`, `claimed` (by `worker`, a
    /// `RunOwner` JSON, on `host`, until `expires_at`; `token` grows with every claim of the row and fences the
    /// worker's writes) or `done` (with `result`, an `AttemptResult` JSON) until the run's owner collects (deletes) it.
    /// `labels` is the sorted JSON array of `runs_on:` labels; `work` the `AttemptWork` JSON; `process` the
    /// `TaskProcess` JSON of the command the attempt started. `task_queue_orphans` keeps the process groups of
    /// claims that lapsed, for a worker restarted on that host to stop.
    /// One queue row per attempt at most: an enqueue replayed inserts nothing.
    static let v8ReplaySafeWrites = """
        CREATE UNIQUE INDEX task_queue_attempt ON task_queue (run_id, task_id, attempt);
        """

    static let v7TaskQueue = """
        CREATE TABLE task_queue (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            task_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            labels TEXT NOT NULL,
            work TEXT NOT NULL,
            queued_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            token INTEGER NOT NULL DEFAULT 0,
            worker TEXT,
            host TEXT,
            expires_at INTEGER,
            process TEXT,
            result TEXT
        );
        CREATE INDEX task_queue_state ON task_queue (state, id);
        CREATE INDEX task_queue_run ON task_queue (run_id, state);
        CREATE TABLE task_queue_orphans (
            host TEXT NOT NULL,
            process TEXT NOT NULL
        );
        """

    /// Crash-consistent deployments: where each alias is exported, and the write-ahead intent of each deployment in
    /// progress.
    ///
    /// - `deployments` has one row per model and alias that was deployed with an exported file: its absolute
    ///   `export_path` and the `version` the file holds (`NULL` for a row imported from `deployments.json`). It is
    ///   written in the same transaction as the alias move.
    /// - `deployment_intents` has one row per deployment in progress, written before any file is touched. `state` is
    ///   `pending` (the alias has not moved: recovery puts the old file back) or `committed` (the alias moved in the
    ///   same transaction that set it: recovery removes the old file). `staged_path` and `backup_path` are where the
    ///   new and the old file are kept meanwhile; `had_previous_file` is 0 or 1; `owner_pid` and `owner_start` (the
    ///   process start mark, `NULL` when unknown) identify the deploying process. `UNIQUE (model, alias)` and
    ///   `UNIQUE (export_path)` serialize deployments of one alias and of one file.
    static let v4Deployments = """
        CREATE TABLE deployments (
            model TEXT NOT NULL,
            alias TEXT NOT NULL,
            export_path TEXT NOT NULL,
            version INTEGER,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            PRIMARY KEY (model, alias)
        );

        CREATE TABLE deployment_intents (
            id TEXT NOT NULL PRIMARY KEY,
            model TEXT NOT NULL,
            alias TEXT NOT NULL,
            from_version INTEGER,
            to_version INTEGER NOT NULL,
            export_path TEXT UNIQUE,
            staged_path TEXT,
            backup_path TEXT,
            had_previous_file INTEGER NOT NULL,
            owner_pid INTEGER NOT NULL,
            owner_start INTEGER,
            actor TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            UNIQUE (model, alias)
        );
        """
}
