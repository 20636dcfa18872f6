import PipelineEngine
import PipelineModel

// Sample records and the assertions the checks use.
extension StateStoreConformance {
    /// A base time with nanosecond digits, so stores that round timestamps fail.
    static let start = Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789)

    /// `start` moved by `seconds`.
    static func at(_ seconds: Int64) -> Timestamp { start.adding(.seconds(seconds)) }

    /// A pipeline that sets every `TaskSpec` field somewhere.
    static let pipeline = Pipeline(
        name: "nightly", description: "Retrain every night",
        params: ["min_f1": 0.85, "sizes": [1, 2.5, "x", nil], "nested": ["deep": ["flag": true, "n": -3]]],
        tasks: [
            TaskSpec(
                id: "extract", action: .run(["python3", "extract.py", "--since", "${{ params.since }}"]),
                env: ["LANG": "C.UTF-8", "DATA": "/srv/data"], workdir: "data/in", timeout: .milliseconds(90_500)),
            TaskSpec(
                id: "train", needs: ["extract"], condition: "success() && params.min_f1 > 0.5",
                action: .uses("train-model", with: ["epochs": 3, "lr": 0.001, "layers": [64, 32], "opts": ["name": "m"]]),
                env: ["SEED": "7"], workdir: "models",
                retry: RetryPolicy(retries: 3, delay: .milliseconds(1500), backoff: 2.5, maxDelay: .seconds(60), jitter: 0.25),
                timeout: .seconds(3600), cache: CachePolicy(expire: .seconds(86_400), version: "v2")),
            TaskSpec(
                id: "report", needs: ["extract", "train"], condition: "always()",
                action: .shell("echo \"done ✓\" > report.txt\nexit 0"), cache: CachePolicy()),
        ],
        triggers: TriggerSpec(
            schedule: "0 2 * * *", timezone: "Asia/Seoul",
            performance: PerformanceRule(model: "fraud", metric: "f1", below: 0.8, window: "24h", minSamples: 3),
            data: DataRule(source: .query(sqlite: "events.db", query: "SELECT count(*) FROM events"), newRows: 50_000),
            drift: DriftRule(model: "fraud", current: "data/incoming/"), upstream: ["recommendation"], combine: .all,
            cooldown: "6h", maxActiveRuns: 2, catchUp: .none))

    /// A queued run of ``pipeline`` with only the required fields.
    static func run(_ id: String, pipeline name: String = "nightly", createdAt: Timestamp = start) -> RunRecord {
        var snapshot = pipeline
        snapshot.name = name
        return RunRecord(
            id: RunID(rawValue: id), pipeline: name, state: .queued, params: [:], snapshot: snapshot,
            baseDirectory: "/work/project", createdAt: createdAt)
    }

    /// A finished run with every optional field set.
    static func fullRun(_ id: String) -> RunRecord {
        RunRecord(
            id: RunID(rawValue: id), pipeline: "nightly", state: .failed,
            params: ["min_f1": 0.9, "since": "2026-11-01", "grid": ["lr": [0.1, 0.01], "deep": ["ok": false]]],
            snapshot: pipeline, baseDirectory: "/work/project with spaces",
            trigger: ["type": "schedule", "schedule": "nightly", "fire": 1_764_979_200_000],
            createdAt: start, startedAt: at(1), finishedAt: at(90), error: "task train failed: exit code 2",
            idempotencyKey: "nightly/schedule@2026-12-06T00:00:00.000Z")
    }

    /// A task record with only the required fields.
    static func task(_ id: String, _ state: TaskState = .pending, attempts: Int = 0) -> TaskRecord {
        TaskRecord(taskID: id, state: state, attempts: attempts)
    }

    /// A task record with every optional field set.
    static func fullTask(_ id: String) -> TaskRecord {
        TaskRecord(
            taskID: id, state: .failed, attempts: 3,
            outputs: ["model": "/m/1.pkl", "metrics": ["f1": 0.91, "counts": [1, 2]], "ok": true, "none": nil],
            error: "exit code 2\nTraceback: …", cacheKey: String(repeating: "ab", count: 32),
            cacheNote: "miss: no entry", startedAt: at(2), finishedAt: at(80), retryAt: at(120), deadline: at(150),
            decision: Decision(approved: false, reason: "too risky", actor: "cli", at: at(140)),
            process: TaskProcess(host: "build-1.example", pid: 31_337, started: 987_654_321_012),
            lineage: TaskLineage(
                kiln: "0.1.0", platform: "linux-x86_64", startedAt: Timestamp(nanosecondsSince1970: 1_764_979_200_123_456_789),
                files: ["data/train.csv": FileFacts(digest: "sha256:" + String(repeating: "0f", count: 32), bytes: 1_180_839, rows: 20_000),
                        "config/gbdt.json": FileFacts(digest: "sha256:" + String(repeating: "e1", count: 32), bytes: 193)],
                seeds: [7, 42]))
    }

    /// A log line of run `id`.
    static func line(
        _ id: String, _ task: String, _ attempt: Int, _ text: String, _ stream: LogStream = .stdout, at seconds: Int64 = 0
    ) -> LogLine {
        LogLine(runID: RunID(rawValue: id), taskID: task, attempt: attempt, stream: stream, text: text, at: at(seconds))
    }

    /// A cache entry.
    static func entry(
        _ key: String, task: String, pipeline: String = "nightly", created: Int64, expires: Int64? = nil
    ) -> CacheEntry {
        CacheEntry(
            key: key, pipeline: pipeline, taskID: task, runID: RunID(rawValue: "r1"),
            outputs: ["path": .string("/cache/\(key)"), "score": 0.5, "list": [1, "two", nil]],
            createdAt: at(created), expiresAt: expires.map(at))
    }

    // MARK: Assertions

    /// Throws when `actual` differs from `expected`.
    static func expectEqual<Value: Equatable>(_ actual: Value, _ expected: Value, _ what: String) throws {
        guard actual == expected else {
            throw ConformanceFailure("\(what): expected \(expected), got \(actual)")
        }
    }

    /// Throws unless `body` throws exactly `expected`.
    static func expectError(
        _ expected: StateStoreError, _ what: String, _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let error as StateStoreError {
            try expectEqual(error, expected, what)
            return
        } catch {
            throw ConformanceFailure("\(what): expected the error “\(expected)”, got “\(error)”")
        }
        throw ConformanceFailure("\(what): expected the error “\(expected)”, nothing was thrown")
    }

    /// The task records of run `id` by task id; throws when one id appears twice.
    static func tasksByID(_ store: any StateStore, _ id: String) async throws -> [String: TaskRecord] {
        var byID: [String: TaskRecord] = [:]
        for record in try await store.tasks(of: RunID(rawValue: id)) {
            guard byID.updateValue(record, forKey: record.taskID) == nil else {
                throw ConformanceFailure("tasks(of: \(id)) returned task \(record.taskID) twice")
            }
        }
        return byID
    }
}
