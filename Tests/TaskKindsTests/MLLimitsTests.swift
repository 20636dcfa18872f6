import Foundation
import MLTasks
import PipelineEngine
import PipelineModel
import Tabular
import Testing

@Suite("Resource limits of the ML kinds: regular files, bytes per file, hyperparameter bounds, cancellation")
struct MLLimitsTests {
    @Test("extract-csv of /dev/zero fails at once, naming the path, what it is and how to fix it")
    func devZero() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            // Before the check, reading /dev/zero never ended (memory grew until the process died).
            let message = await failureMessage { try await sandbox.runKind(ExtractCSVTaskKind(), ["path": "/dev/zero"]) }
            #expect(message?.contains("/dev/zero: is a character device, not a regular file") == true, "\(message ?? "")")
            #expect(message?.contains("Fix: write the data to a file") == true)
        }
    }

    @Test("extract-csv of a FIFO fails at once instead of blocking")
    func fifo() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/incoming.csv"
            #expect(mkfifo(path, 0o600) == 0)
            // A writer that stays open for 5 s: a reader that blocks on the FIFO ends then instead of hanging.
            let writer = open(path, O_RDWR | O_NONBLOCK)
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { close(writer) }
            // A reader that blocks on the FIFO gets its end (an empty file) only when the writer closes, after 5 s.
            let message = await failureMessage { try await MLSandbox(directory).runKind(ExtractCSVTaskKind(), ["path": "incoming.csv"]) }
            #expect(message?.contains("is a FIFO (named pipe), not a regular file") == true, "\(message ?? "")")
        }
    }

    @Test("extract-sql on a FIFO or a device fails at once, before SQLite opens it")
    func sqlOnFIFO() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/events.db"
            #expect(mkfifo(path, 0o600) == 0)
            let kind = ExtractSQLTaskKind(readers: DataReaders(sql: { database, _ in
                Issue.record("the SQL reader was called for \(database)")
                return DataFrame()
            }))
            let fifo = await failureMessage { try await MLSandbox(directory).runKind(kind, ["database": "events.db", "query": "SELECT 1"]) }
            #expect(fifo?.contains("events.db: is a FIFO (named pipe), not a regular file") == true, "\(fifo ?? "")")
            let device = await failureMessage { try await MLSandbox(directory).runKind(kind, ["database": "/dev/zero", "query": "SELECT 1"]) }
            #expect(device?.contains("/dev/zero: is a character device, not a regular file") == true, "\(device ?? "")")
        }
    }

    @Test("the bytes per file come from DataReaders.limits")
    func maxBytes() async throws {
        try await withTemporaryDirectory { directory in
            let kind = ExtractCSVTaskKind(readers: DataReaders(limits: DataLimits(maxFileBytes: 100)))
            let message = await failureMessage { try await MLSandbox(directory).runKind(kind, ["path": .string(MLSandbox.customersCSV)]) }
            #expect(message?.contains("more than the limit of 100 bytes per data file") == true, "\(message ?? "")")
        }
    }

    @Test("train refuses n_estimators above 100,000 and max_iterations above 10,000, saying the bound")
    func hyperparameterBounds() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            let gbdt = await failureMessage {
                try await sandbox.runKind(TrainTaskKind(), [
                    "data": .string(MLSandbox.customersCSV), "label": "churned",
                    "params": ["n_estimators": 1_000_000_000],
                ])
            }
            #expect(gbdt?.contains("n_estimators = 1000000000 is invalid; expected an integer in 1…100000") == true, "\(gbdt ?? "")")
            let huge = await failureMessage {
                try await sandbox.runKind(TrainTaskKind(), [
                    "data": .string(MLSandbox.customersCSV), "label": "churned", "params": ["max_depth": 1e30],
                ])
            }
            #expect(huge?.contains("'max_depth' = ") == true && huge?.contains("is not a valid value") == true, "\(huge ?? "")")
            let logistic = await failureMessage {
                try await sandbox.runKind(TrainTaskKind(), [
                    "data": .string(MLSandbox.customersCSV), "label": "churned", "algorithm": "logistic",
                    "params": ["max_iterations": 1_000_000],
                ])
            }
            #expect(logistic?.contains("max_iterations must be a whole number in 1…10000") == true, "\(logistic ?? "")")
        }
    }

    @Test("a cancelled train stops promptly, between boosting rounds")
    func trainCancellation() async throws {
        try await withTemporaryDirectory { directory in
            let sandbox = MLSandbox(directory)
            // 5,000 rows: 100,000 rounds take minutes when nothing stops them.
            var text = "a,b,label\n"
            for row in 0..<5_000 {
                let a = Double((row * 7919) % 1000) / 1000, b = Double((row * 104_729) % 997) / 997
                text += "\(a),\(b),\(a + b / 3 > 0.6 ? 1 : 0)\n"
            }
            try text.write(toFile: directory + "/train.csv", atomically: true, encoding: .utf8)
            let inputs: [String: JSONValue] = [
                "data": "train.csv", "label": "label",
                "params": ["n_estimators": 100_000, "max_depth": 8, "threads": 1],
            ]
            let clock = ContinuousClock()
            let ended = try await withThrowingTaskGroup(of: ContinuousClock.Instant?.self) { group in
                group.addTask {
                    do {
                        _ = try await sandbox.runKind(TrainTaskKind(), inputs)
                        Issue.record("training 100,000 rounds finished before it was cancelled")
                    } catch is CancellationError {
                    } catch {
                        Issue.record("expected CancellationError, got \(error)")
                    }
                    return clock.now
                }
                try await Task.sleep(for: .seconds(2))
                let cancelled = clock.now
                group.cancelAll()
                let end = try await group.next()!!
                return end - cancelled
            }
            // Checked between rounds, it stops within milliseconds; the margin is for a loaded test machine
            // (the suite trains models in parallel); uncancelled, 100,000 rounds take far longer.
            #expect(ended < .seconds(5), "training went on \(ended) after cancellation")
        }
    }
}
