import Foundation
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineStoreSQLite
import CommandTasks
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// `kiln-bench`: engine overhead on no-op workloads with the durable SQLite store. Prints figures, asserts nothing.
///
/// Usage: `swift run -c release kiln-bench [--repeats N] [--parallelism N] [--width N] [--chain N] [--kiln PATH]
/// [--only W1,W6] [--json]`
///
/// Each workload reports its wall time and its CPU time (user + system, of this process for W1–W5 and of the `kiln`
/// processes for W6): on a machine that others load, the CPU time is what stays comparable between runs.
@main
struct Bench {
    struct Options {
        var repeats = 5
        var parallelism: Int?
        var width = 1000
        var chain = 200
        /// The `kiln` executable W6 runs; by default the one next to this executable, when there is one.
        var kiln: String?
        var json = false
        /// The workloads to measure (`W1`…`W6`); `nil` = all.
        var only: Set<String>?

        func includes(_ workload: String) -> Bool { only?.contains(workload) ?? true }
    }

    /// One measured workload.
    struct Figure {
        let name: String
        let tasks: Int
        /// Wall times of the repeats, in milliseconds, sorted.
        let walls: [Double]
        /// CPU times (user + system) of the repeats, in milliseconds, sorted.
        let cpus: [Double]
        var median: Double { walls[walls.count / 2] }
        var perTask: Double { median * 1000 / Double(tasks) }
        var cpuPerTask: Double { cpus[cpus.count / 2] * 1000 / Double(tasks) }
    }

    static let usage =
        "usage: kiln-bench [--repeats N] [--parallelism N] [--width N] [--chain N] [--kiln PATH] [--only W1,W6] [--json]"

    static func main() async throws {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            func text() -> String {
                guard let text = arguments.next() else { fail("\(argument) needs a value") }
                return text
            }
            func value() -> Int {
                guard let number = Int(text()), number > 0 else { fail("\(argument) needs a positive number") }
                return number
            }
            switch argument {
            case "--repeats": options.repeats = value()
            case "--parallelism": options.parallelism = value()
            case "--width": options.width = value()
            case "--chain": options.chain = value()
            case "--kiln": options.kiln = text()
            case "--json": options.json = true
            case "--only":
                let names = Set(text().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
                let known: Set<String> = ["W1", "W2", "W3", "W4", "W5", "W6"]
                guard !names.isEmpty, names.isSubset(of: known) else {
                    fail("--only takes workloads from W1…W6 separated by commas, e.g. --only W2,W6")
                }
                options.only = names
            default:
                print(usage)
                exit(argument == "--help" || argument == "-h" ? 0 : 2)
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(path: directory + "/kiln.db")
        let executor = PipelineExecutor(
            store: store, kinds: .builtIn, configuration: .init(parallelism: options.parallelism))
        let parallelism = executor.configuration.parallelism
        if !options.json {
            print("kiln-bench: no-op tasks, durable SQLite store (WAL) at \(directory), parallelism \(parallelism), \(options.repeats) repeats; median [min–max]")
            print("workload                              tasks   wall ms               µs/task   CPU µs/task")
        }
        var figures: [Figure] = []
        func report(_ figure: Figure) {
            figures.append(figure)
            if !options.json { print(row(figure)) }
        }

        if options.includes("W1") {
            report(try await measure("W1 seed DAG", options, executor: executor, plan: try Plan(Workloads.seed())))
        }
        if options.includes("W2") {
            report(try await measure(
                "W2 wide 1+\(options.width)+1", options, executor: executor,
                plan: try Plan(Workloads.wide(width: options.width))))
        }
        if options.includes("W3") {
            report(try await measure(
                "W3 chain \(options.chain)", options, executor: executor,
                plan: try Plan(Workloads.chain(length: options.chain))))
        }
        if options.includes("W4") {
            let cached = try Plan(Workloads.seed(cache: true))
            _ = try await executor.run(cached, baseDirectory: directory)  // fills the cache
            report(try await measure(
                "W4 seed DAG, all cache hits", options, executor: executor, plan: cached, expect: .cached))
        }
        if options.includes("W5") {
            report(try await measure(
                "W5 fail twice, retry (0 delay)", options, executor: executor, plan: try Plan(Workloads.retry())))
        }
        guard options.includes("W6") else {
            if options.json { print(json(figures, options: options, parallelism: parallelism, w6Skipped: nil)) }
            return
        }

        report(try measureRead(options))
        let kiln = options.kiln ?? defaultKiln()
        var skipped: String?
        if let kiln, FileManager.default.isExecutableFile(atPath: kiln) {
            for figure in try await measureCLI(kiln: kiln, options, parallelism: parallelism, directory: directory) {
                report(figure)
            }
        } else {
            skipped = options.kiln.map { "\($0) is not an executable" }
                ?? "no kiln executable next to kiln-bench (build it: swift build -c release --static-swift-stdlib --product kiln; or pass --kiln PATH)"
            if !options.json { print("W6 skipped: \(skipped!)") }
        }
        if options.json {
            print(json(figures, options: options, parallelism: parallelism, w6Skipped: skipped))
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("kiln-bench: \(message)\n\(usage)\n".utf8))
        exit(2)
    }

    static func row(_ figure: Figure) -> String {
        let cell = String(format: "%.2f [%.2f–%.2f]", figure.median, figure.walls.first!, figure.walls.last!)
        return figure.name.padding(toLength: 38, withPad: " ", startingAt: 0)
            + String(figure.tasks).padding(toLength: 8, withPad: " ", startingAt: 0)
            + cell.padding(toLength: 22, withPad: " ", startingAt: 0)
            + String(format: "%.1f", figure.perTask).padding(toLength: 10, withPad: " ", startingAt: 0)
            + String(format: "%.1f", figure.cpuPerTask)
    }

    static func json(_ figures: [Figure], options: Options, parallelism: Int, w6Skipped: String?) -> String {
        func number(_ value: Double) -> String { String(format: "%.3f", value) }
        let rows = figures.map { figure in
            "    {\"name\": \"\(figure.name)\", \"tasks\": \(figure.tasks), \"median_ms\": \(number(figure.median)), "
                + "\"min_ms\": \(number(figure.walls.first!)), \"max_ms\": \(number(figure.walls.last!)), "
                + "\"us_per_task\": \(number(figure.perTask)), \"cpu_us_per_task\": \(number(figure.cpuPerTask))}"
        }
        var text = "{\n  \"parallelism\": \(parallelism),\n  \"repeats\": \(options.repeats),\n"
        if let w6Skipped {
            text += "  \"w6_skipped\": \"\(w6Skipped.replacingOccurrences(of: "\"", with: "'"))\",\n"
        }
        return text + "  \"workloads\": [\n" + rows.joined(separator: ",\n") + "\n  ]\n}"
    }

    static func measure(
        _ name: String, _ options: Options, executor: PipelineExecutor, plan: Plan, expect: TaskState? = nil
    ) async throws -> Figure {
        _ = try await executor.run(plan, baseDirectory: "/tmp")  // warm-up
        var walls: [Double] = [], cpus: [Double] = []
        for _ in 0..<options.repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = cpuMilliseconds(.me)
            let run = try await executor.run(plan, baseDirectory: "/tmp")
            walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            cpus.append(cpuMilliseconds(.me) - cpuStart)
            guard run.state == .succeeded else {
                print("\(name): run \(run.id) ended \(run.state.rawValue): \(run.error ?? "")")
                exit(1)
            }
            if let expect {
                let tasks = try await executor.store.tasks(of: run.id)
                let hits = tasks.filter { $0.state == expect }.count
                guard hits > 0 else {
                    print("\(name): expected \(expect.rawValue) tasks, found none")
                    exit(1)
                }
            }
        }
        return Figure(name: name, tasks: plan.pipeline.tasks.count, walls: walls.sorted(), cpus: cpus.sorted())
    }

    /// W6's file read and checked in this process (YAML to a checked plan, as `kiln validate` does after starting):
    /// the part of `kiln validate` that grows with the file.
    static func measureRead(_ options: Options) throws -> Figure {
        let text = Workloads.wideYAML(width: options.width)
        let kinds: Set<String> = ["noop"]
        _ = try PipelineFile.planFrom(text: text, path: "wide.yaml", knownKinds: kinds)  // warm-up
        var walls: [Double] = [], cpus: [Double] = []
        var tasks = 0
        for _ in 0..<options.repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = cpuMilliseconds(.me)
            let plan = try PipelineFile.planFrom(text: text, path: "wide.yaml", knownKinds: kinds)
            walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            cpus.append(cpuMilliseconds(.me) - cpuStart)
            tasks = plan.pipeline.tasks.count
        }
        return Figure(name: "W6 read + plan (in process)", tasks: tasks, walls: walls.sorted(), cpus: cpus.sorted())
    }

    /// The `kiln` next to this executable (both are products of the same build).
    static func defaultKiln() -> String? {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidate = me.deletingLastPathComponent().appendingPathComponent("kiln").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// W6: `kiln run` of W2 as a pipeline file in a new process, minus `kiln run` of a one-task file (alternating,
    /// one home whose database exists), per task; and `kiln validate` of that file.
    static func measureCLI(kiln: String, _ options: Options, parallelism: Int, directory: String) async throws -> [Figure] {
        let wide = directory + "/wide.yaml", one = directory + "/one.yaml", home = directory + "/home"
        try Workloads.wideYAML(width: options.width).write(toFile: wide, atomically: true, encoding: .utf8)
        try Workloads.oneYAML.write(toFile: one, atomically: true, encoding: .utf8)
        let runFlags = ["--home", home, "--parallelism", String(parallelism)]
        _ = await time(kiln, ["run", one] + runFlags)  // creates the database
        _ = await time(kiln, ["run", wide] + runFlags)  // warm-up
        var differences: [Double] = [], wides: [Double] = [], validates: [Double] = []
        var cpuDifferences: [Double] = [], cpuWides: [Double] = [], cpuValidates: [Double] = []
        for _ in 0..<options.repeats {
            let wideRun = await time(kiln, ["run", wide] + runFlags)
            let oneRun = await time(kiln, ["run", one] + runFlags)
            wides.append(wideRun.wall)
            cpuWides.append(wideRun.cpu)
            differences.append(wideRun.wall - oneRun.wall)
            cpuDifferences.append(wideRun.cpu - oneRun.cpu)
            let validate = await time(kiln, ["validate", wide])
            validates.append(validate.wall)
            cpuValidates.append(validate.cpu)
        }
        let tasks = options.width + 2
        return [
            Figure(name: "W6 kiln run, minus a 1-task run", tasks: tasks - 1, walls: differences.sorted(),
                   cpus: cpuDifferences.sorted()),
            Figure(name: "W6 kiln run (new process)", tasks: tasks, walls: wides.sorted(), cpus: cpuWides.sorted()),
            Figure(name: "W6 kiln validate", tasks: tasks, walls: validates.sorted(), cpus: cpuValidates.sorted()),
        ]
    }

    /// Whose CPU time ``cpuMilliseconds(_:)`` reads.
    enum Usage {
        /// This process.
        case me
        /// The children waited for.
        case children
    }

    /// User + system CPU time of `who`, in milliseconds.
    static func cpuMilliseconds(_ who: Usage) -> Double {
        #if os(Linux)
            let code = __rusage_who_t(who == .me ? RUSAGE_SELF.rawValue : RUSAGE_CHILDREN.rawValue)
        #else
            let code = who == .me ? RUSAGE_SELF : RUSAGE_CHILDREN
        #endif
        var usage = rusage()
        getrusage(code, &usage)
        func milliseconds(_ time: timeval) -> Double { Double(time.tv_sec) * 1000 + Double(time.tv_usec) / 1000 }
        return milliseconds(usage.ru_utime) + milliseconds(usage.ru_stime)
    }

    /// Runs `executable` with stdout and stderr discarded (not a terminal); returns its wall time and its CPU time
    /// (user + system), in milliseconds.
    ///
    /// Through swift-subprocess, not Foundation's `Process`: on Linux `waitUntilExit` spins its run loop in 50 ms
    /// steps and, when the exit notice misses the loop, returns on the next step, which rounded W6's figures up to
    /// multiples of 50 ms.
    static func time(_ executable: String, _ arguments: [String]) async -> (wall: Double, cpu: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuMilliseconds(.children)
        let status: TerminationStatus
        do {
            status = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments), output: .discarded, error: .discarded
            ).terminationStatus
        } catch {
            print("kiln-bench: cannot run \(executable): \(error)")
            exit(1)
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let cpu = cpuMilliseconds(.children) - cpuStart
        guard status == .exited(0) else {
            print("kiln-bench: \(executable) \(arguments.joined(separator: " ")) ended: \(status)")
            exit(1)
        }
        return (wall, cpu)
    }
}
