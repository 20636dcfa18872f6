import Foundation
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite
import Synchronization
import Testing

/// Another process holding the write lock: the store waits for it without tying up Swift concurrency's threads.
@Suite("SQLiteStateStore under another process's write lock")
struct BusyDatabaseTests {
    @Test("commits wait for another process's lock on GRDB's queue while the cooperative pool keeps running")
    func waitsOffTheCooperativePool() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder + "/kiln.db"
            let store = try SQLiteStateStore(path: path)
            try await store.createRun(SQLiteStateStoreTests.run("r1"), tasks: [])

            // A second process takes the write lock and keeps it until `release` appears (or 240 s pass: long enough
            // that other tests keeping the machine's few pool threads busy cannot make it give up first).
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = ["python3", "-c", """
                import os, sqlite3, sys, time
                db, folder = sys.argv[1], sys.argv[2]
                connection = sqlite3.connect(db, isolation_level=None)
                connection.execute("BEGIN IMMEDIATE")
                open(folder + "/locked", "w").close()
                deadline = time.time() + 240
                while not os.path.exists(folder + "/release") and time.time() < deadline:
                    time.sleep(0.01)
                open(folder + ("/released" if os.path.exists(folder + "/release") else "/timed-out"), "w").close()
                connection.execute("COMMIT")
                """, path, folder]
            try holder.run()
            defer { holder.waitUntilExit() }
            let lockDeadline = ContinuousClock.now.advanced(by: .seconds(20))
            while !FileManager.default.fileExists(atPath: folder + "/locked"), ContinuousClock.now < lockDeadline {
                await Task.yield()
            }
            #expect(FileManager.default.fileExists(atPath: folder + "/locked"))

            let finished = FinishedWriters()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // More waiting writers than the machine has cores: blocking calls would take every pool thread.
                for index in 0..<8 {
                    group.addTask {
                        try await store.commit(StateBatch(logs: [SQLiteStateStoreTests.line("r1", "a", "line \(index)")]))
                        finished.count.add(1, ordering: .sequentiallyConsistent)
                    }
                }
                var ticks = 0
                while ticks < 100 {
                    await Task.yield()
                    ticks += 1
                }
                #expect(finished.count.load(ordering: .sequentiallyConsistent) == 0, "the writers cannot finish before the lock is released")
                _ = FileManager.default.createFile(atPath: folder + "/release", contents: nil)
                try await group.waitForAll()
            }
            holder.waitUntilExit()
            #expect(FileManager.default.fileExists(atPath: folder + "/released"), "the pool was blocked until the holder gave up")
            #expect(try await store.logs(of: RunID(rawValue: "r1"), task: nil, attempt: nil).count == 8)
        }
    }
}

/// How many writers finished, shared with the group's child tasks.
private final class FinishedWriters: Sendable {
    let count = Atomic<Int>(0)
}
