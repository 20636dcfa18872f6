import Foundation
import PipelineModel
import PipelineScheduler
import PipelineTesting
import Testing

@Suite("Row counting limits: command timeouts with their process group killed, regular files only")
struct RowCounterLimitsTests {
    static func withFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-rowlimits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder.path)
    }

    /// Whether `pid` is gone (or a zombie).
    static func ended(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let afterName = stat.range(of: ") ", options: .backwards) else { return true }
        return stat[afterName.upperBound...].hasPrefix("Z")
    }

    @Test("a command that runs past its timeout is stopped with its whole process group, and the error says so")
    func commandTimeout() throws {
        try Self.withFolder { base in
            // The shell starts a grandchild and records its pid: it must not outlive the timeout either.
            let script = "sleep 100 & echo $! > child.pid; wait"
            let started = ContinuousClock.now
            var message = ""
            do {
                _ = try RowCounter().count(.command(["sh", "-c", script]), baseDirectory: base, asOf: nil,
                                           timeout: .milliseconds(500))
            } catch {
                message = "\(error)"
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(3), "took \(elapsed)")
            #expect(message.contains("did not finish within 500ms (timeout), so its process group was killed"), "\(message)")
            #expect(message.contains("timeout: 5m"))
            let text = try String(contentsOfFile: base + "/child.pid", encoding: .utf8)
            let child = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            var gone = false
            for _ in 0..<100 where !gone {
                gone = Self.ended(child)
                if !gone { usleep(20_000) }
            }
            #expect(gone, "the command's child \(child) is still running")
        }
    }

    @Test("a rule's timeout: is read as a duration; without one the command gets 60 s")
    func ruleTimeout() throws {
        #expect(try RowCounter.timeout(of: DataRule(source: .command(["true"]), newRows: 1)) == .seconds(60))
        #expect(try RowCounter.timeout(of: DataRule(source: .command(["true"]), newRows: 1, timeout: "2m")) == .seconds(120))
        #expect(throws: RowCountError.self) {
            try RowCounter.timeout(of: DataRule(source: .command(["true"]), newRows: 1, timeout: "soon"))
        }
    }

    @Test("a command that ends in time still counts; one that prints too much is stopped")
    func commandOutput() throws {
        try Self.withFolder { base in
            let count = try RowCounter().count(.command(["sh", "-c", "echo 42"]), baseDirectory: base, asOf: nil,
                                               timeout: .seconds(10))
            #expect(count == 42)
            #expect(throws: RowCountError.self) {
                try RowCounter().count(.command(["sh", "-c", "yes 1"]), baseDirectory: base, asOf: nil, timeout: .seconds(10))
            }
        }
    }

    @Test("a FIFO or a device among the data files is refused at once; a file above the byte limit too")
    func files() throws {
        try Self.withFolder { base in
            #expect(mkfifo(base + "/incoming.csv", 0o600) == 0)
            let writer = open(base + "/incoming.csv", O_RDWR | O_NONBLOCK)
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { close(writer) }
            let started = ContinuousClock.now
            var message = ""
            do {
                _ = try RowCounter().count(.path("incoming.csv"), baseDirectory: base, asOf: nil)
            } catch {
                message = "\(error)"
            }
            #expect(message.contains("incoming.csv: not a regular file"), "\(message)")
            #expect(throws: RowCountError.self) { try RowCounter().count(.path("/dev/zero"), baseDirectory: base, asOf: nil) }
            #expect(ContinuousClock.now - started < .seconds(4))
            try "id\n1\n2\n".write(toFile: base + "/small.csv", atomically: true, encoding: .utf8)
            #expect(try RowCounter(maxFileBytes: 64).count(.path("small.csv"), baseDirectory: base, asOf: nil) == 2)
            #expect(throws: RowCountError.self) {
                try RowCounter(maxFileBytes: 4).count(.path("small.csv"), baseDirectory: base, asOf: nil)
            }
        }
    }

    @Test("the daemon's inputs count on a thread of their own; cancelling the caller kills a running command's group")
    func cancelledCount() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-rowcancel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = InMemoryRegistryStore()
        let inputs = StoreTriggerInputs(registry: registry, metrics: registry)
        let rule = DataRule(source: .command(["sh", "-c", "sleep 100 & echo $! > child.pid; wait"]), newRows: 1, timeout: "1h")
        let clock = ContinuousClock()
        let stoppedAfter = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    _ = try await inputs.rowCount(of: rule, baseDirectory: folder.path, asOf: nil)
                    Issue.record("a command sleeping 100 s was counted")
                } catch is CancellationError {
                } catch {
                    Issue.record("expected CancellationError, got \(error)")
                }
            }
            // Cancel once the command runs (it wrote its child's pid), however loaded the machine is.
            let started = clock.now
            while !FileManager.default.fileExists(atPath: folder.path + "/child.pid"), clock.now - started < .seconds(60) {
                try await Task.sleep(for: .milliseconds(10))
            }
            let cancelled = clock.now
            group.cancelAll()
            try await group.next()
            return clock.now - cancelled
        }
        // Without the kill the command sleeps 100 s; the kill path is SIGTERM, then SIGKILL after 1 s. The bound
        // leaves a loaded machine room (5 s was once passed under a full test run) and still tells the two apart.
        #expect(stoppedAfter < .seconds(30), "counting went on \(stoppedAfter) after cancellation")
        let text = try String(contentsOfFile: folder.path + "/child.pid", encoding: .utf8)
        let child = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        var gone = false
        for _ in 0..<100 where !gone {
            gone = Self.ended(child)
            if !gone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(gone, "the command's child \(child) is still running")
    }
}
